// `berth container restart`.
import type { CommandSpec } from '../../framework/types.ts';
import { forEachArg } from './shared.ts';

export const restartCommand: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  flags: [
    { name: 'signal', short: 's', type: 'string', usage: 'Signal to send to the container' },
    { name: 'timeout', short: 't', type: 'int', usage: 'Seconds to wait before killing the container' },
    { name: 'time', type: 'int', usage: 'Seconds to wait before killing the container (deprecated: use --timeout)', hidden: true },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const t = flags.changed('timeout') ? flags.int('timeout') : flags.changed('time') ? flags.int('time') : undefined;
    const signal = flags.string('signal') || undefined;
    return forEachArg(ctx, args, async (name) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(name)}/restart`, { query: { t, signal } });
      return name;
    });
  },
};
