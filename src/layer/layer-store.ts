// The layer store: read-only image layers keyed by chain ID, and read-write container layers
// keyed by container id, over one graph driver (overlay2 or vfs). Order of work everywhere:
// make the driver directory under a temp name, verify, rename it into place, then write the
// layerdb record, which is the commit point. reconcile() removes whatever a crash left between
// those steps. Metadata changes run one at a time; tar extraction runs outside that lock.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BerthError,
  conflict,
  invalidParameter,
  notFound,
  systemError,
  decompressStream,
  KeyedLock,
  OffThreadSha256,
  readTar,
} from '../common/index.ts';
import { applyLayer } from './apply-layer.ts';
import type { DiffSource, GraphDriver } from './graph-driver.ts';
import { TMP_SUFFIX } from './graph-driver.ts';
import { CACHE_ID_RE, DIGEST_RE, INIT_ID_RE, LayerDb, RW_ID_RE } from './layerdb.ts';
import type { LayerRecord, MountRecord } from './layerdb.ts';
import { setupInitLayer } from './init-layer.ts';
import { Overlay2Driver } from './overlay2-driver.ts';
import { VfsDriver } from './vfs-driver.ts';

export interface Layer {
  chainId: string;
  diffId: string;
  parent: string | null;
  cacheId: string;
  size: number;
}

export interface GraphDriverData {
  Name: string;
  Data: Record<string, string>;
}

export interface LayerStore {
  readonly driverName: 'overlay2' | 'vfs';
  /**
   * Applies a layer tar (plain, gzip or zstd: detected) on `parent`. Verifies expectedDiffId
   * (sha256 of the uncompressed tar) when given, before anything is committed. Idempotent: an
   * existing chain ID is returned after draining the input. A bad tar throws invalidParameter
   * errors with a clear message and leaves nothing behind. With `parentReady` (a pull, whose
   * parent is still being registered), the driver may apply the tar before the parent exists
   * (overlay2: a diff is independent of its parents); the commit waits for `parentReady`, and
   * its rejection fails this registration.
   */
  register(tar: AsyncIterable<Uint8Array>, parent: string | null, expectedDiffId?: string, parentReady?: Promise<unknown>): Promise<Layer>;
  get(chainId: string): Promise<Layer | undefined>;
  list(): Promise<Layer[]>;
  /** Removes one layer; conflict() if a child layer or a container layer sits on it. */
  delete(chainId: string): Promise<void>;
  graphDriverData(chainId: string): Promise<GraphDriverData>;
  /** Container read-write layers, keyed by container id. */
  createRW(id: string, parent: string | null): Promise<void>;
  /** The merged root filesystem path; idempotent. */
  mountRW(id: string): Promise<string>;
  /** Idempotent; detaches lazily when busy. */
  unmountRW(id: string): Promise<void>;
  /** Unmounts first; idempotent. */
  removeRW(id: string): Promise<void>;
  /** Bytes written in the container's layer. */
  rwSize(id: string): Promise<number>;
  /** {LowerDir, MergedDir, UpperDir, WorkDir} for overlay2, as docker inspect shows. */
  rwGraphDriverData(id: string): Promise<GraphDriverData>;
  /** Where the container's changes are, for diff and commit (no mount needed). */
  rwDiffSource(id: string): Promise<DiffSource>;
  /**
   * Start-up reconciliation: removes half-made layers (temp dirs, records without a complete
   * layer), and unmounts leftover RW mounts of containers not in `keepMounted`.
   */
  reconcile(keepMounted: Set<string>): Promise<void>;
}

/** Docker's limit on a layer chain (a deeper one would not mount on overlay2 anyway). */
const MAX_LAYER_DEPTH = 125;

export interface LayerStoreOptions {
  dataRoot: string;
  /** Default 'auto': the driver already in use in the data root, else overlay2 if it works, else vfs. */
  driver?: 'overlay2' | 'vfs' | 'auto';
}

