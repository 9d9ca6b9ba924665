// `berth container stop`: stops each container, printing each name as typed, on past failures.
import type { CommandSpec, FlagSpec, Flags } from '../../framework/types.ts';
import { forEachArg } from '../shared.ts';

/** The flags stop and restart share: the signal, and how long to wait for it before SIGKILL. */
export const STOP_FLAGS: FlagSpec[] = [
  { name: 'signal', short: 's', type: 'string', usage: 'Signal to send to the container' },
  { name: 'timeout', short: 't', type: 'int', usage: 'Seconds to wait before killing the container' },
  { name: 'time', type: 'int', usage: 'Seconds to wait before killing the container (deprecated: use --timeout)', hidden: true },
];

/** The query of POST /containers/{id}/stop and /restart from STOP_FLAGS. */
export function stopQuery(flags: Flags): { t?: number; signal?: string } {
  const t = flags.changed('timeout') ? flags.int('timeout') : flags.changed('time') ? flags.int('time') : undefined;
  return { t, signal: flags.string('signal') || undefined };
}

export const stopCommand: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  flags: STOP_FLAGS,
  args: { min: 1 },
  async run(ctx, flags, args) {
    const query = stopQuery(flags);
    return forEachArg(ctx, args, async (name) => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(name)}/stop`, { query });
      return name;
    });
  },
};
