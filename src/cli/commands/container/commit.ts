// `berth container commit` (commit): a new image from a container's changes; prints its ID.
// The reference is checked here first, as docker's client does (ContainerCommit).
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { familiarName, parseNormalizedNamed } from '../image/reference.ts';

export const commitCommand: CommandSpec = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  short: "Create a new image from a container's changes",
  flags: [
    { name: 'author', short: 'a', type: 'string', usage: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { name: 'change', short: 'c', type: 'list', usage: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', usage: 'Commit message' },
    { name: 'pause', short: 'p', type: 'bool', usage: 'Pause container during commit', default: true },
  ],
  args: { min: 1, max: 2 },
  stopAtFirstArg: true,
  async run(ctx, flags, args) {
    const [container, reference] = args;
    let repo = '';
    let tag = '';
    if (reference) {
      let ref;
      try {
        ref = parseNormalizedNamed(reference);
      } catch (err) {
        throw new StatusError(1, (err as Error).message);
      }
      if (ref.digest !== undefined) throw new StatusError(1, 'refusing to create a tag with a digest reference');
      repo = familiarName(ref.name);
      tag = ref.tag ?? 'latest';
    }
    const res = await ctx.client.json<{ Id: string }>('POST', '/commit', {
      query: {
        container, repo, tag, comment: flags.string('message'), author: flags.string('author'),
        changes: flags.list('change').length ? flags.list('change') : undefined, pause: flags.bool('pause') ? undefined : '0',
      },
    });
    ctx.stdout.write(`${res.Id}\n`);
  },
};
