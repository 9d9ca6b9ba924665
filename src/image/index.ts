// The image box: references, content store, image store, load/save/import. It hands out
// records; the Engine API shapes are built in api/. Other boxes use only what this file exports.
import { join } from 'node:path';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { KeyedLock, notFound } from '../common/index.ts';
import { ContentStore, type ContentProvider, type ContentWriter } from '../content/index.ts';
import type { ImageContext } from './context.ts';
import { deleteImage, pruneImages, type DeleteOptions } from './image-delete.ts';
import { listImages, type ListOptions } from './image-list.ts';
import { ImageStore, getLayer } from './image-store.ts';
import { importImage, type ImportOptions } from './import.ts';
import { commitImage, planCommit, type CommitOptions } from './commit.ts';
import { LayerBlobIndex } from './layer-blobs.ts';
import { loadImages } from './load.ts';
import type { FiltersInput } from './filters.ts';
import { familiarName, familiarString, parseNormalizedNamed, repoTagReference } from './reference.ts';
import { prepareSave, writeSaveArchive } from './save.ts';
import type {
  ContainerUsage,
  DeleteRecord,
  ImageDetails,
  ImageHistory,
  ImageListEntry,
  PruneReport,
  ImageEventHook,
  ImageLayerStore,
  LayerBlob,
  ProgressFn,
  ResolvedImageConfig,
  StoredImage,
} from './types.ts';

export type {
  ContainerUsage,
  DeleteRecord,
  ImageDetails,
  ImageHistory,
  ImageListEntry,
  PruneReport,
  ImageEventHook,
  ImageLayerStore,
  LayerBlob,
  ProgressFn,
  ProgressMessage,
  ResolvedImageConfig,
  StoredImage,
} from './types.ts';
export type { ImageConfigFile, ImageRuntimeConfig, HistoryEntry } from './image-config.ts';
export type { FiltersInput } from './filters.ts';
export type { DeleteOptions } from './image-delete.ts';
export type { ListOptions } from './image-list.ts';
export type { ImportOptions } from './import.ts';
export type { CommitOptions } from './commit.ts';
export { createdSeconds } from './types.ts';
export { chainIds } from './image-config.ts';
export { familiarName, familiarString, parseNormalizedNamed, referenceString } from './reference.ts';
export type { NamedReference } from './reference.ts';

export interface ImageServiceOptions {
  dataRoot: string;
  layers: ImageLayerStore;
  onEvent?: ImageEventHook;
  /** Which container uses an image (a running one preferred); used by delete and prune. */
  isUsedByContainer?: ContainerUsage;
}

export interface ImageService {
  /** The blobs as received (layers, configs, manifests): read-only for other boxes. */
  readonly content: ContentProvider;
  /** Warnings from restoring the store at start (skipped images). */
  readonly restoreWarnings: readonly string[];
  get(ref: string): StoredImage;
  inspect(ref: string): Promise<ImageDetails>;
  list(opts?: ListOptions): Promise<ImageListEntry[]>;
  history(ref: string): Promise<ImageHistory>;
  /** `docker tag`: `target` is `repo[:tag]`; a separate `tag` (the API's ?tag=) wins. */
  tag(source: string, target: string, tag?: string): Promise<void>;
  /** Removes one reference (no image deletion); false when it did not exist. */
  untag(ref: string): Promise<boolean>;
  delete(ref: string, opts?: DeleteOptions, isUsedByContainer?: ContainerUsage): Promise<DeleteRecord[]>;
  prune(filters?: FiltersInput, isUsedByContainer?: ContainerUsage): Promise<PruneReport>;
  load(source: AsyncIterable<Uint8Array>, onProgress: ProgressFn, opts?: { quiet?: boolean }): Promise<string[]>;
  /** Resolves every name first (errors before any byte), then streams the archive. */
  save(refs: string[]): Promise<AsyncIterable<Uint8Array>>;
  import(source: AsyncIterable<Uint8Array>, opts: ImportOptions): Promise<string>;
  /**
   * `docker commit`: checks the changes and the reference now (bad input before any work), and
   * returns the step that registers the container's layer tar and stores the image.
   */
  prepareCommit(opts: CommitOptions): (layerTar: AsyncIterable<Uint8Array>) => Promise<{ id: string; ref: string }>;
  resolveImageConfig(ref: string): Promise<ResolvedImageConfig>;
  /** For image producers (distribution, builder, commit): store a config whose layers are registered. */
  createImage(config: Uint8Array, opts?: { parent?: string; tags?: string[] }): Promise<StoredImage>;
  /** Bytes of every layer the images use, each layer once (moby's LayerDiskUsage, /system/df LayersSize). */
  layersSize(): Promise<number>;
  /** Records the blob a layer diff was received as (pull), and the repository it came from. */
  recordLayerBlob(diffId: string, blob: LayerBlob): Promise<void>;
  /** The blob recorded for a layer diff (push sends it, mounting from its source repository). */
  layerBlob(diffId: string): Promise<LayerBlob | undefined>;
  /** The diff a blob was registered as, when known (pull: "Already exists" without a fetch). */
  diffIdOfBlob(blobDigest: string): Promise<string | undefined>;
  /** A writer into the content store (pull): nothing is visible before its verified commit. */
  ingest(): Promise<ContentWriter>;
  /** Whether a layer chain is registered. */
  hasLayer(chainId: string): Promise<boolean>;
  /** Registers a layer tar (compressed or not) on `parent`, checked against `diffId`; see LayerStore.register for `parentReady`. */
  registerLayer(tar: AsyncIterable<Uint8Array>, parent: string | null, diffId?: string, parentReady?: Promise<unknown>): Promise<{ chainId: string; diffId: string; size: number }>;
  /** Removes a layer a failed operation registered, unless an image uses it. */
  releaseLayer(chainId: string): Promise<void>;
  /** Points a pulled reference (name:tag or name@digest) at an image; false when it already did. */
  setPulledReference(ref: string, imageId: string): Promise<boolean>;
  /** The `pull` / `push` image event (Actor ID the reference, attribute name). */
  logDistributionEvent(action: 'pull' | 'push', ref: string): void;
  /** Adds `name@digest` for an image (pull, push). */
  addDigestReference(ref: string, imageId: string): Promise<void>;
  /** Image references in their familiar form, split in tags and digests. */
  references(imageId: string): { repoTags: string[]; repoDigests: string[] };
  /** Every tag of a repository (push without a tag): familiar `name:tag`, the tag and the image, sorted. */
  repositoryTags(name: string): { ref: string; tag: string; id: string }[];
}

