// `docker import`: one tar (plain, gzip or zstd) becomes a single-layer image whose config
// comes from Dockerfile-like `changes`, as moby's ImportImage builds it.
import {
  decompressStream,
  detectCompression,
  invalidParameter,
  formatRfc3339Nano,
  nowNs,
} from '../common/index.ts';
import { applyChanges } from './changes.ts';
import type { ImageContext } from './context.ts';
import { MEDIA_TYPE } from './types.ts';
import { familiarString, repoTagReference, type NamedReference } from './reference.ts';

export interface ImportOptions {
  changes?: string[];
  /** The image comment; default `Imported from -` (stdin). */
  message?: string;
  /** `os[/arch[/variant]]`; only linux is accepted. */
  platform?: string;
  /** Optional tag for the new image (`repo` and `tag` as the API passes them). */
  repo?: string;
  tag?: string;
  /** Runs the commit phase under the service lock. */
  lock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Docker version recorded in the config. */
  dockerVersion?: string;
}

function parsePlatform(p: string | undefined): { os: string; architecture: string; variant?: string } {
  const host = { os: 'linux', architecture: 'amd64' };
  if (!p) return host;
  const [os, arch, variant] = p.toLowerCase().split('/');
  if (os !== 'linux') throw invalidParameter(`operating system is not supported: ${os}`);
  return { os, architecture: arch || host.architecture, ...(variant ? { variant } : {}) };
}

export async function importImage(source: AsyncIterable<Uint8Array>, opts: ImportOptions, ctx: ImageContext): Promise<string> {
  const platform = parsePlatform(opts.platform);
  const config = applyChanges({}, opts.changes ?? []);
  let ref: NamedReference | undefined;
  if (opts.repo) ref = repoTagReference(opts.repo, opts.tag);
  const message = opts.message || 'Imported from -';
  const lock = opts.lock ?? ((fn) => fn());

  // The blob is kept as received (no lock while the upload arrives), then registered from there.
  const blobDigest = await ctx.content.writeBlob(source);
  const dropBlob = async () => {
    if ((await ctx.blobs.diffIdOf(blobDigest)) === undefined) await ctx.content.delete(blobDigest);
  };
  return lock(async () => {
    let layer;
    try {
      layer = await ctx.layers.register(decompressStream(ctx.content.read(blobDigest)), null);
    } catch (err) {
      await dropBlob();
      throw err;
    }
    const mediaType = await blobMediaType(ctx, blobDigest);

    const created = formatRfc3339Nano(nowNs());
    const image = {
      ...(opts.dockerVersion ? { docker_version: opts.dockerVersion } : {}),
      comment: message,
      created,
      config,
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, comment: message }],
    };
    const raw = new TextEncoder().encode(JSON.stringify(image));
    let img;
    try {
      img = await ctx.store.create(raw);
    } catch (err) {
      if (!ctx.store.list().some((i) => i.chainIds.includes(layer.chainId))) await Promise.resolve(ctx.layers.delete(layer.chainId)).catch(() => {});
      await dropBlob();
      throw err;
    }
    const known = await ctx.blobs.get(layer.diffId);
    if (!known || !(await ctx.content.has(known.digest))) {
      await ctx.blobs.set(layer.diffId, { digest: blobDigest, mediaType, size: await ctx.content.size(blobDigest) });
    } else if (known.digest !== blobDigest) {
      await dropBlob();
    }
    if (ref) {
      await ctx.store.refs.addTag(ref, img.id, true);
      await ctx.store.setLastUpdated(img.id);
      ctx.emit({ Action: 'tag', id: img.id, name: familiarString(ref) });
    }
    ctx.emit({ Action: 'import', id: img.id, name: img.id });
    return img.id;
  });
}

async function blobMediaType(ctx: ImageContext, digest: string): Promise<string> {
  let head: Uint8Array = new Uint8Array(0);
  for await (const chunk of ctx.content.read(digest)) {
    head = chunk.subarray(0, 8);
    break;
  }
  const kind = detectCompression(head);
  return kind === 'gzip' ? MEDIA_TYPE.ociLayerGzip : kind === 'zstd' ? MEDIA_TYPE.ociLayerZstd : MEDIA_TYPE.ociLayer;
}
