// `berth network ls`: the daemon's networks sorted by name in natural order, in docker's table
// (NETWORK ID, NAME, DRIVER, SCOPE), as JSON lines, or through a Go template.
import type { CommandSpec } from '../../framework/types.ts';
import { filterFlag, filtersQuery, formatFlag, goTimeString, naturalCompare, parseFilters, renderList, truncateId } from '../shared.ts';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const RAW_FORMAT = 'network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n';
const HEADERS: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6',
  Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

/** What GET /networks returns, as far as the list needs it. */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
}

/**
 * One row as docker/cli's networkContext shows it; keys in the order its JSON output has them
 * (Go sorts the field names). `Label "key"` is a method, kept out of the JSON.
 */
export function networkRow(n: NetworkSummary, trunc: boolean): object {
  const labels = n.Labels ?? null;
  const row = {
    CreatedAt: goTimeString(n.Created),
    Driver: n.Driver ?? '',
    ID: trunc ? truncateId(n.Id) : n.Id,
    IPv4: String(n.EnableIPv4 === true),
    IPv6: String(n.EnableIPv6 === true),
    Internal: String(n.Internal === true),
    Labels: labels ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : '',
    Name: n.Name,
    Scope: n.Scope ?? '',
  };
  Object.defineProperty(row, 'Label', { value: (key: string) => labels?.[key] ?? '', enumerable: false });
  return row;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  short: 'List networks',
  args: { max: 0 },
  flags: [
    filterFlag('Provide filter values (e.g. "driver=bridge")'),
    formatFlag(),
    { name: 'no-trunc', type: 'bool', usage: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display network IDs' },
  ],
  async run(ctx, flags) {
    const filters = parseFilters(flags);
    const networks = await ctx.client.json<NetworkSummary[]>('GET', '/networks', {
      query: { filters: filtersQuery(filters) },
    });
    const quiet = flags.bool('quiet');
    let format = flags.string('format');
    if (format === '') format = ctx.config.networksFormat && !quiet ? ctx.config.networksFormat : 'table';
    // docker/cli's network NewFormat: only 'table' and 'raw' have quiet forms.
    if (format === 'table') format = quiet ? '{{.ID}}' : DEFAULT_FORMAT;
    else if (format === 'raw') format = quiet ? 'network_id: {{.ID}}' : RAW_FORMAT;
    const sorted = [...(networks ?? [])].sort((a, b) => naturalCompare(a.Name, b.Name));
    const rows = sorted.map((n) => networkRow(n, !flags.bool('no-trunc')));
    ctx.stdout.write(renderList(rows, { format, defaultFormat: DEFAULT_FORMAT, headers: HEADERS, rowType: '*network.networkContext' }));
  },
};
