// Manifests as received from a registry: media type from the body or Content-Type (moby's
// detectManifestBlobMediaType), schema1 refused with Docker's words, descriptors checked
// (sha256 digests, sane sizes and counts), and the platform pick from a list / index.
import { invalidParameter, notFound } from '../common/index.ts';
import { isSha256Digest } from '../content/index.ts';
import { formatPlatform, hostPlatform, normalizePlatform, platformRank, type Platform } from './platform.ts';

export const MANIFEST_MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The Accept header of a manifest request (dockerd 28 with the graph driver store). */
export const MANIFEST_ACCEPT = [MANIFEST_MEDIA.dockerManifest, MANIFEST_MEDIA.dockerList, MANIFEST_MEDIA.ociManifest, MANIFEST_MEDIA.ociIndex].join(', ');

/** A manifest bigger than this is refused (distribution's client limit). */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
/** Image configs are small JSON too; refuse a hostile giant one. */
export const MAX_CONFIG_SIZE = 8 * 1024 * 1024;
const MAX_LAYERS = 1000;
const MAX_LIST_ENTRIES = 10_000;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  urls?: string[];
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface ManifestIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type ParsedManifest = ImageManifest | ManifestIndex;

/** The manifest as fetched: its bytes, digest (computed) and parsed form. */
export interface FetchedManifest {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  manifest: ParsedManifest;
}

/** DeprecatedSchema1ImageError. */
export function schema1Error(refString?: string): Error {
  let msg = 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed.';
  if (refString) msg += ` Suggest the author of ${refString} to upgrade the image to the OCI Format or Docker Image manifest v2, schema 2.`;
  msg += ' More information at https://docs.docker.com/go/deprecated-image-specs/';
  return invalidParameter(msg);
}

/** Parses manifest bytes; `contentType` is the response's Content-Type. */
export function parseManifest(bytes: Uint8Array, contentType: string | undefined, refString?: string): ParsedManifest {
  let v: Record<string, unknown>;
  try {
    const parsed = JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    v = parsed as Record<string, unknown>;
  } catch (err) {
    throw invalidParameter(`error unmarshalling manifest: ${(err as Error).message}`);
  }
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const declared = typeof v.mediaType === 'string' ? v.mediaType : '';
  const has = (k: string) => v[k] !== undefined && v[k] !== null;
  let mt = declared;
  if (!mt) {
    if (ct === MANIFEST_MEDIA.schema1 || ct === MANIFEST_MEDIA.schema1Signed) mt = ct;
    else if (has('fsLayers') || v.schemaVersion === 1) mt = MANIFEST_MEDIA.schema1;
    else if (has('manifests')) mt = ct === MANIFEST_MEDIA.dockerList ? ct : MANIFEST_MEDIA.ociIndex;
    else if (has('config') || has('layers')) mt = ct === MANIFEST_MEDIA.dockerManifest ? ct : MANIFEST_MEDIA.ociManifest;
    else mt = ct;
  }
  switch (mt) {
    case MANIFEST_MEDIA.schema1:
    case MANIFEST_MEDIA.schema1Signed:
      throw schema1Error(refString);
    case MANIFEST_MEDIA.dockerManifest:
    case MANIFEST_MEDIA.ociManifest: {
      if (has('manifests') || has('fsLayers')) throw invalidParameter(`media-type: "${mt}" should not have "manifests" or "fsLayers"`);
      if (v.schemaVersion !== 2) throw invalidParameter(`unsupported manifest schema version ${String(v.schemaVersion)}`);
      const config = descriptor(v.config, 'config');
      if (!Array.isArray(v.layers)) throw invalidParameter('invalid manifest: layers must be an array');
      if (v.layers.length > MAX_LAYERS) throw invalidParameter(`invalid manifest: more than ${MAX_LAYERS} layers`);
      return { kind: 'manifest', mediaType: mt, config, layers: v.layers.map((l, i) => descriptor(l, `layers[${i}]`)) };
    }
    case MANIFEST_MEDIA.dockerList:
    case MANIFEST_MEDIA.ociIndex: {
      if (has('config') || has('layers') || has('fsLayers')) throw invalidParameter(`media-type: "${mt}" should not have "config", "layers", or "fsLayers"`);
      if (!Array.isArray(v.manifests)) throw invalidParameter('invalid manifest list: manifests must be an array');
      if (v.manifests.length > MAX_LIST_ENTRIES) throw invalidParameter(`invalid manifest list: more than ${MAX_LIST_ENTRIES} entries`);
      return { kind: 'index', mediaType: mt, manifests: v.manifests.map((m, i) => descriptor(m, `manifests[${i}]`)) };
    }
    default:
      throw invalidParameter(mt ? `unsupported manifest media type and no default available: ${mt}` : 'unsupported manifest format');
  }
}

