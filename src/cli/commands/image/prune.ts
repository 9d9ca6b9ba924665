// `berth image prune`: dangling images, or with -a every image no container uses.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { confirm, hasFilters, parseFilterFlag } from '../container/shared.ts';

export const DANGLING_WARNING = 'WARNING! This will remove all dangling images.';
export const ALL_IMAGES_WARNING = 'WARNING! This will remove all images without at least one container associated to them.';

/** The prune call and its report, shared with `system prune`. */
export async function pruneImages(ctx: CommandContext, filters: Record<string, Record<string, boolean>>, all: boolean): Promise<{ output: string; spaceReclaimed: number }> {
  const f = { ...filters, dangling: { [String(!all)]: true } };
  const report = await ctx.client.json<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed: number }>('POST', '/images/prune', {
    query: { filters: hasFilters(f) ? f : undefined },
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
    { name: 'filter', type: 'list', usage: 'Provide filter values (e.g. "until=<timestamp>")', valueName: 'filter' },
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilterFlag(ctx, flags, { path: 'image prune', usage: '[OPTIONS]' }, '--filter');
    const all = flags.bool('all');
    if (!flags.bool('force') && !(await confirm(ctx, all ? ALL_IMAGES_WARNING : DANGLING_WARNING))) return 0;
    const { output, spaceReclaimed } = await pruneImages(ctx, filters, all);
    if (output) ctx.stdout.write(output + '\n');
    ctx.stdout.write(`Total reclaimed space: ${humanSizePrecision(spaceReclaimed, 4)}\n`);
  },
};
