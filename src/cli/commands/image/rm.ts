// `berth image rm` (remove, rmi): prints each Untagged:/Deleted: line; with -f only missing
// images are forgiven (reported on stderr, exit 0).
import type { CommandSpec } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { errorText } from '../shared.ts';

export const rmCommand: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  flags: [
    { name: 'force', short: 'f', type: 'bool', usage: 'Force removal of the image' },
    { name: 'no-prune', type: 'bool', usage: 'Do not delete untagged parents' },
    { name: 'platform', type: 'csv', usage: 'Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")', valueName: 'strings' },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const force = flags.bool('force');
    const errors: string[] = [];
    let fatal = false;
    for (const name of args) {
      try {
        const items = await ctx.client.json<Array<{ Untagged?: string; Deleted?: string }>>('DELETE', `/images/${encodeURIComponent(name)}`, {
          query: { force: force ? '1' : undefined, noprune: flags.bool('no-prune') ? '1' : undefined, platforms: flags.list('platform').length ? flags.list('platform') : undefined },
        });
        for (const item of items ?? []) ctx.stdout.write(item.Deleted ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged ?? ''}\n`);
      } catch (err) {
        if (!(err instanceof DaemonError && err.status === 404)) fatal = true;
        errors.push(errorText(err));
      }
    }
    if (errors.length) {
      if (!force || fatal) throw new StatusError(1, errors.join('\n'));
      ctx.stderr.write(errors.join('\n') + '\n');
    }
    return 0;
  },
};
