// `berth builder prune`: docker/cli 28.2's cli/command/builder/prune.go over POST /build/prune,
// with the API's newer size limits (reserved-space, max-used-space, min-free-space: buildx's
// flags, hidden as docker 28.2's help does not list them).
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { OptionError } from '../../opts/errors.ts';
import { ramInBytes } from '../../opts/mem-bytes.ts';
import type { Filters, PruneReport } from '../shared.ts';
import { filtersQuery, flagValueError, parseFilters, pruneFilterFlag, runPrune, withConfigPruneFilters } from '../shared.ts';

const FILTER = pruneFilterFlag('until=24h');
const NORMAL_WARNING = 'WARNING! This will remove all dangling build cache. Are you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all build cache. Are you sure you want to continue?';

/** The size flags: docker's opts.MemBytes, sent in bytes when given. */
const SIZE_FLAGS: Array<[flag: string, param: string]> = [
  ['keep-storage', 'keep-storage'], ['reserved-space', 'reserved-space'], ['max-used-space', 'max-used-space'], ['min-free-space', 'min-free-space'],
];

export interface BuildPruneOptions {
  all: boolean;
  filters: Filters;
  /** Query parameter -> bytes. */
  sizes?: Record<string, number>;
}

/** The query of POST /build/prune. */
function buildPruneQuery(ctx: CommandContext, o: BuildPruneOptions): Record<string, string | Filters | undefined> {
  const q: Record<string, string | Filters | undefined> = { all: o.all ? '1' : undefined, filters: filtersQuery(withConfigPruneFilters(ctx, o.filters)) };
  for (const [k, v] of Object.entries(o.sizes ?? {})) q[k] = String(v);
  return q;
}

/** The prune call and docker's "Deleted build cache objects:" report. */
async function pruneBuildCache(ctx: CommandContext, o: BuildPruneOptions): Promise<Required<PruneReport>> {
  const report = await ctx.client.json<{ CachesDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/build/prune', { query: buildPruneQuery(ctx, o) });
  const deleted = report.CachesDeleted ?? [];
  const output = deleted.length ? 'Deleted build cache objects:\n' + deleted.map((id) => id + '\n').join('') : '';
  return { output, spaceReclaimed: report.SpaceReclaimed ?? 0 };
}

function sizes(flags: Flags): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [flag, param] of SIZE_FLAGS) {
    if (!flags.changed(flag)) continue;
    const v = flags.string(flag);
    try {
      out[param] = ramInBytes(v);
    } catch (err) {
      if (err instanceof OptionError) throw flagValueError(`--${flag}`, v, err.message);
      throw err;
    }
  }
  return out;
}

export const builderPruneCommand: CommandSpec = {
  name: 'prune',
  usage: '',
  short: 'Remove build cache',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Remove all unused build cache, not just dangling ones' },
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
    { name: 'keep-storage', type: 'string', valueName: 'bytes', usage: 'Amount of disk space to keep for cache' },
    { name: 'reserved-space', type: 'string', valueName: 'bytes', usage: 'Amount of disk space always allowed to keep for cache', hidden: true },
    { name: 'max-used-space', type: 'string', valueName: 'bytes', usage: 'Maximum amount of disk space allowed to keep for cache', hidden: true },
    { name: 'min-free-space', type: 'string', valueName: 'bytes', usage: 'Target amount of free disk space after pruning', hidden: true },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags, FILTER);
    const all = flags.bool('all');
    const o: BuildPruneOptions = { all, filters, sizes: sizes(flags) };
    return runPrune(ctx, flags.bool('force'), all ? ALL_WARNING : NORMAL_WARNING, () => pruneBuildCache(ctx, o));
  },
};
