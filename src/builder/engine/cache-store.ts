// The build cache's records, one JSON file each under <data-root>/builder/cache/, written
// atomically (temp file, fsync, rename): a kill -9 at any instant leaves every record whole
// or absent. A record maps a cache key (cache-key.ts) to the image a step made; the image
// itself lives in the image store, so a record whose image is gone is dropped when met.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRfc3339Nano, isAtomicTempName, nowNs, writeJsonAtomic } from '../../common/index.ts';

export interface CacheRecord {
  /** The cache key (64 hex digits). */
  id: string;
  /** The step's parent image ID, or '' for scratch. */
  parent: string;
  imageId: string;
  /** The step's history line (created_by): what `docker system df -v` shows. */
  description: string;
  /** Bytes of the layer the step made (0 for a metadata step). */
  size: number;
  createdAt: string;
  lastUsedAt: string;
  usageCount: number;
}

const KEY_RE = /^[0-9a-f]{64}$/;

function isRecord(v: unknown): v is CacheRecord {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' && KEY_RE.test(r.id) && typeof r.parent === 'string' && typeof r.imageId === 'string' &&
    typeof r.description === 'string' && typeof r.size === 'number' && typeof r.createdAt === 'string' &&
    typeof r.lastUsedAt === 'string' && typeof r.usageCount === 'number'
  );
}

export class CacheStore {
  private readonly dir: string;
  private readonly records = new Map<string, CacheRecord>();
  /** Record IDs by the image they made (df's Parents). */
  private readonly byImageId = new Map<string, Set<string>>();
  private loaded: Promise<void> | undefined;
  private readonly dirty = new Set<string>();

  constructor(builderRoot: string) {
    this.dir = join(builderRoot, 'cache');
  }

  /** Reads the records once; temp files of interrupted writes and unreadable records are removed. */
  load(): Promise<void> {
    this.loaded ??= this.readAll();
    return this.loaded;
  }

  private async readAll(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      const path = join(this.dir, name);
      if (isAtomicTempName(name)) {
        await rm(path, { force: true });
        continue;
      }
      if (!name.endsWith('.json')) continue;
      try {
        const rec: unknown = JSON.parse(await readFile(path, 'utf8'));
        if (isRecord(rec) && `${rec.id}.json` === name) {
          this.records.set(rec.id, rec);
          this.index(rec);
          continue;
        }
      } catch {
        // unreadable: dropped below
      }
      await rm(path, { force: true });
    }
  }

  get(id: string): CacheRecord | undefined {
    return this.records.get(id);
  }

  list(): CacheRecord[] {
    return [...this.records.values()];
  }

  /** The record that made an image (the newest when several did). */
  byImage(imageId: string): CacheRecord | undefined {
    let best: CacheRecord | undefined;
    for (const id of this.byImageId.get(imageId) ?? []) {
      const r = this.records.get(id);
      if (r && (!best || r.createdAt > best.createdAt)) best = r;
    }
    return best;
  }

  private index(rec: CacheRecord): void {
    let ids = this.byImageId.get(rec.imageId);
    if (!ids) this.byImageId.set(rec.imageId, (ids = new Set()));
    ids.add(rec.id);
  }

  private unindex(rec: CacheRecord | undefined): void {
    if (!rec) return;
    const ids = this.byImageId.get(rec.imageId);
    ids?.delete(rec.id);
    if (ids?.size === 0) this.byImageId.delete(rec.imageId);
  }

  async put(rec: Omit<CacheRecord, 'createdAt' | 'lastUsedAt' | 'usageCount'>): Promise<CacheRecord> {
    const now = formatRfc3339Nano(nowNs());
    const full: CacheRecord = { ...rec, createdAt: now, lastUsedAt: now, usageCount: 1 };
    await writeJsonAtomic(join(this.dir, `${rec.id}.json`), full);
    this.unindex(this.records.get(rec.id));
    this.records.set(rec.id, full);
    this.index(full);
    return full;
  }

  /** Counts a use: kept in memory, written by flush() (a hit costs no fsync; a lost count is harmless). */
  touch(id: string): void {
    const rec = this.records.get(id);
    if (!rec) return;
    this.records.set(id, { ...rec, lastUsedAt: formatRfc3339Nano(nowNs()), usageCount: rec.usageCount + 1 });
    this.dirty.add(id);
  }

  /** Writes the records whose use was counted since the last flush. */
  async flush(): Promise<void> {
    const ids = [...this.dirty];
    this.dirty.clear();
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec) await writeJsonAtomic(join(this.dir, `${id}.json`), rec);
    }
  }

  async delete(id: string): Promise<void> {
    this.dirty.delete(id);
    this.unindex(this.records.get(id));
    this.records.delete(id);
    await rm(join(this.dir, `${id}.json`), { force: true });
  }
}
