// `berth system prune`: stopped containers, unused networks, dangling (or all unused) images,
// and with --volumes anonymous volumes; one question first unless -f.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { DaemonError } from '../../framework/types.ts';
import type { Filters, PruneReport } from '../shared.ts';
import { confirm, filtersQuery, naturalCompare, parseFilters, pruneFilterFlag, reclaimedSpaceLine, withConfigPruneFilters } from '../shared.ts';
import { pruneContainers } from '../container/prune.ts';
import { pruneImages } from '../image/prune.ts';
import { pruneNetworks } from '../network/prune.ts';

const FILTER = pruneFilterFlag('label=<key>=<value>');

/** A prune endpoint the daemon may not have yet (volumes, build cache): 404 = nothing pruned. */
async function optionalPrune(ctx: CommandContext, path: string, filters: Filters, title: string, key: string, all?: boolean): Promise<PruneReport> {
  try {
    const report = await ctx.client.json<Record<string, unknown>>('POST', path, {
      query: { filters: filtersQuery(withConfigPruneFilters(ctx, filters)), all: all ? '1' : undefined },
    });
    const deleted = (report[key] as string[] | null) ?? [];
    const output = deleted.length ? `${title}\n` + deleted.map((d) => d + '\n').join('') : '';
    return { output, spaceReclaimed: Number(report.SpaceReclaimed ?? 0) };
  } catch (err) {
    if (err instanceof DaemonError && (err.status === 404 || err.status === 501)) return { output: '', spaceReclaimed: 0 };
    throw err;
  }
}

/** The filters docker's question lists: the label, label! and until ones (config.json's too), in natural order. */
export function shownFilters(f: Filters): string[] {
  return ['label', 'label!', 'until'].flatMap((k) => Object.keys(f[k] ?? {}).map((v) => `${k}=${v}`)).sort(naturalCompare);
}

/** docker's question for system prune: what goes, and the filters if any. */
export function pruneWarning(all: boolean, volumes: boolean, filters: string[]): string {
  const warnings = ['all stopped containers', 'all networks not used by at least one container'];
  if (volumes) warnings.push('all anonymous volumes not used by at least one container');
  warnings.push(all ? 'all images without at least one container associated to them' : 'all dangling images');
  warnings.push(all ? 'all build cache' : 'unused build cache');
  let text = 'WARNING! This will remove:\n' + warnings.map((w) => `  - ${w}\n`).join('');
  if (filters.length) text += '\n  Items to be pruned will be filtered with:\n' + filters.map((f) => `  - ${f}\n`).join('');
  return text + '\nAre you sure you want to continue?';
}

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove unused data',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Remove all unused images not just dangling ones' },
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
    { name: 'volumes', type: 'bool', usage: 'Prune anonymous volumes' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags, FILTER);
    const all = flags.bool('all');
    const volumes = flags.bool('volumes');
    if (!flags.bool('force') && !(await confirm(ctx, pruneWarning(all, volumes, shownFilters(withConfigPruneFilters(ctx, filters)))))) return 0;
    const results: PruneReport[] = [await pruneContainers(ctx, filters), await pruneNetworks(ctx, filters)];
    if (volumes) results.push(await optionalPrune(ctx, '/volumes/prune', filters, 'Deleted Volumes:', 'VolumesDeleted'));
    results.push(await pruneImages(ctx, filters, all));
    results.push(await optionalPrune(ctx, '/build/prune', filters, 'Deleted build cache objects:', 'CachesDeleted', all));
    let space = 0;
    for (const r of results) {
      if (r.output) ctx.stdout.write(r.output + '\n');
      space += r.spaceReclaimed ?? 0;
    }
    ctx.stdout.write(reclaimedSpaceLine(space));
  },
};
