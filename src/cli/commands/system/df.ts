// `berth system df`: disk usage by type (TYPE TOTAL ACTIVE SIZE RECLAIMABLE), or per object with -v.
import type { CommandSpec } from '../../framework/types.ts';
import { timeAgo } from '../../format/index.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { formatFlag, goTimeString, renderList, truncateId } from '../shared.ts';
import { CONTAINER_HEADERS, containerRow } from '../container/ls.ts';
import type { ContainerSummary } from '../container/ls.ts';
import { IMAGE_HEADERS, imageRows } from '../image/ls.ts';
import type { ImageSummary } from '../image/ls.ts';
import { volumeRow } from '../volume/ls.ts';

const DF_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const DF_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const V_IMAGES = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const V_CONTAINERS = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const V_VOLUMES = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const V_CACHE = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';

interface Volume { Name: string; Driver?: string; Scope?: string; Mountpoint?: string; Labels?: Record<string, string> | null; UsageData?: { Size: number; RefCount: number } | null }
interface BuildCache {
  ID: string; Parent?: string; Type?: string; Description?: string; Size: number; InUse?: boolean; Shared?: boolean;
  CreatedAt?: string; LastUsedAt?: string | null; UsageCount?: number;
}

/** docker's buildCacheSort: by last use, never-used first, else in the daemon's order. */
function sortBuildCache(cache: readonly BuildCache[]): BuildCache[] {
  const t = (b: BuildCache): number | undefined => (b.LastUsedAt ? Date.parse(b.LastUsedAt) : undefined);
  return cache.map((b, i) => ({ b, i })).sort((x, y) => {
    const a = t(x.b);
    const c = t(y.b);
    if (a === undefined && c === undefined) return x.i - y.i;
    if (a === undefined) return -1;
    if (c === undefined) return 1;
    return a === c ? x.i - y.i : a - c;
  }).map((e) => e.b);
}

/** One row of docker's build cache context: the ID ends with "*" when the record is in use. */
function cacheRow(b: BuildCache, trunc: boolean): Record<string, string> {
  return {
    CacheType: b.Type ?? '', CreatedAt: goTimeString(b.CreatedAt), CreatedSince: b.CreatedAt ? timeAgo(b.CreatedAt) : '', Description: b.Description ?? '',
    ID: (trunc ? truncateId(b.ID) : b.ID) + (b.InUse ? '*' : ''), InUse: String(Boolean(b.InUse)),
    LastUsedAt: b.LastUsedAt ? goTimeString(b.LastUsedAt) : '', LastUsedSince: b.LastUsedAt ? timeAgo(b.LastUsedAt) : '',
    Parent: trunc ? truncateId(b.Parent ?? '') : b.Parent ?? '', Shared: String(Boolean(b.Shared)), Size: humanSizePrecision(b.Size, 3), UsageCount: String(b.UsageCount ?? 0),
  };
}
interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: Volume[] | null;
  BuildCache?: BuildCache[] | null;
}

const hs = (n: number): string => humanSizePrecision(n, 4);
const pct = (reclaimable: number, total: number): string => (total > 0 ? `${hs(reclaimable)} (${Math.trunc((reclaimable * 100) / total)}%)` : hs(reclaimable));

