// `berth container diff` (diff): one `C|A|D PATH` line per change, in the daemon's order.
import type { CommandSpec } from '../../framework/types.ts';

interface FilesystemChange {
  Path: string;
  Kind: number;
}

export const diffCommand: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  args: { min: 1, max: 1 },
  async run(ctx, _flags, args) {
    const changes = await ctx.client.json<FilesystemChange[] | null>('GET', `/containers/${encodeURIComponent(args[0])}/changes`);
    // container.ChangeType's String(): anything else prints as an empty type, as docker does.
    const kind = (k: number) => ['C', 'A', 'D'][k] ?? '';
    ctx.stdout.write((changes ?? []).map((c) => `${kind(c.Kind)} ${c.Path}\n`).join(''));
  },
};
