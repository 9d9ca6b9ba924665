// Image configs by ID (<dataRoot>/image/imagedb/content/sha256/<hex>, the bytes as received),
// their local metadata (imagedb/metadata/sha256/<hex>/{parent,lastUpdated}) and the
// references (repositories.json); and Docker's GetImage lookup over all of them.
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isAtomicTempName,
  writeFileAtomic,
  invalidParameter,
  isErrno,
  isNotFound,
  notFound,
  formatRfc3339Nano,
  nowNs,
  parseRfc3339Nano,
} from '../common/index.ts';
import { chainIds, parseImageConfig, sha256Hex } from './image-config.ts';
import { ReferenceStore } from './reference-store.ts';
import { digestError, noSuchImageText, parseAnyReference } from './reference.ts';
import type { ImageLayerStore, LayerInfo, StoredImage } from './types.ts';

export class ImageStore {
  readonly refs: ReferenceStore;
  private readonly contentDir: string;
  private readonly metadataDir: string;
  private readonly layers: ImageLayerStore;
  private readonly images = new Map<string, StoredImage>();
  /** Problems met while restoring (unreadable configs, missing layers), for the daemon log. */
  readonly restoreWarnings: string[] = [];

  constructor(imageRoot: string, layers: ImageLayerStore) {
    this.contentDir = join(imageRoot, 'imagedb', 'content', 'sha256');
    this.metadataDir = join(imageRoot, 'imagedb', 'metadata', 'sha256');
    this.refs = new ReferenceStore(join(imageRoot, 'repositories.json'));
    this.layers = layers;
  }

  /** Loads every image whose config verifies and whose layers exist (as moby's restore does). */
  async init(): Promise<void> {
    await mkdir(this.contentDir, { recursive: true });
    await mkdir(this.metadataDir, { recursive: true });
    await this.refs.load();
    this.images.clear();
    for (const name of await readdir(this.contentDir)) {
      if (isAtomicTempName(name)) {
        await unlink(join(this.contentDir, name)).catch(() => {});
        continue;
      }
      if (!/^[a-f0-9]{64}$/.test(name)) continue;
      const id = `sha256:${name}`;
      try {
        const raw = new Uint8Array(await readFile(join(this.contentDir, name)));
        if (sha256Hex(raw) !== name) throw new Error(`failed to verify: ${id}`);
        const img = await this.build(id, raw);
        const top = img.chainIds.at(-1);
        if (top && !(await layerExists(this.layers, top))) {
          this.restoreWarnings.push(`layer ${top} does not exist, not restoring image ${id}`);
          continue;
        }
        this.images.set(id, img);
      } catch (err) {
        this.restoreWarnings.push(`invalid image ${id}: ${(err as Error).message}`);
      }
    }
  }

  private async build(id: string, raw: Uint8Array): Promise<StoredImage> {
    const config = parseImageConfig(raw);
    const meta = join(this.metadataDir, id.slice(7));
    const parent = (await readText(join(meta, 'parent')))?.trim() ?? '';
    const lastUpdated = (await readText(join(meta, 'lastUpdated')))?.trim() || undefined;
    const createdNs = typeof config.created === 'string' ? parseRfc3339Nano(config.created) : undefined;
    return {
      id,
      raw,
      config,
      chainIds: chainIds(config.rootfs.diff_ids),
      parent: /^sha256:[a-f0-9]{64}$/.test(parent) ? parent : '',
      ...(lastUpdated ? { lastUpdated } : {}),
      ...(createdNs !== undefined ? { createdNs } : {}),
    };
  }

  list(): StoredImage[] {
    return [...this.images.values()];
  }

  byId(id: string): StoredImage | undefined {
    return this.images.get(id);
  }

  /**
   * Stores a config as a new image (a no-op for one that exists). Every layer it names
   * must already be registered, as moby's image store insists.
   */
  async create(raw: Uint8Array): Promise<StoredImage> {
    const hex = sha256Hex(raw);
    const id = `sha256:${hex}`;
    const existing = this.images.get(id);
    if (existing) return existing;
    const config = parseImageConfig(raw);
    const top = chainIds(config.rootfs.diff_ids).at(-1);
    if (top && !(await layerExists(this.layers, top))) throw notFound(`failed to get layer ${top}: layer does not exist`);
    await writeFileAtomic(join(this.contentDir, hex), raw);
    const img = await this.build(id, raw);
    this.images.set(id, img);
    return img;
  }