/** The four summary rows of docker's DiskUsageContext. */
export function summaryRows(du: DiskUsage): object[] {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  const cache = du.BuildCache ?? [];
  const layers = du.LayersSize ?? 0;
  let used = 0;
  for (const i of images) {
    if ((i.Containers ?? 0) !== 0 && i.Size !== -1 && (i.SharedSize ?? 0) !== -1) used += i.Size - (i.SharedSize ?? 0);
  }
  const active = (state?: string): boolean => ['running', 'paused', 'restarting'].includes((state ?? '').toLowerCase());
  const cSize = containers.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const cReclaim = containers.filter((c) => !active(c.State)).reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const vSize = volumes.reduce((s, v) => s + ((v.UsageData?.Size ?? -1) !== -1 ? v.UsageData!.Size : 0), 0);
  const vReclaim = volumes.filter((v) => (v.UsageData?.RefCount ?? 0) === 0).reduce((s, v) => s + Math.max(0, v.UsageData?.Size ?? 0), 0);
  const bSize = cache.filter((b) => !b.Shared).reduce((s, b) => s + b.Size, 0);
  const bReclaim = cache.filter((b) => !b.InUse && !b.Shared).reduce((s, b) => s + b.Size, 0);
  const row = (Type: string, TotalCount: number, Active: number, Size: string, Reclaimable: string) =>
    ({ Active: String(Active), Reclaimable, Size, TotalCount: String(TotalCount), Type });
  return [
    row('Images', images.length, images.filter((i) => (i.Containers ?? 0) > 0).length, hs(layers), pct(layers - used, layers)),
    row('Containers', containers.length, containers.filter((c) => active(c.State)).length, hs(cSize), pct(cReclaim, cSize)),
    row('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, hs(vSize), pct(vReclaim, vSize)),
    row('Build Cache', cache.length, cache.filter((b) => b.InUse).length, hs(bSize), hs(bReclaim)),
  ];
}

function table(rows: object[], format: string, headers: Record<string, string>): string {
  return renderList(rows, { format, defaultFormat: format, headers }).replace(/\n$/, '');
}

function verbose(du: DiskUsage): string {
  const cache = du.BuildCache ?? [];
  // Only the first tag of each image, as docker's verbose table.
  const firstTagOnly = (du.Images ?? []).map((i) => ({ ...i, RepoTags: (i.RepoTags ?? []).slice(0, 1), RepoDigests: [] }));
  const images = table(imageRows(firstTagOnly, { trunc: true, digests: false }), V_IMAGES, IMAGE_HEADERS);
  // docker: "Don't display the virtual size" (SizeRootFs zeroed before the row is made).
  const containers = table((du.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, true)), V_CONTAINERS, CONTAINER_HEADERS);
  const volumes = table((du.Volumes ?? []).map((v) => volumeRow(v)), V_VOLUMES, { Name: 'VOLUME NAME', Links: 'LINKS', Size: 'SIZE' });
  const caches = table(sortBuildCache(cache).map((b) => cacheRow(b, true)), V_CACHE, { ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED' });
  const bsz = cache.filter((b) => !b.Shared).reduce((s, b) => s + b.Size, 0);
  return `Images space usage:\n\n${images}\n\nContainers space usage:\n\n${containers}\n\nLocal Volumes space usage:\n\n${volumes}\n\n` +
    `Build cache usage: ${hs(bsz)}\n\n${caches}\n`;
}

/** `df -v --format json`: one object of untruncated rows per kind, without a final newline (as docker). */
function verboseJson(du: DiskUsage): string {
  const images = (du.Images ?? []).map((i) => {
    const row = imageRows([{ ...i, RepoTags: (i.RepoTags ?? []).slice(0, 1), RepoDigests: [] }], { trunc: false, digests: false })[0] as Record<string, string>;
    return { ...row, Digest: '' };
  });
  const cache = du.BuildCache ?? [];
  const out = {
    Images: images,
    Containers: (du.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, false)),
    Volumes: (du.Volumes ?? []).map((v) => volumeRow(v)),
    BuildCache: sortBuildCache(cache).map((b) => cacheRow(b, false)),
  };
  return JSON.stringify(out).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export const dfCommand: CommandSpec = {
  name: 'df',
  usage: '[OPTIONS]',
  short: 'Show berth disk usage',
  flags: [
    formatFlag(),
    { name: 'verbose', short: 'v', type: 'bool', usage: 'Show detailed information on space usage' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const du = await ctx.client.json<DiskUsage>('GET', '/system/df');
    const format = flags.string('format') || 'table';
    if (flags.bool('verbose') && format === 'table') {
      ctx.stdout.write(verbose(du));
      return;
    }
    if (flags.bool('verbose') && format === 'json') {
      ctx.stdout.write(verboseJson(du));
      return;
    }
    // Docker's first summary row is its images context; a bad field fails there.
    ctx.stdout.write(renderList(summaryRows(du), { format, defaultFormat: DF_TABLE, headers: DF_HEADERS, rowType: '*formatter.diskUsageImagesContext' }));
  },
};
