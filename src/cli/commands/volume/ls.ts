// `berth volume ls`: the daemon's volumes sorted by name in natural order, in docker's table
// (DRIVER, VOLUME NAME), as JSON lines, or through a Go template (docker/cli formatter/volume.go).
import type { CommandSpec } from '../../framework/types.ts';
import { humanSize } from '../../format/index.ts';
import { filterFlag, filtersQuery, formatFlag, naturalCompare, parseFilters, renderList } from '../shared.ts';

const DEFAULT_FORMAT = 'table {{.Driver}}\t{{.Name}}';
const RAW_FORMAT = 'name: {{.Name}}\ndriver: {{.Driver}}\n';
const HEADERS: Record<string, string> = {
  ID: 'ID', Name: 'VOLUME NAME', Group: 'GROUP', Driver: 'DRIVER', Scope: 'SCOPE', Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Status: 'STATUS',
};

/** What GET /volumes returns per volume, as far as the list needs it. */
interface VolumeSummary {
  Name: string;
  Driver?: string;
  Scope?: string;
  Mountpoint?: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

/**
 * One row as docker/cli's volumeContext shows it; keys in the order its JSON output has them (Go
 * sorts the method names). `Label "key"` is a method, kept out of the JSON. No cluster volumes
 * here, so Group, Availability and Status are "N/A".
 */
function volumeRow(v: VolumeSummary): object {
  const labels = v.Labels ?? null;
  const row = {
    Availability: 'N/A',
    Driver: v.Driver ?? '',
    Group: 'N/A',
    // Go ranges over a map in random order; sorted reads the same every time.
    Labels: labels ? Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, val]) => `${k}=${val}`).join(',') : '',
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Mountpoint: v.Mountpoint ?? '',
    Name: v.Name,
    Scope: v.Scope ?? '',
    Size: v.UsageData ? humanSize(v.UsageData.Size) : 'N/A',
    Status: 'N/A',
  };
  Object.defineProperty(row, 'Label', { value: (key: string) => labels?.[key] ?? '', enumerable: false });
  return row;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  short: 'List volumes',
  args: { max: 0 },
  flags: [
    { name: 'cluster', type: 'bool', usage: 'Display only cluster volumes, and use cluster volume list formatting', hidden: true },
    filterFlag('Provide filter values (e.g. "dangling=true")'),
    formatFlag(),
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display volume names' },
  ],
  async run(ctx, flags) {
    const filters = parseFilters(flags);
    const res = await ctx.client.json<{ Volumes?: VolumeSummary[] | null }>('GET', '/volumes', { query: { filters: filtersQuery(filters) } });
    const quiet = flags.bool('quiet');
    let vols = [...(res.Volumes ?? [])];
    let format = flags.string('format');
    if (flags.bool('cluster')) {
      vols = []; // berth has no cluster volumes
      format = quiet ? 'table' : 'table {{.Name}}\t{{.Group}}\t{{.Driver}}\t{{.Availability}}\t{{.Status}}';
    } else if (format === '') {
      format = ctx.config.volumesFormat && !quiet ? ctx.config.volumesFormat : 'table';
    }
    // docker/cli's NewVolumeFormat: only 'table' and 'raw' have quiet forms.
    if (format === 'table') format = quiet ? '{{.Name}}' : DEFAULT_FORMAT;
    else if (format === 'raw') format = quiet ? 'name: {{.Name}}' : RAW_FORMAT;
    vols.sort((a, b) => naturalCompare(a.Name, b.Name));
    ctx.stdout.write(renderList(vols.map(volumeRow), { format, defaultFormat: DEFAULT_FORMAT, headers: HEADERS, rowType: '*formatter.volumeContext' }));
  },
};
