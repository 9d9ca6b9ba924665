// `berth network rm`: removes each network in turn; a failure is printed and the rest go on,
// and the command ends with docker's "exit status 1". -f hides "not found" errors.
import type { CommandSpec } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { errorText } from '../shared.ts';

export const rmCommand: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  args: { min: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', usage: 'Do not error if the network does not exist' }],
  async run(ctx, flags, args) {
    let failed = false;
    for (const name of args) {
      try {
        await ctx.client.call('DELETE', `/networks/${encodeURIComponent(name)}`);
      } catch (err) {
        if (!(err instanceof DaemonError)) throw err;
        if (err.status === 404 && flags.bool('force')) continue;
        ctx.stderr.write(errorText(err) + '\n');
        failed = true;
        continue;
      }
      ctx.stdout.write(`${name}\n`);
    }
    // docker/cli returns a StatusError without a message here, which prints as "exit status 1".
    if (failed) throw new StatusError(1, 'exit status 1');
  },
};
