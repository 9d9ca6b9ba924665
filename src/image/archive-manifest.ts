// Reads what an image archive says it holds: docker-archive (`manifest.json`) or an OCI
// image layout (`oci-layout` + `index.json`, following indexes to this host's platform).
// Every JSON document is size-bounded and shape-checked; blobs named by digest are hashed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { invalidParameter } from '../common/index.ts';
import { familiarString, parseNormalizedNamed } from './reference.ts';
import { MAX_CONFIG_BYTES } from './image-config.ts';
import { memberPath, readMember, type SpooledArchive } from './spool.ts';
import { MEDIA_TYPE } from './types.ts';

const MAX_JSON = 8 * 1024 * 1024;
const MAX_INDEX_DEPTH = 4;

export interface ArchiveLayer {
  /** Member name inside the archive. */
  file: string;
  /** Digest the archive names for the blob (verified before use), if it names one. */
  digest?: string;
  size?: number;
  mediaType?: string;
}

export interface ArchiveImage {
  configFile: string;
  configDigest?: string;
  configSize?: number;
  layers: ArchiveLayer[];
  /** Familiar `name:tag` strings, validated. */
  repoTags: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw invalidParameter(`invalid ${what}: ${(err as Error).message}`);
  }
}

/** `blobs/sha256/<hex>` → `sha256:<hex>`; `<hex>.json` (old docker save) → `sha256:<hex>`. */
function digestFromName(name: string): string | undefined {
  const m = /^(?:\.\/)?blobs\/sha256\/([a-f0-9]{64})$/.exec(name) ?? /^(?:\.\/)?([a-f0-9]{64})\.json$/.exec(name);
  return m ? `sha256:${m[1]}` : undefined;
}

/** A tag from an archive: must parse and carry a tag; shown in the familiar form. */
export function archiveTag(text: string): string {
  const ref = parseNormalizedNamed(text);
  if (ref.tag === undefined || ref.digest !== undefined) throw invalidParameter(`invalid tag ${JSON.stringify(text)}`);
  return familiarString(ref);
}

export async function readArchiveManifest(archive: SpooledArchive): Promise<ArchiveImage[]> {
  const manifest = await readMember(archive, 'manifest.json', MAX_JSON);
  if (manifest) return dockerArchive(manifest);
  const index = await readMember(archive, 'index.json', MAX_JSON);
  if (index) return ociLayout(archive, index);
  throw invalidParameter('invalid archive: no manifest.json or index.json found (not a docker save or OCI image layout archive)');
}

function dockerArchive(bytes: Uint8Array): ArchiveImage[] {
  const value = parseJson(bytes, 'manifest.json');
  if (!Array.isArray(value)) throw invalidParameter('invalid manifest.json: not an array');
  return value.map((item, i) => {
    if (!isObject(item)) throw invalidParameter(`invalid manifest.json: entry ${i} is not an object`);
    if (typeof item.Config !== 'string' || item.Config === '') throw invalidParameter(`invalid manifest.json: entry ${i} has no Config`);
    if (!isStringArray(item.Layers)) throw invalidParameter(`invalid manifest.json: entry ${i} Layers must be an array of strings`);
    if (item.RepoTags !== undefined && item.RepoTags !== null && !isStringArray(item.RepoTags)) {
      throw invalidParameter(`invalid manifest.json: entry ${i} RepoTags must be an array of strings`);
    }
    const configDigest = digestFromName(item.Config);
    return {
      configFile: item.Config,
      ...(configDigest ? { configDigest } : {}),
      layers: item.Layers.map((file) => {
        const digest = digestFromName(file);
        return { file, ...(digest && !file.endsWith('.json') ? { digest } : {}) };
      }),
      repoTags: ((item.RepoTags as string[] | null | undefined) ?? []).map(archiveTag),
    };
  });
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw invalidParameter(`invalid ${where}: descriptor is not an object`);
  if (typeof v.mediaType !== 'string') throw invalidParameter(`invalid ${where}: descriptor has no mediaType`);
  if (typeof v.digest !== 'string' || !/^sha256:[a-f0-9]{64}$/.test(v.digest)) throw invalidParameter(`invalid ${where}: bad descriptor digest ${JSON.stringify(v.digest)}`);
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw invalidParameter(`invalid ${where}: bad descriptor size`);
  const { annotations, platform } = v;
  if (annotations !== undefined && !isStringMap(annotations)) {
    throw invalidParameter(`invalid ${where}: annotations must map strings to strings`);
  }
  if (platform !== undefined && !isObject(platform)) throw invalidParameter(`invalid ${where}: platform must be an object`);
  const d: Descriptor = { mediaType: v.mediaType, digest: v.digest, size: v.size };
  if (annotations !== undefined) d.annotations = annotations;
  // Only string fields take part in platform matching; anything else matches nothing.
  if (platform !== undefined) d.platform = { os: stringOr(platform.os), architecture: stringOr(platform.architecture), variant: stringOr(platform.variant) };
  return d;
}

