// `berth image import` (import): a filesystem tarball (file or stdin) becomes an image.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { displayJsonMessages, JsonMessageError } from '../../progress/index.ts';
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
    else {
      const fh = await open(source, 'r').catch((err: NodeJS.ErrnoException) => {
        throw new StatusError(1, `open ${source}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message}`);
      });
      body = createReadStream('', { fd: fh.fd });
    }
    const res = await ctx.client.call('POST', '/images/create', {
      query: {
        fromSrc, repo: reference || undefined, message: flags.string('message') || undefined,
        changes: flags.list('change').length ? flags.list('change') : undefined, platform: flags.string('platform') || undefined,
      },
      body,
      headers: body ? { 'Content-Type': 'application/x-tar' } : undefined,
    });
    try {
      await displayJsonMessages(res.body, ctx.stdout, { isTerminal: Boolean(ctx.stdout.isTTY), width: ctx.stdout.columns });
    } catch (err) {
      if (err instanceof JsonMessageError) throw new StatusError(1, err.message);
      throw err;
    }
  },
};