export async function openLayerStore(opts: LayerStoreOptions): Promise<LayerStore> {
  await mkdir(opts.dataRoot, { recursive: true, mode: 0o711 });
  const dataRoot = await realpath(opts.dataRoot); // mountinfo shows resolved paths
  const overlayHome = join(dataRoot, 'overlay2');
  const vfsHome = join(dataRoot, 'vfs', 'dir');
  const prior = await priorDriver(overlayHome, vfsHome);
  const wanted = opts.driver ?? 'auto';
  if (wanted !== 'auto' && prior !== undefined && prior !== wanted) {
    throw systemError(`${dataRoot} holds layers of the ${prior} storage driver; use that driver or another data root`);
  }
  const choice = wanted === 'auto' ? prior ?? 'auto' : wanted;

  let driver: GraphDriver | undefined;
  if (choice === 'overlay2' || choice === 'auto') {
    if (/[,:\\\n]/.test(overlayHome)) {
      if (choice === 'overlay2') throw systemError(`overlay2 cannot use a data root whose path contains ',', ':' or '\\': ${dataRoot}`);
    } else {
      await mkdir(overlayHome, { recursive: true, mode: 0o710 });
      const probe = await Overlay2Driver.probe(overlayHome);
      if (probe.ok) driver = new Overlay2Driver(overlayHome, probe.indexOff);
      else if (choice === 'overlay2') throw systemError(`overlay2 is not supported on ${dataRoot}: ${probe.reason}`);
    }
  }
  if (driver === undefined) {
    await mkdir(vfsHome, { recursive: true, mode: 0o700 });
    driver = new VfsDriver(vfsHome);
  }
  const db = new LayerDb(join(dataRoot, 'image'));
  await db.init();
  return new Store(driver, db);
}

/** The driver whose layers the data root already holds, as dockerd picks its prior driver. */
async function priorDriver(overlayHome: string, vfsHome: string): Promise<'overlay2' | 'vfs' | undefined> {
  const names = async (d: string) => (await readdir(d).catch(() => [] as string[])).filter((n) => CACHE_ID_RE.test(n));
  if ((await names(overlayHome)).length > 0) return 'overlay2';
  if ((await names(vfsHome)).length > 0) return 'vfs';
  return undefined;
}

const randomCacheId = () => randomBytes(32).toString('hex');

function chainIdOf(parent: string | null, diffId: string): string {
  return parent === null ? diffId : `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`;
}

/**
 * Hashes every byte that passes through, for the diff ID (on a worker thread: see
 * OffThreadSha256); the store closes it, not the tar reader.
 */
class HashingSource implements AsyncIterable<Uint8Array> {
  #it: AsyncIterator<Uint8Array>;
  #hash = new OffThreadSha256();
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        if (this.#done) return { done: true, value: undefined };
        const r = await this.#it.next();
        if (r.done) this.#done = true;
        else this.#hash.update(r.value);
        return r;
      },
      return: async () => ({ done: true, value: undefined }),
    };
  }

  async drain(): Promise<void> {
    const it = this[Symbol.asyncIterator]();
    while (!(await it.next()).done);
  }

  digest(): Promise<string> {
    return this.#hash.digest();
  }

  async close(): Promise<void> {
    this.#hash.close();
    if (!this.#done) {
      this.#done = true;
      await this.#it.return?.();
    }
  }
}

class Store implements LayerStore {
  readonly driverName: 'overlay2' | 'vfs';
  #driver: GraphDriver;
  #db: LayerDb;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #perContainer = new KeyedLock();
  readonly #containerOps = new Set<Promise<void>>();
  #depths = new Map<string, number>();

  constructor(driver: GraphDriver, db: LayerDb) {
    this.#driver = driver;
    this.#db = db;
    this.driverName = driver.name;
  }