  /** Removes the config and metadata of an image (its references and layers are the caller's). */
  async remove(id: string): Promise<void> {
    const hex = id.slice(7);
    await rm(join(this.metadataDir, hex), { recursive: true, force: true });
    await rm(join(this.contentDir, hex), { force: true });
    this.images.delete(id);
  }

  async setLastUpdated(id: string): Promise<void> {
    const img = this.images.get(id);
    if (!img) throw notFound(`No such image: ${id}`);
    const stamp = formatRfc3339Nano(nowNs());
    await writeFileAtomic(join(this.metadataDir, id.slice(7), 'lastUpdated'), stamp);
    img.lastUpdated = stamp;
  }

  async setParent(id: string, parent: string): Promise<void> {
    const img = this.images.get(id);
    if (!img) throw notFound(`No such image: ${id}`);
    if (!this.images.has(parent)) throw notFound(`No such image: ${parent}`);
    await writeFileAtomic(join(this.metadataDir, id.slice(7), 'parent'), parent);
    img.parent = parent;
  }

  children(id: string): StoredImage[] {
    return this.list().filter((img) => img.parent === id);
  }

  /** Images with no children (moby's Heads). */
  heads(): StoredImage[] {
    const parents = new Set(this.list().map((img) => img.parent).filter(Boolean));
    return this.list().filter((img) => !parents.has(img.id));
  }

  /**
   * moby's digestset lookup: a hex prefix of an image ID, optionally as `sha256:<prefix>`.
   * Undefined when nothing or more than one image matches.
   */
  search(term: string): StoredImage | undefined {
    let hex = term;
    if (term.includes(':')) {
      const err = digestError(term);
      if (err === 'invalid checksum digest format' || err === 'unsupported digest algorithm') return undefined;
      if (!term.startsWith('sha256:')) return undefined;
      hex = term.slice(7);
    }
    if (hex === '') return undefined;
    let found: StoredImage | undefined;
    for (const img of this.images.values()) {
      if (img.id.slice(7).startsWith(hex)) {
        if (found) return undefined; // ambiguous
        found = img;
      }
    }
    return found;
  }

  /**
   * moby's GetImage: a full ID or digest, then a reference (`name`, `name:tag`,
   * `name@digest`), then an ID prefix. Unknown → NotFound "No such image: <ref>".
   */
  get(refOrId: string): StoredImage {
    if (refOrId.trim() === '') throw invalidParameter('invalid reference format');
    const any = parseAnyReference(refOrId);
    if (any.kind === 'digest') {
      const img = this.images.get(any.digest);
      if (img) return img;
      throw notFound(noSuchImageText(refOrId));
    }
    const id = this.refs.get(any.ref);
    if (id !== undefined) {
      const img = this.images.get(id);
      if (img) return img;
    }
    const found = this.search(refOrId);
    if (found) return found;
    throw notFound(noSuchImageText(refOrId));
  }

  /** Size of each layer's own diff, bottom first (0 for a layer the store does not know). */
  async layerSizes(img: StoredImage): Promise<number[]> {
    const out: number[] = [];
    for (const chain of img.chainIds) out.push((await getLayer(this.layers, chain))?.size ?? 0);
    return out;
  }

  async size(img: StoredImage): Promise<number> {
    return (await this.layerSizes(img)).reduce((a, b) => a + b, 0);
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** The layer store's get, with "not found" as undefined whichever way the store says it. */
export async function getLayer(layers: ImageLayerStore, chainId: string): Promise<LayerInfo | undefined> {
  try {
    return (await layers.get(chainId)) ?? undefined;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function layerExists(layers: ImageLayerStore, chainId: string): Promise<boolean> {
  return (await getLayer(layers, chainId)) !== undefined;
}
