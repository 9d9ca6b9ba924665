// `berth container ls` (ps, list): docker's container table, templates, -q, -s, -n, -l, filters.
import type { CommandSpec } from '../../framework/types.ts';
import { timeAgo } from '../../format/index.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { familiarName, parseNormalizedNamed } from '../image/reference.ts';
import { ellipsis, filterFlag, filtersQuery, formatFlag, goQuote, goTimeString, joinHostPort, parseFilters, renderList, truncateId } from '../shared.ts';

const CONTAINER_TABLE_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** The Go type docker runs ps templates on, named in its "can't evaluate field" errors. */
const PS_ROW_TYPE = '*formatter.ContainerContext';

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS', Platform: 'PLATFORM',
};

export interface ApiPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

export interface ContainerSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  Ports?: ApiPort[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State?: string;
  Status?: string;
  Mounts?: Array<{ Type?: string; Name?: string; Source?: string }>;
  NetworkSettings?: { Networks?: Record<string, unknown> | null } | null;
}

/** docker/cli's DisplayablePorts: consecutive ports grouped into ranges, host mappings last. */
export function displayablePorts(ports: readonly ApiPort[]): string {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const sorted = [...ports].sort((a, b) => a.PrivatePort - b.PrivatePort || cmp(a.IP ?? '', b.IP ?? '') ||
    (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || cmp(a.Type, b.Type));
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number): string => {
    const slash = key.lastIndexOf('/');
    const ip = slash >= 0 ? key.slice(0, slash) : '';
    const type = slash >= 0 ? key.slice(slash + 1) : key;
    let group = first === last ? String(first) : `${first}-${last}`;
    if (ip) group = `${joinHostPort(ip, group)}->${group}`;
    return `${group}/${type}`;
  };
  for (const p of sorted) {
    let key = p.Type;
    if (p.IP) {
      if ((p.PublicPort ?? 0) !== p.PrivatePort) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
      continue;
    }
    if (p.PrivatePort === g.last + 1) {
      g.last = p.PrivatePort;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: p.PrivatePort, last: p.PrivatePort });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

/** docker/cli's ContainerContext.Image: truncated, an image id is short and a reference loses its digest. */
function imageColumn(c: ContainerSummary, trunc: boolean): string {
  const image = c.Image ?? '';
  if (!image) return '<no image>';
  if (!trunc) return image;
  const shortId = truncateId(c.ImageID ?? '');
  if (shortId && shortId === truncateId(image)) return shortId;
  try {
    const ref = parseNormalizedNamed(image);
    return familiarName(ref.name) + (ref.tag !== undefined ? `:${ref.tag}` : '');
  } catch {
    return image;
  }
}

function namesColumn(c: ContainerSummary, trunc: boolean): string {
  let names = (c.Names ?? []).map((n) => (n.startsWith('/') ? n.slice(1) : n));
  if (trunc) {
    const own = names.find((n) => !n.includes('/'));
    if (own !== undefined) names = [own];
  }
  return names.join(',');
}

function sizeColumn(c: ContainerSummary): string {
  const rw = humanSizePrecision(c.SizeRw ?? 0, 3);
  if ((c.SizeRootFs ?? 0) > 0) return `${rw} (virtual ${humanSizePrecision(c.SizeRootFs!, 3)})`;
  return rw;
}

function labelsColumn(labels: Record<string, string> | null | undefined): string {
  return Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join(',');
}

/** One row of `ps` with docker's fields (keys in the order of docker's `--format json`). */
export function containerRow(c: ContainerSummary, trunc: boolean, now?: number): object {
  const command = c.Command ?? '';
  const mounts = (c.Mounts ?? []).map((m) => {
    const name = m.Name || m.Source || '';
    return trunc ? ellipsis(name, 15) : name;
  });
  const row = {
    Command: goQuote(trunc ? ellipsis(command, 20) : command),
    CreatedAt: goTimeString(c.Created ?? 0),
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: imageColumn(c, trunc),
    Labels: labelsColumn(c.Labels),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length),
    Mounts: mounts.join(','),
    Names: namesColumn(c, trunc),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: timeAgo(c.Created ?? 0, now),
    Size: sizeColumn(c),
    State: c.State ?? '',
    Status: c.Status ?? '',
  };
  // {{.Label "key"}} is a method in docker's context; kept out of JSON output.
  Object.defineProperty(row, 'Label', { enumerable: false, value: (key: string) => (c.Labels ?? {})[key] ?? '' });
  return row;
}

/**
 * docker ps checks --format before asking the daemon anything: parsed as typed ("failed to parse
 * template: ...") and run once on an empty container ("failed to execute template: ...").
 */
function checkFormat(format: string): void {
  renderList([], { format, defaultFormat: format, headers: {}, rowType: PS_ROW_TYPE, preflightRow: containerRow({ Id: '' }, true) });
}

/**
 * Whether a template reads .Size (docker then asks the daemon for sizes). docker runs the raw
 * --format through its template engine for this, so the word `json` alone asks for no sizes,
 * while `{{json .}}` does.
 */
function templateUsesSize(format: string): boolean {
  return /\.Size\b/.test(format) || /\bjson\s+\.\s*}}/.test(format);
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  aliases: ['list', 'ps'],
  usage: '[OPTIONS]',
  short: 'List containers',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Show all containers (default shows just running)' },
    filterFlag(),
    formatFlag(),
    { name: 'last', short: 'n', type: 'int', usage: 'Show n last created containers (includes all states)', default: -1 },
    { name: 'latest', short: 'l', type: 'bool', usage: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display container IDs' },
    { name: 'size', short: 's', type: 'bool', usage: 'Display total file sizes' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags);
    const quiet = flags.bool('quiet');
    let limit = flags.int('last');
    if (flags.bool('latest') && limit === -1) limit = 1;
    let size = flags.bool('size');
    let userFormat = flags.string('format');
    if (quiet && userFormat) {
      ctx.stderr.write('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
      userFormat = '';
    }
    if (userFormat) {
      checkFormat(userFormat);
      if (!quiet && !size && !flags.changed('size') && templateUsesSize(userFormat)) size = true;
    }
    const list = await ctx.client.json<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: flags.bool('all') ? '1' : undefined, limit: limit > 0 ? limit : undefined, size: size ? '1' : undefined, filters: filtersQuery(filters) },
    });
    let format = userFormat;
    if (!format) format = ctx.config.psFormat && !quiet ? ctx.config.psFormat : 'table';
    let defaultFormat = CONTAINER_TABLE_FORMAT + (size ? '\t{{.Size}}' : '');
    if (format === 'table' && quiet) {
      format = '{{.ID}}';
      defaultFormat = format;
    }
    const trunc = !flags.bool('no-trunc');
    const rows = list.map((c) => containerRow(c, trunc));
    ctx.stdout.write(renderList(rows, { format, defaultFormat, headers: CONTAINER_HEADERS, rowType: PS_ROW_TYPE }));
  },
};
