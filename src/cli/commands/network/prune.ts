// `berth network prune`: asks first (unless -f), then removes the networks no container uses
// and lists them under "Deleted Networks:" (networks take no space: no total line).
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import type { Filters, PruneReport } from '../shared.ts';
import { filtersQuery, parseFilters, pruneFilterFlag, runPrune, withConfigPruneFilters } from '../shared.ts';

const FILTER = pruneFilterFlag();
const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

/** POST /networks/prune and the report text (shared with `system prune`). */
export async function pruneNetworks(ctx: CommandContext, filters: Filters): Promise<PruneReport> {
  const report = await ctx.client.json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', {
    query: { filters: filtersQuery(withConfigPruneFilters(ctx, filters)) },
  });
  const deleted = report.NetworksDeleted ?? [];
  return { output: deleted.length ? 'Deleted Networks:\n' + deleted.map((id) => id + '\n').join('') : '' };
}

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: { max: 0 },
  flags: [
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = parseFilters(flags, FILTER);
    return runPrune(ctx, flags.bool('force'), WARNING, () => pruneNetworks(ctx, filters));
  },
};
