// `berth image save` (save): the archive to stdout (never a terminal) or, atomically, to -o FILE.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { validateOutputPath, writeArchiveOutput } from '../shared.ts';

export const saveCommand: CommandSpec = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [
    { name: 'output', short: 'o', type: 'string', usage: 'Write to a file, instead of STDOUT' },
    { name: 'platform', type: 'string', usage: 'Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")' },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const output = flags.string('output');
    if (!output && ctx.stdout.isTTY) throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    if (output) await validateOutputPath(output, 'failed to save image');
    const res = await ctx.client.call('GET', '/images/get', { query: { names: args } });
    await writeArchiveOutput(ctx, res.body, output);
  },
};
