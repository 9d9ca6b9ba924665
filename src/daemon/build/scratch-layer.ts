// Temporary read-write layers of a build (COPY/ADD, WORKDIR, a RUN --mount from an image): made
// on an image's layer chain, mounted, written, their diff registered as a layer (the commit
// plumbing of `docker commit`: rwDiffSource + tarTree/tarChanges + registerLayer), then removed.
// Each is journalled under <data-root>/builder/rw/<id> before it is made, so a daemon killed
// mid-step leaves nothing: the next start removes every journalled layer (clearScratchLayers).
import { mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { naiveChanges, tarChanges, tarTree } from '../../archive/index.ts';
import type { LayerStore } from '../../layer/index.ts';
import type { ImageService } from '../../image/index.ts';
import type { StepLayer } from '../../builder/index.ts';
import { fsyncDir } from '../../common/index.ts';

export type ScratchLayers = Pick<LayerStore, 'createRW' | 'mountRW' | 'unmountRW' | 'removeRW' | 'rwDiffSource'>;

export interface ScratchDeps {
  layers: ScratchLayers;
  images: Pick<ImageService, 'registerLayer' | 'ingest' | 'recordLayerBlob' | 'layerBlob' | 'content'>;
  /** <data-root>/builder/rw: one empty file per live scratch layer. */
  journalDir: string;
}

/** A mounted temporary RW layer; `remove()` is idempotent. */
export interface ScratchLayer {
  readonly id: string;
  /** The merged root (overlay mount or vfs copy). */
  readonly root: string;
  remove(): Promise<void>;
}

/** Built layers are stored uncompressed, as the classic builder's are. */
const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';

const newScratchId = () => `build-${randomBytes(16).toString('hex')}`;

/** Makes and mounts a temporary RW layer on `parentChainId` (null: an empty root). */
export async function openScratchLayer(deps: ScratchDeps, parentChainId: string | null): Promise<ScratchLayer> {
  const id = newScratchId();
  await mkdir(deps.journalDir, { recursive: true, mode: 0o700 });
  const mark = join(deps.journalDir, id);
  const fh = await open(mark, 'wx', 0o600);
  await fh.sync();
  await fh.close();
  await fsyncDir(deps.journalDir);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await deps.layers.removeRW(id);
    await rm(mark, { force: true });
  };
  try {
    await deps.layers.createRW(id, parentChainId);
    const root = await deps.layers.mountRW(id);
    return { id, root, remove };
  } catch (err) {
    await remove().catch(() => {});
    throw err;
  }
}

/**
 * Registers what an RW layer (a scratch layer or a build container's) changed as a layer on
 * `parentChainId`; undefined when it changed nothing.
 */
export async function commitRwLayer(deps: Pick<ScratchDeps, 'layers' | 'images'>, rwId: string, parentChainId: string | null): Promise<StepLayer | undefined> {
  const src = await deps.layers.rwDiffSource(rwId);
  let tar: Readable;
  if (src.kind === 'overlay') {
    if ((await readdir(src.upper)).length === 0) return undefined;
    tar = tarTree(src.upper, '/', { name: '', overlayWhiteouts: true }).stream;
  } else {
    const changes = await naiveChanges(src.dir, src.parentDir);
    if (changes.length === 0) return undefined;
    tar = tarChanges(src.dir, changes);
  }
  // The tar is kept as the layer's blob too (as `docker commit` does), so save and push of a
  // built image need no re-export.
  const writer = await deps.images.ingest();
  async function* teed(): AsyncGenerator<Uint8Array> {
    for await (const chunk of tar) {
      await writer.write(chunk);
      yield chunk;
    }
  }
  let l;
  try {
    l = await deps.images.registerLayer(teed(), parentChainId);
  } catch (err) {
    await writer.abort().catch(() => {});
    throw err;
  }
  const known = await deps.images.layerBlob(l.diffId);
  if (known && (await deps.images.content.has(known.digest))) await writer.abort();
  else {
    const size = writer.written;
    const digest = await writer.commit(size, l.diffId);
    await deps.images.recordLayerBlob(l.diffId, { digest, mediaType: LAYER_MEDIA_TYPE, size });
  }
  return { diffId: l.diffId, chainId: l.chainId, size: l.size };
}

/** Daemon start: removes the scratch layers a killed daemon left (journalled ids). */
export async function clearScratchLayers(deps: Pick<ScratchDeps, 'layers' | 'journalDir'>, warn: (msg: string, f: Record<string, unknown>) => void): Promise<void> {
  let names: string[];
  try {
    names = await readdir(deps.journalDir);
  } catch {
    return;
  }
  for (const id of names) {
    try {
      if (/^build-[0-9a-f]{32}$/.test(id)) await deps.layers.removeRW(id);
      await rm(join(deps.journalDir, id), { force: true });
    } catch (err) {
      warn('removing a leftover build layer failed', { id, err: String(err) });
    }
  }
}
