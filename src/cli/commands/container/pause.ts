// `berth container pause`.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';

export const pauseCommand: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  short: 'Pause all processes within one or more containers',
  args: { min: 1 },
  async run(ctx, _flags, args) {
    return forEachArg(ctx, args, async (c) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(c)}/pause`);
      return c;
    });
  },
};
