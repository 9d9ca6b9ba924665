// `docker load`: spool the archive, read what it holds, verify digests, register layers
// in order (diff IDs checked against the config), keep each layer blob as received,
// then write the config and the tags. A failed image leaves no layer no image uses.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { decompressStream, detectCompression, invalidParameter, shortId } from '../common/index.ts';
import { archiveTag, hashMember, readArchiveManifest, type ArchiveImage } from './archive-manifest.ts';
import type { ImageContext } from './context.ts';
import { MAX_CONFIG_BYTES, parseImageConfig } from './image-config.ts';
import { layerExists } from './image-store.ts';
import { parseNormalizedNamed } from './reference.ts';
import { memberPath, readMember, spoolArchive, type SpoolLimits, type SpooledArchive } from './spool.ts';
import { MEDIA_TYPE, type LayerBlob, type ProgressFn } from './types.ts';
import { sha256Digest } from '../content/index.ts';

export interface LoadOptions {
  /** No per-layer progress, only the "Loaded image" lines. */
  quiet?: boolean;
  /** Runs the commit phase (layer registration, image and tag writes) under the service lock. */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  limits?: SpoolLimits;
}

export async function loadImages(
  source: AsyncIterable<Uint8Array>,
  ctx: ImageContext,
  onProgress: ProgressFn,
  opts: LoadOptions = {},
): Promise<string[]> {
  const archive = await spoolArchive(source, ctx.tmpRoot, opts.limits);
  try {
    const images = await readArchiveManifest(archive);
    const lock = opts.lock ?? ((fn) => fn());
    return await lock(() => commitAll(archive, images, ctx, onProgress, opts.quiet ?? false));
  } finally {
    await archive.remove();
  }
}

interface PendingBlob {
  path: string;
  diffId: string;
  blob: LayerBlob;
}

async function commitAll(archive: SpooledArchive, images: ArchiveImage[], ctx: ImageContext, onProgress: ProgressFn, quiet: boolean): Promise<string[]> {
  const loaded: string[] = [];
  const registered: string[] = []; // chains this load created, bottom first per image
  const pending = new Map<string, PendingBlob>(); // by blob digest
  try {
    for (const item of images) {
      loaded.push(await commitOne(archive, item, ctx, onProgress, quiet, registered, pending));
    }
  } catch (err) {
    await rollback(ctx, registered);
    await keepBlobs(ctx, pending);
    throw err;
  }
  await keepBlobs(ctx, pending);
  return loaded;
}

async function commitOne(
  archive: SpooledArchive,
  item: ArchiveImage,
  ctx: ImageContext,
  onProgress: ProgressFn,
  quiet: boolean,
  registered: string[],
  pending: Map<string, PendingBlob>,
): Promise<string> {
  const raw = await readMember(archive, item.configFile, MAX_CONFIG_BYTES);
  if (!raw) throw invalidParameter(`invalid archive: missing image config ${item.configFile}`);
  const configDigest = sha256Digest(raw);
  if (item.configDigest && item.configDigest !== configDigest) {
    throw invalidParameter(`invalid archive: config ${item.configFile} has digest ${configDigest}, expected ${item.configDigest}`);
  }
  if (item.configSize !== undefined && item.configSize !== raw.byteLength) {
    throw invalidParameter(`invalid archive: config ${item.configFile} has size ${raw.byteLength}, expected ${item.configSize}`);
  }
  const config = parseImageConfig(raw);
  const diffIds = config.rootfs.diff_ids;
  if (item.layers.length !== diffIds.length) {
    throw invalidParameter(`invalid manifest, layers length mismatch: expected ${item.layers.length}, got ${diffIds.length}`);
  }
  const tags = item.repoTags.map(archiveTag);

  // Check every blob before registering anything for this image.
  const blobs: { path: string; digest: string; size: number; mediaType: string }[] = [];
  for (const layer of item.layers) {
    const path = memberPath(archive, layer.file);
    if (!path) throw invalidParameter(`invalid archive: missing layer ${layer.file}`);
    const { digest, size } = await hashMember(path);
    if (layer.digest && layer.digest !== digest) throw invalidParameter(`invalid archive: layer ${layer.file} has digest ${digest}, expected ${layer.digest}`);
    if (layer.size !== undefined && layer.size !== size) throw invalidParameter(`invalid archive: layer ${layer.file} has size ${size}, expected ${layer.size}`);
    blobs.push({ path, digest, size, mediaType: layer.mediaType ?? (await sniffMediaType(path)) });
  }

  let parent: string | null = null;
  let chain: string | null = null;
  for (let i = 0; i < diffIds.length; i++) {
    const expected = diffIds[i];
    const { path } = blobs[i];
    chain = chain === null ? expected : sha256Digest(`${chain} ${expected}`);
    if (!(await layerExists(ctx.layers, chain))) {
      const layer = await ctx.layers.register(progressReader(path, blobs[i].size, expected, onProgress, quiet), parent, expected);
      registered.push(layer.chainId);
      if (layer.diffId !== expected) {
        throw invalidParameter(`invalid diffID for layer ${i}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(layer.diffId)}`);
      }
      if (layer.chainId !== chain) throw invalidParameter(`layer store returned chain ${layer.chainId}, expected ${chain}`);
    }
    const b = blobs[i];
    if (!pending.has(b.digest)) pending.set(b.digest, { path: b.path, diffId: expected, blob: { digest: b.digest, mediaType: b.mediaType, size: b.size } });
    parent = chain;
  }

  const img = await ctx.store.create(raw);
  for (const tag of tags) {
    const ref = parseNormalizedNamed(tag);
    const prev = ctx.store.refs.get(ref);
    if (prev !== undefined && prev !== img.id) {
      onProgress({ stream: `The image ${tag} already exists, renaming the old one with ID ${prev} to empty string\n` });
    }
    await ctx.store.refs.addTag(ref, img.id, true);
    onProgress({ stream: `Loaded image: ${tag}\n` });
  }
  if (tags.length === 0) onProgress({ stream: `Loaded image ID: ${img.id}\n` });
  ctx.emit({ Action: 'load', id: img.id, name: img.id });
  return img.id;
}