const STORE_LOCK = 'images';

export async function createImageService(opts: ImageServiceOptions): Promise<ImageService> {
  const imageRoot = join(opts.dataRoot, 'image');
  const tmpRoot = join(opts.dataRoot, 'tmp');
  const content = new ContentStore(join(opts.dataRoot, 'content'));
  await content.init();
  await mkdir(tmpRoot, { recursive: true });
  // Scratch left by an interrupted load is garbage.
  await rmLoadScratch(tmpRoot);
  const store = new ImageStore(imageRoot, opts.layers);
  await store.init();
  const emit: ImageEventHook = (e) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // an event consumer never breaks an image operation
    }
  };
  const defaultUsage: ContainerUsage = opts.isUsedByContainer ?? (() => undefined);
  const ctx: ImageContext = { store, layers: opts.layers, content, blobs: new LayerBlobIndex(imageRoot), usage: defaultUsage, emit, tmpRoot };
  const locks = new KeyedLock();
  const lock = <T>(fn: () => Promise<T>) => locks.run(STORE_LOCK, fn);
  const withUsage = (usage?: ContainerUsage): ImageContext => (usage ? { ...ctx, usage } : ctx);

  const references = (id: string) => {
    const repoTags: string[] = [];
    const repoDigests: string[] = [];
    for (const r of store.refs.references(id)) {
      if (r.digest !== undefined) repoDigests.push(familiarString(r));
      if (r.tag !== undefined) repoTags.push(familiarString(r));
    }
    return { repoTags, repoDigests };
  };

  const service: ImageService = {
    content,
    restoreWarnings: store.restoreWarnings,
    get: (ref) => store.get(ref),

    async inspect(ref) {
      const img = store.get(ref);
      const top = img.chainIds.at(-1);
      const gd = top ? await opts.layers.graphDriverData(top) : undefined;
      return {
        image: img,
        ...references(img.id),
        size: await store.size(img),
        graphDriver: { Name: gd?.Name ?? opts.layers.driverName, Data: gd ? { ...gd.Data } : null },
      };
    },

    list: (o) => listImages(ctx, o),

    async history(ref) {
      const img = store.get(ref);
      const ancestors: { id: string; tags: string[] }[] = [];
      const seen = new Set([img.id]);
      for (let p = img.parent; p && !seen.has(p); ) {
        const parent = store.byId(p);
        if (!parent) break;
        seen.add(p);
        ancestors.push({ id: parent.id, tags: references(parent.id).repoTags });
        p = parent.parent;
      }
      return { image: img, layerSizes: await store.layerSizes(img), tags: references(img.id).repoTags, ancestors };
    },

    tag: (source, target, tag) =>
      lock(async () => {
        const ref = tag ? repoTagReference(target, tag) : repoTagReference(target);
        const img = store.get(source);
        await store.refs.addTag(ref, img.id, true);
        await store.setLastUpdated(img.id);
        emit({ Action: 'tag', id: img.id, name: familiarString(ref) });
      }),

    untag: (ref) =>
      lock(async () => {
        const parsed = parseNormalizedNamed(ref);
        const id = store.refs.get(parsed);
        const removed = await store.refs.delete(parsed);
        if (removed && id) emit({ Action: 'untag', id, name: id });
        return removed;
      }),

    delete: (ref, o = {}, usage) => lock(() => deleteImage(withUsage(usage), ref, o)),

    prune: (filters = {}, usage) => lock(() => pruneImages(withUsage(usage), filters)),

    load: (source, onProgress, o = {}) => loadImages(source, ctx, onProgress, { quiet: o.quiet ?? false, lock }),

    async save(refs) {
      const plan = await lock(() => prepareSave(refs, ctx));
      return writeSaveArchive(plan, ctx);
    },

    import: (source, o) => importImage(source, { ...o, lock }, ctx),

    prepareCommit(o) {
      const plan = planCommit(o);
      return (layerTar) => commitImage(layerTar, o, plan, ctx, lock);
    },

    async resolveImageConfig(ref) {
      const img = store.get(ref);
      return resolvedConfig(img);
    },

    createImage: (config, o = {}) =>
      lock(async () => {
        const img = await store.create(config);
        if (o.parent) await store.setParent(img.id, o.parent);
        for (const t of o.tags ?? []) {
          const ref = repoTagReference(t);
          await store.refs.addTag(ref, img.id, true);
          await store.setLastUpdated(img.id);
          emit({ Action: 'tag', id: img.id, name: familiarString(ref) });
        }
        return img;
      }),

    async layersSize() {
      const chains = new Set(store.list().flatMap((img) => img.chainIds));
      let total = 0;
      for (const chain of chains) total += (await opts.layers.get(chain))?.size ?? 0;
      return total;
    },

    recordLayerBlob: (diffId, blob) => ctx.blobs.set(diffId, blob),
    layerBlob: (diffId) => ctx.blobs.get(diffId),
    diffIdOfBlob: (digest) => ctx.blobs.diffIdOf(digest),
    ingest: () => content.ingest(),
    hasLayer: async (chainId) => (await getLayer(opts.layers, chainId)) !== undefined,
    async registerLayer(tar, parent, diffId, parentReady) {
      const l = await opts.layers.register(tar, parent, diffId, parentReady);
      return { chainId: l.chainId, diffId: l.diffId, size: l.size };
    },
    releaseLayer: (chainId) =>
      lock(async () => {
        if (store.list().some((img) => img.chainIds.includes(chainId))) return;
        await opts.layers.delete(chainId).catch(() => {});
      }),
    setPulledReference: (ref, imageId) =>
      lock(async () => {
        if (!store.byId(imageId)) throw notFound(`No such image: ${imageId}`);
        const parsed = parseNormalizedNamed(ref);
        if (store.refs.get(parsed) === imageId) return false;
        if (parsed.digest !== undefined) await store.refs.addDigest(parsed, imageId, true);
        else await store.refs.addTag(parsed, imageId, true);
        return true;
      }),
    logDistributionEvent(action, ref) {
      const parsed = parseNormalizedNamed(ref);
      emit({ Action: action, id: familiarString(parsed), name: familiarName(parsed) });
    },

    addDigestReference: (ref, imageId) =>
      lock(async () => {
        if (!store.byId(imageId)) throw notFound(`No such image: ${imageId}`);
        await store.refs.addDigest(parseNormalizedNamed(ref), imageId, true);
      }),

    references,

    repositoryTags(name) {
      return store.refs.referencesByName(parseNormalizedNamed(name))
        .filter((a) => a.ref.tag !== undefined && a.ref.digest === undefined)
        .map((a) => ({ ref: familiarString(a.ref), tag: a.ref.tag!, id: a.id }));
    },
  };
  return service;
}

