// `berth container prune`: asks first (unless -f), then prints what went and the space won back.
import type { CommandSpec } from '../../framework/types.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { confirm, hasFilters, parseFilterFlag } from './shared.ts';

export interface ContainerPruneResult {
  output: string;
  spaceReclaimed: number;
}

/** The prune call and its report text, shared with `system prune`. */
export async function pruneContainers(ctx: Parameters<NonNullable<CommandSpec['run']>>[0], filters: Record<string, Record<string, boolean>>): Promise<ContainerPruneResult> {
  const report = await ctx.client.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune', {
    query: { filters: hasFilters(filters) ? filters : undefined },
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
    { name: 'filter', type: 'list', usage: 'Provide filter values (e.g. "until=<timestamp>")', valueName: 'filter' },
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilterFlag(ctx, flags, { path: 'container prune', usage: '[OPTIONS]' }, '--filter');
    if (!flags.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) return 0;
    const { output, spaceReclaimed } = await pruneContainers(ctx, filters);
    if (output) ctx.stdout.write(output + '\n');
    ctx.stdout.write(`Total reclaimed space: ${humanSizePrecision(spaceReclaimed, 4)}\n`);
  },
};