const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');
const stringOr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const blobName = (digest: string) => `blobs/sha256/${digest.slice(7)}`;

/** Reads a small blob and checks its digest and size against the descriptor. */
async function readBlob(archive: SpooledArchive, d: Descriptor, max: number): Promise<Uint8Array> {
  if (d.size > max) throw invalidParameter(`invalid archive: blob ${d.digest} is larger than ${max} bytes`);
  const bytes = await readMember(archive, blobName(d.digest), max);
  if (!bytes) throw invalidParameter(`invalid archive: missing blob ${d.digest}`);
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== d.digest) throw invalidParameter(`invalid archive: blob ${d.digest} has digest ${actual}`);
  if (bytes.byteLength !== d.size) throw invalidParameter(`invalid archive: blob ${d.digest} has size ${bytes.byteLength}, expected ${d.size}`);
  return bytes;
}

function hostArchitecture(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
}

const INDEX_TYPES: readonly string[] = [MEDIA_TYPE.ociIndex, MEDIA_TYPE.dockerManifestList];
const MANIFEST_TYPES: readonly string[] = [MEDIA_TYPE.ociManifest, MEDIA_TYPE.dockerManifest];

async function ociLayout(archive: SpooledArchive, indexBytes: Uint8Array): Promise<ArchiveImage[]> {
  const layoutBytes = await readMember(archive, 'oci-layout', 4096);
  if (!layoutBytes) throw invalidParameter('invalid OCI image layout: missing oci-layout file');
  const layout = parseJson(layoutBytes, 'oci-layout');
  if (!isObject(layout) || typeof layout.imageLayoutVersion !== 'string') throw invalidParameter('invalid oci-layout: no imageLayoutVersion');
  if (layout.imageLayoutVersion !== '1.0.0') throw invalidParameter(`unsupported OCI image layout version ${JSON.stringify(layout.imageLayoutVersion)}`);
  const index = parseJson(indexBytes, 'index.json');
  if (!isObject(index) || !Array.isArray(index.manifests)) throw invalidParameter('invalid index.json: no manifests array');

  const byManifest = new Map<string, ArchiveImage>();
  for (const raw of index.manifests) {
    const top = descriptor(raw, 'index.json');
    const manifest = await resolveManifest(archive, top, 0);
    if (!manifest) continue; // nothing for this platform (or not an image)
    const tagText = imageName(top.annotations);
    let img = byManifest.get(manifest.digest);
    if (!img) {
      img = await manifestImage(archive, manifest);
      byManifest.set(manifest.digest, img);
    }
    if (tagText !== undefined) {
      const tag = archiveTag(tagText);
      if (!img.repoTags.includes(tag)) img.repoTags.push(tag);
    }
  }
  return [...byManifest.values()];
}

