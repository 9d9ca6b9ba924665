// `berth image prune`: dangling images, or with -a every image no container uses.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import type { Filters, PruneReport } from '../shared.ts';
import { filtersQuery, parseFilters, pruneFilterFlag, runPrune, withConfigPruneFilters } from '../shared.ts';

const FILTER = pruneFilterFlag();
const DANGLING_WARNING = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
const ALL_IMAGES_WARNING = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';

/** The prune call and its report, shared with `system prune`. */
export async function pruneImages(ctx: CommandContext, filters: Filters, all: boolean): Promise<Required<PruneReport>> {
  const f = withConfigPruneFilters(ctx, { ...filters, dangling: { [String(!all)]: true } });
  const report = await ctx.client.json<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed: number }>('POST', '/images/prune', {
    query: { filters: filtersQuery(f) },
  });
  const deleted = report.ImagesDeleted ?? [];
  if (!deleted.length) return { output: '', spaceReclaimed: 0 };
  const lines = deleted.map((d) => (d.Untagged ? `untagged: ${d.Untagged}\n` : `deleted: ${d.Deleted ?? ''}\n`));
  return { output: 'Deleted Images:\n' + lines.join(''), spaceReclaimed: report.SpaceReclaimed ?? 0 };
}

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove unused images',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Remove all unused images, not just dangling ones' },
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags, FILTER);
    const all = flags.bool('all');
    return runPrune(ctx, flags.bool('force'), all ? ALL_IMAGES_WARNING : DANGLING_WARNING, () => pruneImages(ctx, filters, all));
  },
};
