// `RUN --mount=type=cache` directories (BuildKit's cache mounts): persistent per id under
// <data-root>/builder/cache-mounts, named by the id's digest (the id is the Dockerfile's, so it
// never becomes a path). `sharing=shared` (default) lets every build use one directory at once;
// `locked` runs one user at a time (a KeyedLock held for the whole RUN); `private` gives a
// user its own instance when another has the first one. uid/gid/mode apply when a directory is
// made. Each instance has a record (`<name>.json`: the id, created, last used) for
// `system df`'s Build Cache rows and `builder prune`.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyedLock, writeJsonAtomic } from '../../common/index.ts';

export interface CacheMountSpec {
  id: string;
  sharing?: 'shared' | 'private' | 'locked';
  uid?: number;
  gid?: number;
  mode?: number;
}

interface CacheRecord {
  id: string;
  created: string;
  lastUsed: string;
  usageCount: number;
}

export interface CacheMountUsage {
  /** The instance's name (its digest and instance number): the Build Cache row's ID. */
  name: string;
  id: string;
  size: number;
  created: string;
  lastUsed: string;
  usageCount: number;
  inUse: boolean;
}

/** Digest-named instances: `<64 hex>-<n>`. */
const INSTANCE_RE = /^[0-9a-f]{64}-\d+$/;

export class CacheMounts {
  private readonly dir: string;
  private readonly locks = new KeyedLock();
  private readonly users = new Map<string, number>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Start: removes half-made instances (`.tmp-*`). */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.tmp-')) await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** The directory for one RUN; `release` when the RUN is over. */
  async acquire(spec: CacheMountSpec): Promise<{ path: string; release: () => void }> {
    const digest = createHash('sha256').update(spec.id).digest('hex');
    const sharing = spec.sharing ?? 'shared';
    if (sharing === 'locked') {
      let releaseLock!: () => void;
      const held = new Promise<void>((r) => {
        releaseLock = r;
      });
      let entered!: () => void;
      const ready = new Promise<void>((r) => {
        entered = r;
      });
      void this.locks.run(digest, async () => {
        entered();
        await held;
      });
      await ready;
      const name = `${digest}-0`;
      try {
        const path = await this.instance(name, spec);
        return { path, release: this.use(name, releaseLock) };
      } catch (err) {
        releaseLock();
        throw err;
      }
    }
    let n = 0;
    if (sharing === 'private') while ((this.users.get(`${digest}-${n}`) ?? 0) > 0) n++;
    const name = `${digest}-${n}`;
    const release = this.use(name, () => {});
    try {
      return { path: await this.instance(name, spec), release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private use(name: string, after: () => void): () => void {
    this.users.set(name, (this.users.get(name) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.users.get(name) ?? 1) - 1;
      if (left > 0) this.users.set(name, left);
      else this.users.delete(name);
      after();
    };
  }

  /** The instance's directory, made (with the spec's owner and mode) when missing; its record updated. */
  private async instance(name: string, spec: CacheMountSpec): Promise<string> {
    const path = join(this.dir, name);
    const now = new Date().toISOString();
    const recFile = `${path}.json`;
    const rec = await readRecord(recFile);
    if (!(await stat(path).then((s) => s.isDirectory(), () => false))) {
      // Made under a temporary name, then renamed: a crash never leaves a half-owned directory.
      const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
      await mkdir(tmp, { mode: 0o700 });
      await chown(tmp, spec.uid ?? 0, spec.gid ?? 0);
      await chmod(tmp, spec.mode ?? 0o755);
      await rename(tmp, path);
    }
    await writeJsonAtomic(recFile, { id: spec.id, created: rec?.created ?? now, lastUsed: now, usageCount: (rec?.usageCount ?? 0) + 1 } satisfies CacheRecord);
    return path;
  }

  /** Every instance, for `system df`. */
  async usage(): Promise<CacheMountUsage[]> {
    const out: CacheMountUsage[] = [];
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return out;
    }
    for (const name of names.filter((n) => INSTANCE_RE.test(n))) {
      const rec = await readRecord(join(this.dir, `${name}.json`));
      out.push({
        name, id: rec?.id ?? '', size: await treeSize(join(this.dir, name)),
        created: rec?.created ?? '', lastUsed: rec?.lastUsed ?? '', usageCount: rec?.usageCount ?? 0,
        inUse: (this.users.get(name) ?? 0) > 0,
      });
    }
    return out;
  }

  /** Removes the instances `keep` does not keep (never one in use); what was removed. */
  async prune(remove: (u: CacheMountUsage) => boolean): Promise<CacheMountUsage[]> {
    const removed: CacheMountUsage[] = [];
    for (const u of await this.usage()) {
      if (u.inUse || !remove(u)) continue;
      // The record first: a crash then leaves an unrecorded directory, not a record of nothing.
      const tmp = join(this.dir, `.tmp-${randomBytes(8).toString('hex')}`);
      await rename(join(this.dir, u.name), tmp);
      await rm(join(this.dir, `${u.name}.json`), { force: true });
      await rm(tmp, { recursive: true, force: true });
      removed.push(u);
    }
    return removed;
  }
}

async function readRecord(file: string): Promise<CacheRecord | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CacheRecord;
  } catch {
    return undefined;
  }
}

/** Bytes under a directory (files' apparent sizes; links not followed). */
async function treeSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(p);
    else total += await lstat(p).then((s) => s.size, () => 0);
  }
  return total;
}
