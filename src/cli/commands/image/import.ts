// `berth image import` (import): a filesystem tarball (file or stdin) becomes an image.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { openInput, showJsonMessages } from '../shared.ts';
import { parseNormalizedNamed } from './reference.ts';

export const importCommand: CommandSpec = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  flags: [
    { name: 'change', short: 'c', type: 'list', usage: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', type: 'string', usage: 'Set commit message for imported image' },
    { name: 'platform', type: 'string', usage: 'Set platform if server is multi-platform capable' },
  ],
  args: { min: 1, max: 2 },
  async run(ctx, flags, args) {
    const [source, reference] = args;
    if (reference) {
      try {
        parseNormalizedNamed(reference);
      } catch (err) {
        throw new StatusError(1, (err as Error).message);
      }
    }
    let body: NodeJS.ReadableStream | undefined;
    let fromSrc = '-';
    if (source === '-') body = ctx.stdin;
    else if (/^https?:\/\//.test(source)) fromSrc = source;
    else body = await openInput(source);
    const res = await ctx.client.call('POST', '/images/create', {
      query: {
        fromSrc, repo: reference || undefined, message: flags.string('message') || undefined,
        changes: flags.list('change').length ? flags.list('change') : undefined, platform: flags.string('platform') || undefined,
      },
      body,
      headers: body ? { 'Content-Type': 'application/x-tar' } : undefined,
    });
    await showJsonMessages(ctx, res.body);
  },
};