  /**
   * Runs a change of the image layers (register, delete, reconcile) alone: after the changes queued
   * before it, and after every container-layer change already started.
   */
  #locked<T>(fn: () => Promise<T>): Promise<T> {
    const started = [...this.#containerOps];
    const run = this.#queue.then(() => Promise.allSettled(started)).then(fn);
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Runs a change of one container's RW layer: one at a time per container, in parallel across
   * containers (ten creates at once, as compose sends them, no longer queue behind one another),
   * never beside an image-layer change (a parent layer cannot go while a RW layer is made on it).
   */
  #containerLocked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const imageChanges = this.#queue;
    const op = this.#perContainer.run(id, async () => {
      await imageChanges;
      return fn();
    });
    const tracked = op.then(() => {}, () => {});
    this.#containerOps.add(tracked);
    void tracked.then(() => this.#containerOps.delete(tracked));
    return op;
  }

  async get(chainId: string): Promise<Layer | undefined> {
    const rec = await this.#db.getLayer(chainId);
    if (!rec || !(await this.#driver.exists(rec.cacheId))) return undefined;
    return rec;
  }

  async list(): Promise<Layer[]> {
    const out: Layer[] = [];
    for (const id of await this.#db.listLayerIds()) {
      const l = await this.get(id);
      if (l) out.push(l);
    }
    return out;
  }

  async #mustGet(chainId: string): Promise<Layer> {
    const l = await this.get(chainId);
    if (!l) throw notFound(`layer does not exist: ${chainId}`);
    return l;
  }

  /** Chain length down to the base. A chain ID fixes its parent (it hashes it), so depths never change. */
  async #depth(layer: Layer): Promise<number> {
    const walked: string[] = [];
    let depth = 0;
    for (let id: string | null = layer.chainId; id !== null; ) {
      const known = this.#depths.get(id);
      if (known !== undefined) {
        depth = known;
        break;
      }
      walked.push(id);
      id = (await this.#db.getLayer(id))?.parent ?? null;
    }
    for (let i = walked.length - 1; i >= 0; i--) this.#depths.set(walked[i], ++depth);
    return this.#depths.get(layer.chainId)!;
  }

  async register(tar: AsyncIterable<Uint8Array>, parent: string | null, expectedDiffId?: string, parentReady?: Promise<unknown>): Promise<Layer> {
    if (expectedDiffId !== undefined && !DIGEST_RE.test(expectedDiffId)) {
      throw invalidParameter(`invalid diffID ${JSON.stringify(expectedDiffId)}`);
    }
    // overlay2 applies a diff into an empty directory: it can run before the parent exists.
    // vfs copies the parent first, so it waits.
    const early = parentReady !== undefined && this.#driver.name === 'overlay2';
    const parentChecked = async (): Promise<Layer | undefined> => {
      await parentReady;
      const parentLayer = parent === null ? undefined : await this.#mustGet(parent);
      if (parentLayer && (await this.#depth(parentLayer)) >= MAX_LAYER_DEPTH) throw invalidParameter('max depth exceeded');
      return parentLayer;
    };
    let parentLayer = early ? undefined : await parentChecked();
    const input = new HashingSource(decompressStream(tar));
    const verify = (diffId: string) => {
      if (expectedDiffId !== undefined && diffId !== expectedDiffId) {
        throw invalidParameter(`layer content does not match its diffID: expected ${expectedDiffId}, got ${diffId}`);
      }
    };
    try {
      if (expectedDiffId !== undefined) {
        const existing = await this.get(chainIdOf(parent, expectedDiffId));
        if (existing) {
          await input.drain();
          verify(await input.digest());
          if (early) await parentReady;
          return existing;
        }
      }
      const cacheId = randomCacheId();
      try {
        const root = await this.#driver.prepare(cacheId, parentLayer?.cacheId ?? null);
        const { size } = await applyLayer(readTar(input), root, { whiteouts: this.#driver.whiteouts });
        await input.drain();
        const diffId = await input.digest();
        verify(diffId);
        if (early) parentLayer = await parentChecked();
        const parentCache = parentLayer?.cacheId ?? null;
        const chainId = chainIdOf(parent, diffId);
        return await this.#locked(async () => {
          const existing = await this.get(chainId);
          if (existing) return existing;
          if (parent !== null && !(await this.get(parent))) throw notFound(`layer does not exist: ${parent}`);
          await this.#driver.commit(cacheId, parentCache);
          const layer: LayerRecord = { chainId, diffId, parent, cacheId, size };
          try {
            await this.#db.putLayer(layer);
          } catch (err) {
            await this.#driver.remove(cacheId).catch(() => {});
            throw err;
          }
          return layer;
        });
      } finally {
        await this.#driver.discard(cacheId).catch(() => {});
      }
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw systemError(`failed to register layer: ${(err as Error).message}`, err);
    } finally {
      await input.close();
    }
  }

  async delete(chainId: string): Promise<void> {
    await this.#locked(async () => {
      const layer = await this.#db.getLayer(chainId);
      if (!layer) throw notFound(`layer does not exist: ${chainId}`);
      for (const id of await this.#db.listLayerIds()) {
        const l = await this.#db.getLayer(id);
        if (l?.parent === chainId) throw conflict(`layer ${chainId} is in use by layer ${id}`);
      }
      for (const id of await this.#db.listMountIds()) {
        const m = await this.#db.getMount(id);
        if (m?.parent === chainId) throw conflict(`layer ${chainId} is in use by container ${id}`);
      }
      await this.#db.removeLayer(chainId); // the commit point: the rest is garbage reconcile would take
      await this.#driver.remove(layer.cacheId);
    });
  }

  async graphDriverData(chainId: string): Promise<GraphDriverData> {
    const layer = await this.#mustGet(chainId);
    return { Name: this.#driver.name, Data: await this.#driver.metadata(layer.cacheId) };
  }

  #checkId(id: string): void {
    if (!RW_ID_RE.test(id)) throw invalidParameter(`invalid container layer id ${JSON.stringify(id)}`);
  }

  async #mustGetMount(id: string) {
    this.#checkId(id);
    const m = await this.#db.getMount(id);
    if (!m || !(await this.#driver.exists(m.cacheId))) throw notFound(`no read-write layer for container ${id}`);
    return m;
  }

  async createRW(id: string, parent: string | null): Promise<void> {
    this.#checkId(id);
    await this.#containerLocked(id, async () => {
      if (await this.#db.getMount(id)) throw conflict(`read-write layer for container ${id} already exists`);
      const parentLayer = parent === null ? undefined : await this.#mustGet(parent);
      const cacheId = randomCacheId();
      // The init layer first (moby's <mount-id>-init), then the RW layer on it.
      const initId = `${cacheId}-init`;
      try {
        await this.#driver.createRW(initId, parentLayer?.cacheId ?? null);
        const root = await this.#driver.mount(initId);
        try {
          setupInitLayer(root);
        } finally {
          await this.#driver.unmount(initId);
        }
        await this.#driver.createRW(cacheId, initId);
        await this.#db.putMount({ id, cacheId, parent, initId });
      } catch (err) {
        await this.#driver.remove(cacheId).catch(() => {});
        await this.#driver.remove(initId).catch(() => {});
        throw err;
      }
    });
  }

  /** The cache id the RW layer sits on: its init layer, or (older layers) the image's top. */
  async #rwParentCache(m: MountRecord): Promise<string | null> {
    if (m.initId !== undefined) return m.initId;
    return m.parent === null ? null : ((await this.#db.getLayer(m.parent))?.cacheId ?? null);
  }

  async mountRW(id: string): Promise<string> {
    return this.#containerLocked(id, async () => this.#driver.mount((await this.#mustGetMount(id)).cacheId));
  }

  async unmountRW(id: string): Promise<void> {
    this.#checkId(id);
    await this.#containerLocked(id, async () => {
      const m = await this.#db.getMount(id);
      if (m) await this.#driver.unmount(m.cacheId);
    });
  }

  async removeRW(id: string): Promise<void> {
    this.#checkId(id);
    await this.#containerLocked(id, async () => {
      const m = await this.#db.getMount(id);
      if (!m) return;
      await this.#driver.unmount(m.cacheId);
      if (await this.#driver.isMounted(m.cacheId)) throw systemError(`cannot remove the layer of container ${id}: still mounted`);
      await this.#db.removeMount(id);
      await this.#driver.remove(m.cacheId);
      if (m.initId !== undefined) await this.#driver.remove(m.initId);
    });
  }

  async rwSize(id: string): Promise<number> {
    const m = await this.#mustGetMount(id);
    return this.#driver.diffSize(m.cacheId, await this.#rwParentCache(m));
  }

  async rwDiffSource(id: string): Promise<DiffSource> {
    const m = await this.#mustGetMount(id);
    return this.#driver.diffSource(m.cacheId, await this.#rwParentCache(m));
  }

  async rwGraphDriverData(id: string): Promise<GraphDriverData> {
    const m = await this.#mustGetMount(id);
    return { Name: this.#driver.name, Data: await this.#driver.metadata(m.cacheId) };
  }

  async reconcile(keepMounted: Set<string>): Promise<void> {
    await this.#locked(async () => {
      for (const p of await this.#db.leftovers()) await rm(p, { recursive: true, force: true });
      const referenced = new Set<string>();
      for (const id of await this.#db.listLayerIds()) {
        const l = await this.#db.getLayer(id);
        if (l && (await this.#driver.exists(l.cacheId))) referenced.add(l.cacheId);
        else await this.#db.removeLayer(id);
      }
      const rw = new Map<string, string>(); // container id -> cache id
      for (const id of await this.#db.listMountIds()) {
        const m = await this.#db.getMount(id);
        if (m && (await this.#driver.exists(m.cacheId))) {
          referenced.add(m.cacheId);
          if (m.initId !== undefined) referenced.add(m.initId);
          rw.set(id, m.cacheId);
        } else await this.#db.removeMount(id);
      }
      for (const name of await this.#driver.listDirs()) {
        if (referenced.has(name)) continue;
        // Temp dirs of interrupted registers, probes, layers whose record never got written.
        if (name.endsWith(TMP_SUFFIX) || name.startsWith('.') || CACHE_ID_RE.test(name) || INIT_ID_RE.test(name)) {
          await this.#driver.unmount(name).catch(() => {});
          await this.#driver.remove(name);
        }
      }
      await this.#driver.cleanup();
      for (const [id, cacheId] of rw) {
        if (!keepMounted.has(id)) await this.#driver.unmount(cacheId);
      }
    });
  }
}
