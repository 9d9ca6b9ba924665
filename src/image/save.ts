// `docker save`: a docker-archive that is also an OCI image layout, as Docker 25+ writes:
// blobs/sha256/<hex> (configs, OCI manifests, layers as received), manifest.json,
// index.json, oci-layout and repositories. Names are resolved and every blob opened
// before the first byte, so a missing image is an error, not a truncated archive.
import { open, type FileHandle } from 'node:fs/promises';
import { invalidParameter, isNotFound, notFound, TarWriter } from '../common/index.ts';
import type { ImageContext } from './context.ts';
import { createdSeconds } from './types.ts';
import { sha256Digest } from '../content/index.ts';
import {
  familiarName,
  familiarString,
  isNameOnly,
  parseAnyReference,
  referenceString,
  tagNameOnly,
  type NamedReference,
} from './reference.ts';
import { MEDIA_TYPE, type LayerBlob, type StoredImage } from './types.ts';

interface SaveImage {
  img: StoredImage;
  tags: NamedReference[];
  layers: LayerBlob[];
}

export interface SavePlan {
  images: SaveImage[];
  /** Open handles on every layer blob, so a concurrent delete cannot cut the archive short. */
  handles: Map<string, FileHandle>;
  close(): Promise<void>;
}

/** moby's tarexporter parseNames: IDs, `name` (all its tags), `name:tag`; unknown → error. */
function resolveNames(ctx: ImageContext, names: string[]): Map<string, NamedReference[]> {
  const out = new Map<string, NamedReference[]>();
  const add = (id: string, ref?: NamedReference) => {
    const img = ctx.store.byId(id);
    if (!img) throw notFound(`No such image: ${id}`);
    const refs = out.get(id) ?? [];
    out.set(id, refs);
    if (!ref || ref.digest !== undefined) return;
    const tagged = tagNameOnly(ref);
    if (!refs.some((r) => referenceString(r) === referenceString(tagged))) refs.push(tagged);
  };
  for (const name of names) {
    const any = parseAnyReference(name);
    if (any.kind === 'digest') {
      add(any.digest);
      continue;
    }
    const ref = any.ref;
    if (familiarName(ref) === 'sha256') {
      const img = ctx.store.search(name);
      if (!img) throw notFound(`No such image: ${name}`);
      add(img.id);
      continue;
    }
    if (isNameOnly(ref)) {
      const assocs = ctx.store.refs.referencesByName(ref).filter((a) => ctx.store.byId(a.id));
      for (const a of assocs) add(a.id, a.ref);
      if (assocs.length === 0) {
        const img = ctx.store.search(name);
        if (!img) throw notFound(`No such image: ${name}`);
        add(img.id);
      }
      continue;
    }
    const id = ctx.store.refs.get(ref);
    if (id === undefined || !ctx.store.byId(id)) throw notFound('reference does not exist');
    add(id, ref);
  }
  return out;
}

/** Makes sure a layer's blob is in the content store (exporting the diff if the layer store can). */
async function layerBlob(ctx: ImageContext, img: StoredImage, index: number): Promise<LayerBlob> {
  const diffId = img.config.rootfs.diff_ids[index];
  const known = await ctx.blobs.get(diffId);
  if (known && (await ctx.content.has(known.digest))) return known;
  const chain = img.chainIds[index];
  if (!ctx.layers.diffTar) throw notFound(`no blob stored for layer ${diffId} of image ${img.id}`);
  const digest = await ctx.content.writeBlob(ctx.layers.diffTar(chain));
  if (digest !== diffId) {
    await ctx.content.delete(digest);
    throw invalidParameter(`exported layer ${chain} has digest ${digest}, expected diff ID ${diffId}`);
  }
  const blob = { digest, mediaType: MEDIA_TYPE.ociLayer, size: await ctx.content.size(digest) };
  await ctx.blobs.set(diffId, blob);
  return blob;
}

export async function prepareSave(names: string[], ctx: ImageContext): Promise<SavePlan> {
  if (names.length === 0) throw invalidParameter('no images specified');
  const resolved = resolveNames(ctx, names);
  const handles = new Map<string, FileHandle>();
  const close = async () => {
    for (const fh of handles.values()) await fh.close().catch(() => {});
    handles.clear();
  };
  try {
    const images: SaveImage[] = [];
    for (const [id, tags] of resolved) {
      const img = ctx.store.byId(id)!;
      const layers: LayerBlob[] = [];
      for (let i = 0; i < img.chainIds.length; i++) {
        const blob = await layerBlob(ctx, img, i);
        if (!handles.has(blob.digest)) {
          try {
            handles.set(blob.digest, await open(ctx.content.blobPath(blob.digest), 'r'));
          } catch (err) {
            throw isNotFound(err) ? err : notFound(`blob ${blob.digest} of image ${id} is missing`, err);
          }
        }
        layers.push(blob);
      }
      images.push({ img, tags, layers });
    }
    return { images, handles, close };
  } catch (err) {
    await close();
    throw err;
  }
}