/** Deletes the layers this load registered that no image uses, top first. */
async function rollback(ctx: ImageContext, registered: string[]): Promise<void> {
  const used = new Set<string>();
  for (const img of ctx.store.list()) for (const ch of img.chainIds) used.add(ch);
  for (const chain of [...registered].reverse()) {
    if (used.has(chain)) continue;
    await Promise.resolve(ctx.layers.delete(chain)).catch(() => {});
  }
}

/** Moves the blobs of layers some image now uses into the content store. */
async function keepBlobs(ctx: ImageContext, pending: Map<string, PendingBlob>): Promise<void> {
  const usedDiffs = new Set<string>();
  for (const img of ctx.store.list()) for (const d of img.config.rootfs.diff_ids) usedDiffs.add(d);
  for (const p of pending.values()) {
    if (!usedDiffs.has(p.diffId)) continue;
    const known = await ctx.blobs.get(p.diffId);
    if (known && (await ctx.content.has(known.digest))) continue;
    await ctx.content.adopt(p.path, p.blob.digest);
    await ctx.blobs.set(p.diffId, p.blob);
  }
}

async function sniffMediaType(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const head = new Uint8Array(8);
    const { bytesRead } = await fh.read(head, 0, 8, 0);
    const kind = detectCompression(head.subarray(0, bytesRead));
    if (kind === 'gzip') return MEDIA_TYPE.ociLayerGzip;
    if (kind === 'zstd') return MEDIA_TYPE.ociLayerZstd;
    if (kind === 'none') return MEDIA_TYPE.ociLayer;
    throw invalidParameter(`unsupported compression: ${kind} (only gzip and zstd layers are accepted)`);
  } finally {
    await fh.close();
  }
}

/** The uncompressed layer, with dockerd's "Loading layer" progress as the file is read. */
function progressReader(path: string, total: number, diffId: string, onProgress: ProgressFn, quiet: boolean): AsyncIterable<Uint8Array> {
  const id = shortId(diffId);
  async function* raw(): AsyncGenerator<Uint8Array> {
    let current = 0;
    let lastReport = -1;
    const report = () => {
      if (quiet) return;
      onProgress({ status: 'Loading layer', progressDetail: { current, total }, id });
      lastReport = current;
    };
    for await (const chunk of createReadStream(path, { highWaterMark: 512 * 1024 })) {
      current += (chunk as Buffer).length;
      if (current - lastReport >= 4 * 1024 * 1024 || current === total) report();
      yield chunk as Buffer;
    }
    if (lastReport !== current) report();
  }
  return decompressStream(raw());
}
