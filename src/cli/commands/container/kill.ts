// `berth container kill`.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';

export const killCommand: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', type: 'string', usage: 'Signal to send to the container' }],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const signal = flags.string('signal') || undefined;
    return forEachArg(ctx, args, async (name) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(name)}/kill`, { query: { signal } });
      return name;
    });
  },
};
