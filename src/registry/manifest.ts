// Manifests the registry accepts (Docker schema2 and manifest list, OCI image manifest and
// index): their media type, the descriptors they reference (which must exist before the
// manifest is stored, and which GC keeps alive) and their subject (referrers API).
import { isSupportedDigest } from './names.ts';

export const MEDIA_DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const MEDIA_DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const MEDIA_OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const MEDIA_OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** 4 MiB, distribution's and the spec's recommended manifest limit. */
export const MANIFEST_MAX_BYTES = 4 << 20;

/** Layer media types a manifest may reference without the registry holding them (foreign layers). */
const FOREIGN_LAYERS = new Set([
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  /** Blobs (config, layers) that must be in the repository; foreign layers with URLs are left out. */
  blobs: string[];
  /** Every blob reference, foreign layers included (GC keeps what is there). */
  allBlobs: string[];
  /** Child manifests (index entries). */
  manifests: string[];
  subject: Descriptor | undefined;
  /** artifactType for the referrers API: the manifest's own, or its config's media type. */
  artifactType: string | undefined;
  annotations: Record<string, string> | undefined;
}

export class ManifestError extends Error {}

/**
 * Parses and validates a manifest. `contentType` is the PUT's Content-Type (undefined when
 * reading back a stored manifest); a media type in the body wins, and the two must agree.
 */
export function parseManifest(body: Uint8Array, contentType?: string): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new ManifestError('manifest is not valid JSON');
  }
  if (!isObject(doc)) throw new ManifestError('manifest is not a JSON object');
  const ct = contentType?.split(';')[0].trim();
  const bodyType = doc.mediaType;
  if (bodyType !== undefined && typeof bodyType !== 'string') throw new ManifestError('mediaType is not a string');
  let mediaType = bodyType ?? (ct && ct !== 'application/json' && ct !== 'application/octet-stream' ? ct : undefined);
  if (bodyType !== undefined && ct && isManifestType(ct) && ct !== bodyType) {
    throw new ManifestError(`mediaType in manifest (${bodyType}) does not match Content-Type (${ct})`);
  }
  if (mediaType === undefined) {
    if (Array.isArray(doc.manifests)) mediaType = MEDIA_OCI_INDEX;
    else if (isObject(doc.config)) mediaType = MEDIA_OCI_MANIFEST;
    else throw new ManifestError('manifest has no media type');
  }
  if (!isManifestType(mediaType)) throw new ManifestError(`unsupported manifest media type: ${mediaType}`);
  if (doc.schemaVersion !== 2) throw new ManifestError('schemaVersion must be 2');

  const isIndex = mediaType === MEDIA_OCI_INDEX || mediaType === MEDIA_DOCKER_LIST;
  const blobs: string[] = [];
  const allBlobs: string[] = [];
  const manifests: string[] = [];
  let artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : undefined;
  if (doc.artifactType !== undefined && artifactType === undefined) throw new ManifestError('artifactType is not a string');
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw new ManifestError('manifests must be an array');
    for (const m of doc.manifests) manifests.push(descriptor(m, 'manifests[]').digest);
  } else {
    const config = descriptor(doc.config, 'config');
    blobs.push(config.digest);
    allBlobs.push(config.digest);
    if (!Array.isArray(doc.layers)) throw new ManifestError('layers must be an array');
    for (const l of doc.layers) {
      const d = descriptor(l, 'layers[]');
      allBlobs.push(d.digest);
      if (!(FOREIGN_LAYERS.has(d.mediaType) && d.urls && d.urls.length > 0)) blobs.push(d.digest);
    }
    if (artifactType === undefined && mediaType === MEDIA_OCI_MANIFEST) artifactType = config.mediaType;
  }
  const subject = doc.subject === undefined ? undefined : descriptor(doc.subject, 'subject');
  const annotations = isObject(doc.annotations) ? (doc.annotations as Record<string, string>) : undefined;
  return { mediaType, isIndex, blobs, allBlobs, manifests, subject, artifactType, annotations };
}

function isManifestType(t: string): boolean {
  return t === MEDIA_DOCKER_MANIFEST || t === MEDIA_DOCKER_LIST || t === MEDIA_OCI_MANIFEST || t === MEDIA_OCI_INDEX;
}

function descriptor(v: unknown, what: string): Descriptor {
  if (!isObject(v)) throw new ManifestError(`${what} is not a descriptor`);
  const { mediaType, digest, size, urls } = v;
  if (typeof mediaType !== 'string' || mediaType === '') throw new ManifestError(`${what}: mediaType missing`);
  if (typeof digest !== 'string' || !isSupportedDigest(digest)) throw new ManifestError(`${what}: invalid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new ManifestError(`${what}: invalid size`);
  if (urls !== undefined && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string'))) {
    throw new ManifestError(`${what}: urls must be strings`);
  }
  return v as unknown as Descriptor;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
