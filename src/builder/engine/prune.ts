// Build cache accounting: /system/df's BuildCache rows and /build/prune (BuildKit's filters
// `until`, `id`, `parent`, `type`, `description`, `inuse`, `shared`, `private`; `keep-storage`
// keeps the most recently used records within that many bytes; without `all` the records whose
// image the daemon still needs are kept).
import { invalidParameter, nowNs, parseGoDuration, parseRfc3339Nano, parseTimeArg } from '../../common/index.ts';
import type { CacheRecord, CacheStore } from './cache-store.ts';
import type { BuildCacheRecord, PruneOptions, PruneResult } from './types.ts';

// `unused-for` / `unusedfor` are BuildKit's older names of `until`.
const FILTERS = new Set(['until', 'unused-for', 'unusedfor', 'id', 'parent', 'type', 'description', 'inuse', 'shared', 'private']);

export function cacheRow(store: CacheStore, rec: CacheRecord, inUse: boolean): BuildCacheRecord {
  const parent = rec.parent ? store.byImage(rec.parent) : undefined;
  return {
    ID: rec.id,
    Parents: parent ? [parent.id] : null,
    Type: 'regular',
    Description: rec.description,
    InUse: inUse,
    Shared: false,
    Size: rec.size,
    CreatedAt: rec.createdAt,
    LastUsedAt: rec.lastUsedAt,
    UsageCount: rec.usageCount,
  };
}

function untilNs(values: string[]): bigint | undefined {
  let limit: bigint | undefined;
  for (const v of values) {
    const d = parseGoDuration(v);
    const t = d !== undefined ? nowNs() - d : parseTimeArg(v);
    if (t === undefined) throw invalidParameter(`invalid filter 'until=${v}'`);
    limit = limit === undefined || t < limit ? t : limit;
  }
  return limit;
}

function matches(row: BuildCacheRecord, filters: Record<string, string[]>, until: bigint | undefined): boolean {
  const any = (key: string, test: (v: string) => boolean) => !filters[key] || filters[key].length === 0 || filters[key].some(test);
  const bool = (v: string) => v === 'true' || v === '1';
  if (until !== undefined && (parseRfc3339Nano(row.LastUsedAt ?? row.CreatedAt) ?? 0n) >= until) return false;
  return (
    any('id', (v) => row.ID === v || row.ID.startsWith(v)) &&
    any('parent', (v) => (row.Parents ?? []).includes(v)) &&
    any('type', (v) => v === row.Type) &&
    any('description', (v) => row.Description.includes(v)) &&
    any('inuse', (v) => bool(v) === row.InUse) &&
    any('shared', (v) => bool(v) === row.Shared) &&
    any('private', (v) => bool(v) === !row.Shared)
  );
}

export async function pruneCache(
  store: CacheStore,
  opts: PruneOptions,
  inUse: (id: string) => boolean,
  imageExists: (imageId: string) => boolean,
): Promise<PruneResult> {
  for (const key of Object.keys(opts.filters)) if (!FILTERS.has(key)) throw invalidParameter(`invalid filter '${key}'`);
  await store.load();
  for (const rec of store.list()) if (!imageExists(rec.imageId) && !inUse(rec.id)) await store.delete(rec.id);
  const f = opts.filters;
  const until = untilNs([...(f.until ?? []), ...(f['unused-for'] ?? []), ...(f.unusedfor ?? [])]);
  const all = store.list();
  const candidates = all
    .filter((r) => !inUse(r.id))
    .filter((r) => opts.all || !opts.keepImage?.(r.imageId))
    .filter((r) => matches(cacheRow(store, r, false), opts.filters, until))
    .sort((a, b) => (a.lastUsedAt < b.lastUsedAt ? -1 : a.lastUsedAt > b.lastUsedAt ? 1 : 0));
  let total = all.reduce((n, r) => n + r.size, 0);
  const deleted: CacheRecord[] = [];
  for (const r of candidates) {
    if (opts.keepStorage !== undefined && opts.keepStorage > 0 && total <= opts.keepStorage) break;
    await store.delete(r.id);
    deleted.push(r);
    total -= r.size;
  }
  const still = new Set(store.list().map((r) => r.imageId));
  const imageIds = [...new Set(deleted.map((r) => r.imageId))].filter((id) => !still.has(id));
  return { deleted: deleted.map((r) => r.id), imageIds, spaceReclaimed: deleted.reduce((n, r) => n + r.size, 0) };
}
