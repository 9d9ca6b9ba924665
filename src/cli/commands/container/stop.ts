// `berth container stop`: stops each container, printing each name as typed, on past failures.
import type { CommandSpec } from '../../framework/types.ts';
import { DaemonError } from '../../framework/types.ts';
import { forEachArg } from './shared.ts';

export const stopCommand: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
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
      try {
        await ctx.client.call('POST', `/containers/${encodeURIComponent(name)}/stop`, { query: { t, signal } });
      } catch (err) {
        // 304: already stopped; docker's client counts every status below 400 as success.
        if (!(err instanceof DaemonError && err.status === 304)) throw err;
      }
      return name;
    });
  },
};
