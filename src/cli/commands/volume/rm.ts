// `berth volume rm`: removes each volume in turn and prints its name; failures are collected and
// printed together at the end (docker/cli joins them), exit 1. -f: a missing volume is no error
// (the daemon's purge-on-error), a volume in use is still refused.
import type { CommandSpec } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { errorText } from '../shared.ts';

export const rmCommand: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  long: '\nRemove one or more volumes. You cannot remove a volume that is in use by a container.\n',
  args: { min: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', usage: 'Force the removal of one or more volumes', minApi: '1.25' }],
  async run(ctx, flags, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        await ctx.client.call('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force: flags.bool('force') ? '1' : undefined } });
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        errors.push(errorText(err));
        continue;
      }
      ctx.stdout.write(`${name}\n`);
    }
    if (errors.length) throw new StatusError(1, errors.join('\n'));
  },
};
