// `berth container rm` (remove, rmi's sibling `rm`): with -f a missing container is reported but
// is no failure, as in docker.
import type { CommandSpec } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { errorText } from '../shared.ts';

export const rmCommand: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  flags: [
    { name: 'force', short: 'f', type: 'bool', usage: 'Force the removal of a running container (uses SIGKILL)' },
    { name: 'link', short: 'l', type: 'bool', usage: 'Remove the specified link' },
    { name: 'volumes', short: 'v', type: 'bool', usage: 'Remove anonymous volumes associated with the container' },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const force = flags.bool('force');
    const errors: string[] = [];
    for (const name of args) {
      const id = name.replace(/^\/+|\/+$/g, '');
      try {
        if (!id) throw new Error('container name cannot be empty');
        await ctx.client.call('DELETE', `/containers/${encodeURIComponent(id)}`, {
          query: { force: force ? '1' : undefined, v: flags.bool('volumes') ? '1' : undefined, link: flags.bool('link') ? '1' : undefined },
        });
        ctx.stdout.write(name + '\n');
      } catch (err) {
        if (force && err instanceof DaemonError && err.status === 404) {
          ctx.stderr.write(errorText(err) + '\n');
          continue;
        }
        errors.push(errorText(err));
      }
    }
    if (errors.length) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};
