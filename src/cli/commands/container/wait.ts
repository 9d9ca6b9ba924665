// `berth container wait`: blocks until each container stops and prints its exit code.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';

export const waitCommand: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  async run(ctx, _flags, args) {
    return forEachArg(ctx, args, async (c) => {
      const res = await ctx.client.json<{ StatusCode: number; Error?: { Message?: string } | null }>('POST', `/containers/${encodeURIComponent(c)}/wait`);
      if (res.Error?.Message) throw new Error(res.Error.Message);
      return String(res.StatusCode);
    });
  },
};