/** The name an index entry gives: containerd's full name, else a ref.name that is a full reference. */
function imageName(annotations: Record<string, string> | undefined): string | undefined {
  if (!annotations) return undefined;
  const containerd = annotations['io.containerd.image.name'];
  if (containerd) {
    try {
      if (parseNormalizedNamed(containerd).tag !== undefined) return containerd;
    } catch {
      // fall through to ref.name
    }
  }
  const refName = annotations['org.opencontainers.image.ref.name'];
  // A bare "latest" or "v1" is a tag without a repository: the image stays untagged.
  if (refName && /[:/]/.test(refName)) {
    try {
      if (parseNormalizedNamed(refName).tag !== undefined) return refName;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function resolveManifest(archive: SpooledArchive, d: Descriptor, depth: number): Promise<Descriptor | undefined> {
  if (MANIFEST_TYPES.includes(d.mediaType)) return d;
  if (!INDEX_TYPES.includes(d.mediaType)) return undefined;
  if (depth >= MAX_INDEX_DEPTH) throw invalidParameter('invalid archive: image indexes nested too deeply');
  const index = parseJson(await readBlob(archive, d, MAX_JSON), `image index ${d.digest}`);
  if (!isObject(index) || !Array.isArray(index.manifests)) throw invalidParameter(`invalid image index ${d.digest}: no manifests array`);
  const arch = hostArchitecture();
  const children = index.manifests.map((m) => descriptor(m, `image index ${d.digest}`));
  const matches = children.filter((c) => {
    const p = c.platform;
    if (!p) return INDEX_TYPES.includes(c.mediaType);
    return p.os === 'linux' && normalizeArch(p.architecture) === arch;
  });
  for (const c of matches) {
    const found = await resolveManifest(archive, c, depth + 1);
    if (found) return found;
  }
  return undefined;
}

const normalizeArch = (a: string | undefined) => (a === 'x86_64' || a === 'x86-64' ? 'amd64' : a === 'aarch64' ? 'arm64' : a);

const LAYER_TYPES: readonly string[] = [
  MEDIA_TYPE.ociLayer, MEDIA_TYPE.ociLayerGzip, MEDIA_TYPE.ociLayerZstd, MEDIA_TYPE.dockerLayer, MEDIA_TYPE.dockerLayerGzip,
  'application/vnd.oci.image.layer.nondistributable.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd', MEDIA_TYPE.dockerForeignLayer,
];

async function manifestImage(archive: SpooledArchive, d: Descriptor): Promise<ArchiveImage> {
  const m = parseJson(await readBlob(archive, d, MAX_JSON), `manifest ${d.digest}`);
  if (!isObject(m)) throw invalidParameter(`invalid manifest ${d.digest}: not an object`);
  const config = descriptor(m.config, `manifest ${d.digest}`);
  if (!Array.isArray(m.layers)) throw invalidParameter(`invalid manifest ${d.digest}: no layers array`);
  if (config.size > MAX_CONFIG_BYTES) throw invalidParameter(`invalid manifest ${d.digest}: config too large`);
  const layers = m.layers.map((l) => {
    const ld = descriptor(l, `manifest ${d.digest}`);
    if (!LAYER_TYPES.includes(ld.mediaType)) throw invalidParameter(`unsupported layer media type ${JSON.stringify(ld.mediaType)}`);
    const file = blobName(ld.digest);
    if (!memberPath(archive, file)) throw invalidParameter(`invalid archive: missing blob ${ld.digest}`);
    return { file, digest: ld.digest, size: ld.size, mediaType: ld.mediaType };
  });
  return { configFile: blobName(config.digest), configDigest: config.digest, configSize: config.size, layers, repoTags: [] };
}

/** sha256 and size of a spooled member, streamed. */
export async function hashMember(path: string): Promise<{ digest: string; size: number }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
    h.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${h.digest('hex')}`, size };
}
