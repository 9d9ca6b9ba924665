// `berth container restart`: stop's flags, then the container starts again.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';
import { STOP_FLAGS, stopQuery } from './stop.ts';

export const restartCommand: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  flags: STOP_FLAGS,
  args: { min: 1 },
  async run(ctx, flags, args) {
    const query = stopQuery(flags);
    return forEachArg(ctx, args, async (name) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(name)}/restart`, { query });
      return name;
    });
  },
};
