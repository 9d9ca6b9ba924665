// `berth container prune`: asks first (unless -f), then prints what went and the space won back.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import type { Filters, PruneReport } from '../shared.ts';
import { filtersQuery, parseFilters, pruneFilterFlag, runPrune, withConfigPruneFilters } from '../shared.ts';

const FILTER = pruneFilterFlag();
const WARNING = 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?';

/** The prune call and its report text, shared with `system prune`. */
export async function pruneContainers(ctx: CommandContext, filters: Filters): Promise<Required<PruneReport>> {
  const report = await ctx.client.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune', {
    query: { filters: filtersQuery(withConfigPruneFilters(ctx, filters)) },
  });
  const deleted = report.ContainersDeleted ?? [];
  if (!deleted.length) return { output: '', spaceReclaimed: 0 };
  return { output: 'Deleted Containers:\n' + deleted.map((id) => id + '\n').join(''), spaceReclaimed: report.SpaceReclaimed ?? 0 };
}

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove all stopped containers',
  flags: [
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags, FILTER);
    return runPrune(ctx, flags.bool('force'), WARNING, () => pruneContainers(ctx, filters));
  },
};