function descriptor(x: unknown, where: string): Descriptor {
  if (!x || typeof x !== 'object' || Array.isArray(x)) throw invalidParameter(`invalid manifest: ${where} is not a descriptor`);
  const d = x as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !isSha256Digest(d.digest)) {
    throw invalidParameter(`invalid manifest: ${where}: unsupported digest ${JSON.stringify(d.digest)}`);
  }
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw invalidParameter(`invalid manifest: ${where}: invalid size`);
  const out: Descriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size: d.size };
  if (d.platform && typeof d.platform === 'object') {
    const p = d.platform as Record<string, unknown>;
    out.platform = {
      os: typeof p.os === 'string' ? p.os : '',
      architecture: typeof p.architecture === 'string' ? p.architecture : '',
      ...(typeof p.variant === 'string' && p.variant ? { variant: p.variant } : {}),
      ...(typeof p['os.version'] === 'string' && p['os.version'] ? { 'os.version': p['os.version'] } : {}),
    };
  }
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  if (d.annotations && typeof d.annotations === 'object') out.annotations = d.annotations as Record<string, string>;
  return out;
}

/** moby's supported layer/config media type prefixes (checkSupportedMediaType). */
const SUPPORTED_PREFIXES = [
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.docker.image.rootfs.',
  'application/vnd.oci.image.config.',
  'application/vnd.oci.image.layer.',
];

export function checkSupportedMediaType(mediaType: string): void {
  const lower = mediaType.toLowerCase();
  if (lower === '') return;
  for (const mt of SUPPORTED_PREFIXES) {
    if (lower === mt || lower.startsWith(mt.endsWith('.') ? mt : `${mt}.`)) return;
  }
  throw invalidParameter(`unsupported media type ${mediaType}`);
}

/** The image configs dockerd accepts for an OCI or schema2 manifest. */
export function checkConfigMediaType(mediaType: string): void {
  switch (mediaType) {
    case 'application/vnd.docker.container.image.v1+json':
    case 'application/vnd.oci.image.config.v1+json':
      return;
    case 'application/vnd.docker.ai.model.config.v0.1+json':
      throw invalidParameter('AI models are not yet supported by the Engine, please use "docker model pull/run" instead');
    default:
      throw invalidParameter(`Encountered remote "${mediaType}"(unknown) when fetching`);
  }
}

/**
 * moby's filterManifests: the entries a platform runs (an entry without platform always),
 * best first. `want` undefined means the host platform.
 */
export function matchingManifests(index: ManifestIndex, want?: Platform): Descriptor[] {
  const p = normalizePlatform(want ?? hostPlatform());
  const ranked: { d: Descriptor; rank: number; i: number }[] = [];
  index.manifests.forEach((d, i) => {
    if (!d.platform) {
      ranked.push({ d, rank: Number.MAX_SAFE_INTEGER, i });
      return;
    }
    const r = platformRank(p, d.platform);
    if (r >= 0) ranked.push({ d, rank: r, i });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.i - b.i);
  return ranked.map((x) => x.d);
}

/** "no matching manifest for linux/amd64 in the manifest list entries". */
export function noMatchError(want?: Platform): Error {
  const p = want && want.os ? normalizePlatform(want) : hostPlatform();
  return notFound(`no matching manifest for ${formatPlatform(p)} in the manifest list entries`);
}

/** The part of an image config a pull checks (the rest is stored as received). */
interface ImageConfigJson {
  rootfs?: { type?: string; diff_ids?: unknown };
}

/** An image config's bytes as a JSON object, or Docker's error. */
export function parseConfig(bytes: Buffer): ImageConfigJson {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as ImageConfigJson;
  } catch {
    // fall through
  }
  throw invalidParameter('invalid image config: not a JSON object');
}