const enc = (v: unknown) => Buffer.from(JSON.stringify(v));

/** Streams the archive for a prepared plan; closes the plan's handles when done. */
export async function* writeSaveArchive(plan: SavePlan, ctx: ImageContext): AsyncGenerator<Uint8Array> {
  const tar = new TarWriter();
  const files = new Map<string, { size: number; data: Uint8Array | (() => AsyncIterable<Uint8Array>) }>();
  const manifestJson: unknown[] = [];
  const indexManifests: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};

  for (const { img, tags, layers } of plan.images) {
    const configName = `blobs/sha256/${img.id.slice(7)}`;
    files.set(configName, { size: img.raw.byteLength, data: img.raw });
    for (const l of layers) {
      files.set(`blobs/sha256/${l.digest.slice(7)}`, {
        size: l.size,
        data: () => {
          // The stream takes over the handle (and closes it), so the plan forgets it.
          const fh = plan.handles.get(l.digest)!;
          plan.handles.delete(l.digest);
          return fh.createReadStream({ start: 0, highWaterMark: 1024 * 1024 });
        },
      });
    }
    const manifest = enc({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.ociManifest,
      config: { mediaType: MEDIA_TYPE.ociConfig, digest: img.id, size: img.raw.byteLength },
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    });
    const manifestDigest = sha256Digest(manifest);
    files.set(`blobs/sha256/${manifestDigest.slice(7)}`, { size: manifest.byteLength, data: manifest });
    const descriptor = {
      mediaType: MEDIA_TYPE.ociManifest,
      digest: manifestDigest,
      size: manifest.byteLength,
      platform: { architecture: img.config.architecture ?? 'amd64', os: img.config.os || 'linux', ...(img.config.variant ? { variant: img.config.variant } : {}) },
    };
    if (tags.length === 0) indexManifests.push(descriptor);
    for (const t of tags) {
      indexManifests.push({ ...descriptor, annotations: { 'io.containerd.image.name': referenceString(t), 'org.opencontainers.image.ref.name': t.tag! } });
      if (layers.length) (repositories[familiarName(t)] ??= {})[t.tag!] = layers[layers.length - 1].digest.slice(7);
    }
    manifestJson.push({
      Config: configName,
      RepoTags: tags.length ? tags.map(familiarString) : null,
      Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    });
  }

  const write = async () => {
    const mtime = Math.max(0, ...plan.images.map((i) => createdSeconds(i.img)));
    const hdr = (name: string) => ({ name, mode: 0o644, mtime });
    await tar.addDir({ name: 'blobs', mode: 0o755, mtime });
    await tar.addDir({ name: 'blobs/sha256', mode: 0o755, mtime });
    for (const name of [...files.keys()].sort()) {
      const f = files.get(name)!;
      await tar.addFile({ ...hdr(name), size: f.size }, f.data instanceof Uint8Array ? f.data : f.data());
    }
    const index = enc({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests: indexManifests });
    await tar.addFile({ ...hdr('index.json'), size: index.byteLength }, index);
    const mj = enc(manifestJson);
    await tar.addFile({ ...hdr('manifest.json'), size: mj.byteLength }, mj);
    const layout = enc({ imageLayoutVersion: '1.0.0' });
    await tar.addFile({ ...hdr('oci-layout'), size: layout.byteLength }, layout);
    if (Object.keys(repositories).length) {
      const repos = enc(repositories);
      await tar.addFile({ ...hdr('repositories'), size: repos.byteLength }, repos);
    }
    await tar.finish();
  };

  let failure: unknown;
  const writing = write().catch((err) => {
    failure = err;
    tar.destroy(err as Error);
  });
  try {
    for await (const chunk of tar.readable) yield chunk as Uint8Array;
    await writing;
    if (failure) throw failure;
    for (const { img } of plan.images) ctx.emit({ Action: 'save', id: img.id, name: img.id });
  } finally {
    if (!tar.readable.destroyed) tar.destroy();
    await writing;
    await plan.close();
  }
}
