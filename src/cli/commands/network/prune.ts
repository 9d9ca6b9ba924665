// `berth network prune`: asks first (unless -f), then removes the networks no container uses
// and lists them under "Deleted Networks:". Prune filters from config.json are added as docker does.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { confirm, filtersQuery, parseFilters } from './shared.ts';

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

/** POST /networks/prune and the report text (shared with `system prune`). */
export async function pruneNetworks(ctx: CommandContext, filters: Record<string, Record<string, boolean>>): Promise<string> {
  const report = await ctx.client.json<{ NetworksDeleted?: string[] | null }>('POST', '/networks/prune', {
    query: { filters: filtersQuery(filters) },
  });
  const deleted = report.NetworksDeleted ?? [];
  return deleted.length ? 'Deleted Networks:\n' + deleted.map((id) => id + '\n').join('') : '';
}

/** docker/cli's command.PruneFilters: config.json's "pruneFilters" join the command line's. */
export function withConfigPruneFilters(ctx: CommandContext, filters: Record<string, Record<string, boolean>>): Record<string, Record<string, boolean>> {
  const extra = ctx.config.pruneFilters;
  if (!Array.isArray(extra)) return filters;
  const out = structuredClone(filters);
  for (const f of extra) {
    if (typeof f !== 'string') continue;
    const eq = f.indexOf('=');
    if (eq < 0) continue;
    const k = f.slice(0, eq);
    const v = f.slice(eq + 1);
    // A label filter on the command line wins over its opposite in config.json.
    if (k === 'label' && out['label!']?.[v]) continue;
    if (k === 'label!' && out.label?.[v]) continue;
    (out[k] ??= {})[v] = true;
  }
  return out;
}

export const pruneCommand: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  short: 'Remove all unused networks',
  args: { max: 0 },
  flags: [
    { name: 'filter', type: 'list', usage: 'Provide filter values (e.g. "until=<timestamp>")', valueName: 'filter' },
    { name: 'force', short: 'f', type: 'bool', usage: 'Do not prompt for confirmation' },
  ],
  async run(ctx, flags) {
    const filters = withConfigPruneFilters(ctx, parseFilters(ctx, flags.list('filter'), { verb: 'prune', usage: '[OPTIONS]' }, '--filter'));
    if (!flags.bool('force') && !(await confirm(ctx, WARNING))) return 0;
    const output = await pruneNetworks(ctx, filters);
    if (output) ctx.stdout.write(output + '\n');
  },
};
