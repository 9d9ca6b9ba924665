// `berth image load` (load): sends the archive and renders the daemon's progress messages.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { openInput, platformQuery, showJsonMessages } from '../shared.ts';

export const loadCommand: CommandSpec = {
  name: 'load',
  usage: '[OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  flags: [
    { name: 'input', short: 'i', type: 'string', usage: 'Read from tar archive file, instead of STDIN' },
    { name: 'platform', type: 'string', usage: 'Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Suppress the load output' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const inputPath = flags.string('input');
    let input: NodeJS.ReadableStream = ctx.stdin;
    if (inputPath) {
      // Opened first so that a missing file fails with the system's message before any request.
      input = await openInput(inputPath);
    } else if (ctx.stdin.isTTY) {
      throw new StatusError(1, 'requested load from stdin, but stdin is empty');
    }
    const isTerminal = Boolean(ctx.stdout.isTTY);
    const quiet = flags.bool('quiet') || !isTerminal;
    const res = await ctx.client.call('POST', '/images/load', {
      query: { quiet: quiet ? '1' : '0', platform: platformQuery(flags.string('platform')) },
      body: input,
      headers: { 'Content-Type': 'application/x-tar' },
    });
    if (!String(res.headers['content-type'] ?? '').includes('json')) {
      for await (const chunk of res.body) ctx.stdout.write(chunk);
      return;
    }
    await showJsonMessages(ctx, res.body, isTerminal);
  },
};
