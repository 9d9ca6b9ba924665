// `berth volume prune`: asks first (unless -f), then removes the local volumes no container uses
// (only anonymous ones unless --all), lists them and the space won back, as docker/cli.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { filtersQuery, parseFilters, pruneFilterFlag, runPrune, withConfigPruneFilters } from '../shared.ts';

const FILTER = pruneFilterFlag('label=<label>');
const UNUSED_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove unused local volumes',
  args: { max: 0 },
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Remove all unused volumes, not just anonymous ones', minApi: '1.42' },
    FILTER,
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = withConfigPruneFilters(ctx, parseFilters(flags, FILTER));
    const all = flags.bool('all');
    if (all) {
      if (filters.all) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
      filters.all = { true: true };
    }
    return runPrune(ctx, flags.bool('force'), all ? ALL_WARNING : UNUSED_WARNING, async () => {
      const report = await ctx.client.json<{ VolumesDeleted?: string[] | null; SpaceReclaimed?: number }>('POST', '/volumes/prune', {
        query: { filters: filtersQuery(filters) },
      });
      const deleted = report.VolumesDeleted ?? [];
      return {
        output: deleted.length ? 'Deleted Volumes:\n' + deleted.map((n) => n + '\n').join('') : '',
        spaceReclaimed: deleted.length ? report.SpaceReclaimed ?? 0 : 0,
      };
    });
  },
};
