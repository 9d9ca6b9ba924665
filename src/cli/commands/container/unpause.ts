// `berth container unpause`: pause's twin.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';

export const unpauseCommand: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  args: { min: 1 },
  async run(ctx, _flags, args) {
    return forEachArg(ctx, args, async (c) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(c)}/unpause`);
      return c;
    });
  },
};