async function rmLoadScratch(tmpRoot: string): Promise<void> {
  for (const name of await readdir(tmpRoot)) {
    if (name.startsWith('load-')) await rm(join(tmpRoot, name), { recursive: true, force: true });
  }
}

/** What a container manager takes from an image config, with Docker's defaults. */
function resolvedConfig(img: StoredImage): ResolvedImageConfig {
  const c = img.config.config ?? {};
  return {
    id: img.id,
    topChainId: img.chainIds.at(-1) ?? null,
    os: img.config.os || 'linux',
    architecture: img.config.architecture ?? '',
    Env: c.Env ? [...c.Env] : [],
    Cmd: c.Cmd && c.Cmd.length ? [...c.Cmd] : null,
    Entrypoint: c.Entrypoint && c.Entrypoint.length ? [...c.Entrypoint] : null,
    WorkingDir: c.WorkingDir ?? '',
    User: c.User ?? '',
    ExposedPorts: { ...(c.ExposedPorts ?? {}) },
    Volumes: { ...(c.Volumes ?? {}) },
    StopSignal: c.StopSignal ?? '',
    Healthcheck: c.Healthcheck ? { ...c.Healthcheck } : null,
    Labels: { ...(c.Labels ?? {}) },
    OnBuild: c.OnBuild ? [...c.OnBuild] : [],
    Shell: c.Shell && c.Shell.length ? [...c.Shell] : null,
  };
}
