// Layer metadata as Docker keeps it: image/layerdb/sha256/<chainid>/{diff,parent,cache-id,size}
// and, per container, image/layerdb/mounts/<id>/{mount-id,parent}. Each record directory is
// written in a temp directory and renamed into place, and deleted by renaming it away first, so
// a record is either complete or absent after kill -9 (names starting with '.' are leftovers).
import { mkdir, open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fsyncDir, isErrno } from '../common/index.ts';

export interface LayerRecord {
  chainId: string;
  diffId: string;
  parent: string | null;
  cacheId: string;
  size: number;
}

export interface MountRecord {
  id: string;
  cacheId: string;
  parent: string | null;
  /** The init layer under it (moby's init-id): absent for layers made before berth had one. */
  initId?: string;
}

export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;
export const CACHE_ID_RE = /^[0-9a-f]{64}$/;
/** Container ids and names of RW layers: one path component, nothing clever. */
export const RW_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** An RW layer's init layer directory: `<cache-id>-init`, as Docker names it. */
export const INIT_ID_RE = /^[0-9a-f]{64}-init$/;

export class LayerDb {
  readonly layersDir: string;
  readonly mountsDir: string;

  constructor(imageRoot: string) {
    this.layersDir = join(imageRoot, 'layerdb', 'sha256');
    this.mountsDir = join(imageRoot, 'layerdb', 'mounts');
  }

  async init(): Promise<void> {
    await mkdir(this.layersDir, { recursive: true, mode: 0o700 });
    await mkdir(this.mountsDir, { recursive: true, mode: 0o700 });
  }

  layerDir(chainId: string): string {
    return join(this.layersDir, chainId.slice('sha256:'.length));
  }

  /** The record, or undefined if absent, incomplete or malformed (reconcile removes those). */
  async getLayer(chainId: string): Promise<LayerRecord | undefined> {
    if (!DIGEST_RE.test(chainId)) return undefined;
    const f = await readFiles(this.layerDir(chainId), ['diff', 'cache-id', 'size'], ['parent']);
    if (!f) return undefined;
    const parent = f.parent ?? null;
    if (!DIGEST_RE.test(f.diff) || !CACHE_ID_RE.test(f['cache-id']) || !/^\d+$/.test(f.size)) return undefined;
    if (parent !== null && !DIGEST_RE.test(parent)) return undefined;
    return { chainId, diffId: f.diff, parent, cacheId: f['cache-id'], size: Number(f.size) };
  }

  async putLayer(l: LayerRecord): Promise<void> {
    const files: Record<string, string> = { diff: l.diffId, 'cache-id': l.cacheId, size: String(l.size) };
    if (l.parent !== null) files.parent = l.parent;
    await writeRecord(this.layerDir(l.chainId), files);
  }

  async removeLayer(chainId: string): Promise<void> {
    await removeRecord(this.layerDir(chainId));
  }

  /** Chain IDs of the records on disk (complete or not; check with getLayer). */
  async listLayerIds(): Promise<string[]> {
    return (await readdir(this.layersDir)).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  async getMount(id: string): Promise<MountRecord | undefined> {
    if (!RW_ID_RE.test(id)) return undefined;
    const f = await readFiles(join(this.mountsDir, id), ['mount-id'], ['parent', 'init-id']);
    if (!f || !CACHE_ID_RE.test(f['mount-id'])) return undefined;
    const parent = f.parent ?? null;
    if (parent !== null && !DIGEST_RE.test(parent)) return undefined;
    const initId = f['init-id'];
    if (initId !== undefined && !INIT_ID_RE.test(initId)) return undefined;
    return { id, cacheId: f['mount-id'], parent, ...(initId !== undefined ? { initId } : {}) };
  }

  async putMount(m: MountRecord): Promise<void> {
    const files: Record<string, string> = { 'mount-id': m.cacheId };
    if (m.parent !== null) files.parent = m.parent;
    if (m.initId !== undefined) files['init-id'] = m.initId;
    await writeRecord(join(this.mountsDir, m.id), files);
  }

  async removeMount(id: string): Promise<void> {
    await removeRecord(join(this.mountsDir, id));
  }

  async listMountIds(): Promise<string[]> {
    return (await readdir(this.mountsDir)).filter((n) => RW_ID_RE.test(n));
  }

  /** Names in the record directories that are leftovers of interrupted writes or deletes. */
  async leftovers(): Promise<string[]> {
    const out: string[] = [];
    for (const dir of [this.layersDir, this.mountsDir]) {
      for (const n of await readdir(dir)) if (n.startsWith('.')) out.push(join(dir, n));
    }
    return out;
  }
}

async function readFiles(dir: string, required: string[], optional: string[]): Promise<Record<string, string> | undefined> {
  const out: Record<string, string> = {};
  for (const name of [...required, ...optional]) {
    try {
      out[name] = (await readFile(join(dir, name), 'utf8')).trim();
    } catch (err) {
      if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
      if (required.includes(name)) return undefined;
    }
  }
  return out;
}

async function writeRecord(dir: string, files: Record<string, string>): Promise<void> {
  const parent = join(dir, '..');
  const tmp = join(parent, `.tmp-${randomBytes(8).toString('hex')}`);
  await mkdir(tmp, { mode: 0o700 });
  try {
    await Promise.all(Object.entries(files).map(async ([name, content]) => {
      const fh = await open(join(tmp, name), 'w', 0o600);
      try {
        await fh.writeFile(content);
        await fh.sync();
      } finally {
        await fh.close();
      }
    }));
    await fsyncDir(tmp);
    await removeRecord(dir); // an incomplete leftover under the final name
    await rename(tmp, dir);
    await fsyncDir(parent);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

async function removeRecord(dir: string): Promise<void> {
  const parent = join(dir, '..');
  const gone = join(parent, `.del-${randomBytes(8).toString('hex')}`);
  try {
    await rename(dir, gone);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  await fsyncDir(parent);
  await rm(gone, { recursive: true, force: true });
}
