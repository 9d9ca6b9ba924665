// `berth container export` (export): the container's filesystem as a tar, to stdout (never a
// terminal: docker's "cowardly refusing") or, atomically, to -o FILE.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { validateOutputPath, writeArchiveOutput } from '../shared.ts';

export const exportCommand: CommandSpec = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  flags: [{ name: 'output', short: 'o', type: 'string', usage: 'Write to a file, instead of STDOUT' }],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const output = flags.string('output');
    if (!output && ctx.stdout.isTTY) throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    if (output) await validateOutputPath(output, 'failed to export container');
    const res = await ctx.client.call('GET', `/containers/${encodeURIComponent(args[0])}/export`);
    await writeArchiveOutput(ctx, res.body, output);
  },
};
