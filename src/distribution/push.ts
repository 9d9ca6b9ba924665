// `POST /images/{name}/push` as moby's distribution/push_v2.go does it: "The push refers to
// repository [...]", every layer "Preparing" (top first), "Waiting" beyond
// max-concurrent-uploads, then "Layer already exists" (HEAD in the target repository),
// "Mounted from <repo>" (cross-repository mount from the repository the blob came from) or
// "Pushing" with progress and "Pushed"; then the config blob, the manifest (Docker schema2, or
// OCI when the layers are OCI blobs), "<tag>: digest: sha256:... size: N", the aux
// {Tag, Digest, Size}, the `name@digest` reference and the `push` event.
//
// Layers go up as the compressed blobs kept in the content store (as pulled, or gzipped once
// from an uncompressed blob and recorded). Uploads are chunked PATCHes of at most CHUNK bytes
// (at least the registry's OCI-Chunk-Min-Length) closed by a PUT with the digest; a blob that
// fits in one chunk goes monolithic (POST, then PUT with the body).
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import { invalidParameter, notFound } from '../common/index.ts';
import { familiarName, familiarString, parseNormalizedNamed, type NamedReference } from '../image/index.ts';
import { NoCredentialsError, repositoryScope, type AuthConfig } from './auth.ts';
import { MANIFEST_MEDIA } from './manifest.ts';
import { formatPlatform, type Platform } from './platform.ts';
import { message, update, ProgressCounter, type PullMessage } from './progress.ts';
import type { RegistryClient, RepositorySession } from './registry-client.ts';
import { RegistryError, UnexpectedResponseError, registryErrorFromResponse } from './registry-errors.ts';
import { readCertsDir, type TlsMaterial } from './certs-dir.ts';
import { streamPatch } from './stream-upload.ts';
import { TransportError, type HttpResponse, type RequestOptions } from './transport.ts';

/** Largest body of one PATCH (the registry's OCI-Chunk-Min-Length raises it). */
const CHUNK = 4 * 1024 * 1024;
/** moby's maxUploadAttempts. */
const MAX_UPLOAD_ATTEMPTS = 5;

const MEDIA = {
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;
const COMPRESSED = new Set<string>([MEDIA.dockerLayerGzip, MEDIA.ociLayerGzip, MEDIA.ociLayerZstd]);

/** A layer blob as the image store records it. */
export interface PushLayerBlob {
  digest: string;
  mediaType: string;
  size: number;
  /** Full repository name it was pulled from or pushed to (`127.0.0.1:5000/app`). */
  sourceRepository?: string;
}

/** An image as push needs it. */
export interface PushImage {
  id: string;
  raw: Uint8Array;
  diffIds: string[];
  os: string;
  architecture: string;
  variant?: string;
}

/** The part of the content store's writer push uses (write, verify-and-commit, abort). */
interface PushBlobWriter {
  readonly written: number;
  write(chunk: Uint8Array): Promise<void>;
  digest(): string;
  commit(expectedSize?: number, expectedDigest?: string): Promise<string>;
  abort(): Promise<void>;
}

/** What push needs of the image store (the daemon adapts its ImageService). */
export interface PushImageSource {
  /** The image ID a `name:tag` reference points to. */
  imageOf(ref: string): string | undefined;
  /** Every `name:tag` of the repository `name` (full name), sorted, with its image ID. */
  tagsOf(name: string): { ref: string; tag: string; id: string }[];
  image(id: string): PushImage;
  layerBlob(diffId: string): Promise<PushLayerBlob | undefined>;
  recordLayerBlob(diffId: string, blob: PushLayerBlob): Promise<void>;
  hasBlob(digest: string): Promise<boolean>;
  readBlob(digest: string): AsyncIterable<Uint8Array>;
  ingest(): Promise<PushBlobWriter>;
  addDigestReference(ref: string, imageId: string): Promise<void>;
  logPushEvent(ref: string): void;
}

export interface PushOptions {
  /** The repository as the API path names it (`localhost:5000/app`). */
  name: string;
  /** '' pushes every tag of the repository. */
  tag: string;
  platform?: Platform;
  auth: AuthConfig;
  /**
   * Upload in PATCHes of this size (the registry's OCI-Chunk-Min-Length raises it). Unset: one
   * streamed PATCH per blob, as docker's client, unless the registry asks for chunks (then 4 MiB).
   */
  chunkSize?: number;
  /** The API client went away: uploads stop ("context canceled", as dockerd says). */
  signal?: AbortSignal;
}

export type PushProgress = (m: PullMessage | { progressDetail: Record<string, never>; aux: unknown }) => void;

/** Pushes one tag or every tag of a repository. Errors before the first message are the API's status. */
export async function pushImage(client: RegistryClient, images: PushImageSource, opts: PushOptions, out: PushProgress): Promise<void> {
  let ref: NamedReference;
  try {
    ref = parseNormalizedNamed(opts.tag ? `${opts.name}:${opts.tag}` : opts.name);
  } catch (err) {
    throw invalidParameter((err as Error).message);
  }
  if (ref.digest !== undefined) throw invalidParameter('cannot push a digest reference');
  const repoName = `${ref.domain}/${ref.path}`;
  const targets = opts.tag
    ? [{ ref: familiarString(ref), tag: opts.tag, id: images.imageOf(familiarString(ref)) }]
    : images.tagsOf(repoName);

  out(message('', `The push refers to repository [${repoName}]`));
  if (images.tagsOf(repoName).length === 0) {
    throw new Error(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  }
  if (targets.length === 0) throw new Error(`no tags to push for ${familiarName(ref)}`);
  for (const t of targets) {
    if (!t.id) throw new Error(`tag does not exist: ${t.ref}`);
  }

  await client.withEndpoints(ref.domain, { path: ref.path, auth: opts.auth, actions: ['pull', 'push'] }, async (session) => {
    // A transport failure here lets the next endpoint (http for an insecure registry) be tried.
    await session.ping();
    const tls = session.endpoint.certsHost ? await readCertsDir(client.config.certsDir, session.endpoint.certsHost) : {};
    const pusher = new RepositoryPusher(session, images, repoName, ref, client.config.maxConcurrentUploads, opts.chunkSize, tls, out, opts.signal);
    for (const t of targets) {
      const img = images.image(t.id!);
      if (opts.platform) checkPlatform(img, opts.platform, t.ref);
      await pusher.pushTag(t.tag, img);
    }
  });
  // One event for the request, as moby's Push logs it: the tag pushed, or the bare name for all tags.
  images.logPushEvent(opts.tag ? `${repoName}:${opts.tag}` : repoName);
}

function checkPlatform(img: PushImage, want: Platform, ref: string): void {
  const have: Platform = { os: img.os, architecture: img.architecture, ...(img.variant ? { variant: img.variant } : {}) };
  if (want.os !== have.os || want.architecture !== have.architecture || (want.variant && want.variant !== have.variant)) {
    throw notFound(`image with reference ${ref} was found but does not provide the specified platform (${formatPlatform(want)})`);
  }
}

interface RemoteLayer {
  digest: string;
  mediaType: string;
  size: number;
}

/** One push to one repository on one endpoint; layers already there are remembered across tags. */
class RepositoryPusher {
  private readonly session: RepositorySession;
  private readonly images: PushImageSource;
  private readonly repoName: string;
  private readonly domain: string;
  private readonly limit: number;
  private readonly chunk: number;
  /** One streamed PATCH per blob (no chunk size asked for). */
  private readonly streaming: boolean;
  private readonly tls: TlsMaterial;
  /** The session's scopes, for the streamed PATCH's token. */
  private readonly scopes: string[];
  private readonly out: PushProgress;
  private readonly remote = new Map<string, RemoteLayer>();
  private readonly signal?: AbortSignal;
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(session: RepositorySession, images: PushImageSource, repoName: string, ref: NamedReference, limit: number, chunk: number | undefined, tls: TlsMaterial, out: PushProgress, signal?: AbortSignal) {
    this.chunk = chunk ?? CHUNK;
    this.streaming = chunk === undefined;
    this.tls = tls;
    this.scopes = [repositoryScope(ref.path, ['pull', 'push'])];
    this.signal = signal;
    this.session = session;
    this.images = images;
    this.repoName = repoName;
    this.domain = ref.domain;
    this.limit = Math.max(1, limit);
    this.out = out;
  }

  /** A session request that stops with the push (the client went away). */
  private req(target: string | URL, opts: RequestOptions = {}): Promise<HttpResponse> {
    this.checkCanceled();
    return this.session.request(target, { ...opts, ...(this.signal ? { signal: this.signal } : {}) });
  }

  private checkCanceled(): void {
    if (this.signal?.aborted) throw new PushCanceledError();
  }

  async pushTag(tag: string, img: PushImage): Promise<void> {
    // Top layer first, as moby's upload manager lists them; each id is the diff ID's short form.
    const order = img.diffIds.map((d, i) => ({ diffId: d, index: i })).reverse();
    const seen = new Set<string>();
    const unique = order.filter((l) => (seen.has(l.diffId) ? false : (seen.add(l.diffId), true)));
    for (const l of unique) this.out(update(shortId(l.diffId), 'Preparing'));
    const results = new Map<string, RemoteLayer>();
    const failures: unknown[] = [];
    await Promise.all(unique.map(async (l) => {
      try {
        results.set(l.diffId, await this.slot(shortId(l.diffId), () => this.uploadLayer(l.diffId)));
      } catch (err) {
        failures.push(this.signal?.aborted ? new PushCanceledError() : unwrap(err));
      }
    }));
    if (failures.length) throw failures[0];
    const layers = img.diffIds.map((d) => results.get(d)!);

    const oci = layers.some((l) => l.mediaType.startsWith('application/vnd.oci.'));
    const configMedia = oci ? MEDIA.ociConfig : MEDIA.dockerConfig;
    const configDigest = img.id;
    await this.ensureConfig(configDigest, img.raw);
    const manifest = {
      schemaVersion: 2,
      mediaType: oci ? MANIFEST_MEDIA.ociManifest : MANIFEST_MEDIA.dockerManifest,
      config: { mediaType: configMedia, size: img.raw.byteLength, digest: configDigest },
      // In an OCI manifest a Docker gzip layer is named by its OCI type (the same bytes).
      layers: layers.map((l) => ({ mediaType: oci && l.mediaType === MEDIA.dockerLayerGzip ? MEDIA.ociLayerGzip : l.mediaType, size: l.size, digest: l.digest })),
    };
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    const res = await this.req(`manifests/${tag}`, { method: 'PUT', headers: { 'Content-Type': manifest.mediaType }, body: bytes });
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) throw await pushError(res);
    res.body.resume();
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    this.out(message('', `${tag}: digest: ${digest} size: ${bytes.byteLength}`));
    await this.images.addDigestReference(`${this.repoName}@${digest}`, img.id);
    this.out({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: bytes.byteLength } });
  }

  /** Runs `fn` within max-concurrent-uploads, saying "Waiting" when it has to queue. */
  private async slot<T>(id: string, fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      this.out(update(id, 'Waiting'));
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async uploadLayer(diffId: string): Promise<RemoteLayer> {
    const id = shortId(diffId);
    const known = this.remote.get(diffId);
    if (known) {
      this.out(update(id, 'Layer already exists'));
      return known;
    }
    const recorded = await this.images.layerBlob(diffId);
    if (!recorded || !(await this.images.hasBlob(recorded.digest))) throw notFound(`no blob stored for layer ${diffId}`);
    if (!COMPRESSED.has(recorded.mediaType)) {
      // An uncompressed blob (loaded, imported, committed): gzipped once, into the upload and the
      // content store at the same time; later pushes send the kept result.
      const blob = await this.withRetries(id, () => this.compressAndUpload(id, diffId, recorded));
      this.out(update(id, 'Pushed'));
      const desc: RemoteLayer = { digest: blob.digest, mediaType: blob.mediaType, size: blob.size };
      this.remote.set(diffId, desc);
      return desc;
    }
    const blob = recorded;
    const desc: RemoteLayer = { digest: blob.digest, mediaType: blob.mediaType, size: blob.size };
    if (await this.blobExists(blob.digest)) {
      this.out(update(id, 'Layer already exists'));
      this.remote.set(diffId, desc);
      await this.record(diffId, blob);
      return desc;
    }
    let location: URL | undefined;
    let minChunk = 0;
    const from = mountSource(blob.sourceRepository, this.domain, this.repoName);
    if (from) {
      const mountScope = repositoryScope(from, ['pull']);
      this.session.addScope(mountScope);
      if (!this.scopes.includes(mountScope)) this.scopes.push(mountScope);
      const res = await this.req(`blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`, { method: 'POST' });
      res.body.resume();
      if (res.status === 201) {
        this.out(update(id, `Mounted from ${from}`));
        this.remote.set(diffId, desc);
        await this.record(diffId, blob);
        return desc;
      }
      // 202: the registry opened a plain upload instead; anything else: the blob goes up anyway.
      if (res.status === 202) {
        location = uploadLocation(res);
        minChunk = chunkMin(res);
      }
    }
    await this.withRetries(id, async () => {
      const progress = new ProgressCounter((m) => this.out(m), id, 'Pushing', blob.size);
      const counted = countBytes(this.images.readBlob(blob.digest), (n) => progress.add(n));
      const opened = location;
      location = undefined; // a retry opens a new upload
      await this.sendBlob(counted, () => blob.digest, opened, minChunk);
      progress.finish();
    });
    this.out(update(id, 'Pushed'));
    this.remote.set(diffId, desc);
    await this.record(diffId, blob);
    return desc;
  }

  /** moby's upload retries: transport failures and 5xx, 5 attempts, "Retrying in N seconds". */
  private async withRetries<T>(id: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (this.signal?.aborted) throw new PushCanceledError();
        if (!retryable(err) || attempt >= MAX_UPLOAD_ATTEMPTS) throw unwrap(err);
        for (let delay = attempt * 5; delay > 0; delay--) {
          this.out(update(id, `Retrying in ${delay} second${delay !== 1 ? 's' : ''}`));
          await new Promise((r) => setTimeout(r, 1000));
          this.checkCanceled();
        }
      }
    }
  }

  /** Records the blob and this repository as its source (no write when that is already the record). */
  private async record(diffId: string, blob: PushLayerBlob): Promise<void> {
    if (blob.sourceRepository === this.repoName) return;
    await this.images.recordLayerBlob(diffId, { digest: blob.digest, mediaType: blob.mediaType, size: blob.size, sourceRepository: this.repoName });
  }

  /**
   * gzips an uncompressed layer blob into the upload and the content store at once: checked
   * against the diff ID before the upload is closed, committed and recorded after it.
   */
  private async compressAndUpload(id: string, diffId: string, raw: PushLayerBlob): Promise<PushLayerBlob> {
    const writer = await this.images.ingest();
    const check = createHash('sha256');
    const progress = new ProgressCounter((m) => this.out(m), id, 'Pushing', raw.size);
    // Large output chunks: fewer callbacks, content-store writes and allocations per layer.
    const gz = createGzip({ chunkSize: 256 * 1024 });
    const feed = (async () => {
      try {
        for await (const chunk of this.images.readBlob(raw.digest)) {
          check.update(chunk);
          progress.add(chunk.byteLength);
          if (!gz.write(chunk)) await new Promise((r) => { gz.once('drain', r); gz.once('close', r); });
          if (gz.destroyed) return;
        }
        gz.end();
      } catch (err) {
        gz.destroy(err as Error);
      }
    })();
    const images = this.images;
    async function* compressed(): AsyncIterable<Uint8Array> {
      for await (const chunk of gz) {
        await writer.write(chunk as Buffer);
        yield chunk as Buffer;
      }
    }
    try {
      await this.sendBlob(compressed(), () => {
        // The source is read to its end by now: the layer must be what its diff ID says.
        if (`sha256:${check.digest('hex')}` !== diffId) throw invalidParameter(`layer ${diffId}: stored blob ${raw.digest} does not match its diff ID`);
        return writer.digest();
      }, undefined, 0);
      await feed;
      const size = writer.written;
      const digest = await writer.commit(size);
      const blob: PushLayerBlob = { digest, mediaType: MEDIA.dockerLayerGzip, size, sourceRepository: this.repoName };
      await images.recordLayerBlob(diffId, blob);
      progress.finish();
      return blob;
    } catch (err) {
      gz.destroy();
      await writer.abort().catch(() => {});
      throw err;
    }
  }

  private async blobExists(digest: string): Promise<boolean> {
    const res = await this.req(`blobs/${digest}`, { method: 'HEAD' });
    res.body.resume();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await pushError(res);
  }

  private async ensureConfig(digest: string, raw: Uint8Array): Promise<void> {
    if (await this.blobExists(digest)) return;
    const start = await this.req('blobs/uploads/', { method: 'POST' });
    if (start.status !== 202) throw await pushError(start);
    start.body.resume();
    const put = withDigest(uploadLocation(start), digest);
    const res = await this.req(put, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: raw });
    if (res.status !== 201) throw await pushError(res);
    res.body.resume();
  }

  /**
   * POST (unless a refused mount already opened an upload), then the bytes in PATCHes of the
   * chunk size with Content-Range, one in flight while the next fills, then PUT ?digest=; a blob
   * within one chunk goes monolithic with the PUT. `digestOf` is asked once the source ended.
   */
  private async sendBlob(source: AsyncIterable<Uint8Array>, digestOf: () => string, location: URL | undefined, minChunk: number): Promise<void> {
    if (!location) {
      const res = await this.req('blobs/uploads/', { method: 'POST' });
      if (res.status !== 202) throw await pushError(res);
      res.body.resume();
      location = uploadLocation(res);
      minChunk = chunkMin(res);
    }
    let at: URL = location;
    if (this.streaming && minChunk === 0) {
      // docker's way: the whole blob in one streamed PATCH, then the PUT with the digest.
      this.checkCanceled();
      const res = await streamPatch({ session: this.session, scopes: this.scopes, tls: this.tls, location: at, body: source, ...(this.signal ? { signal: this.signal } : {}) });
      if (res.status !== 202) throw await pushError(res);
      res.body.resume();
      at = uploadLocation(res, at);
      const put = await this.req(withDigest(at, digestOf()), { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' } });
      if (put.status !== 201) throw await pushError(put);
      put.body.resume();
      return;
    }
    const chunkSize = Math.max(this.chunk, minChunk);
    let sent = 0;
    let inflight: Promise<void> = Promise.resolve();
    const patch = async (body: Buffer, start: number): Promise<void> => {
      const res = await this.req(at, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${start}-${start + body.byteLength - 1}` },
        body,
      });
      if (res.status !== 202) throw await pushError(res);
      res.body.resume();
      at = uploadLocation(res, at);
    };
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const take = (): Buffer => {
      const body = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      return body;
    };
    try {
      for await (const chunk of source) {
        this.checkCanceled();
        let c = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        while (c.byteLength > 0) {
          const n = Math.min(c.byteLength, chunkSize - pendingBytes);
          pending.push(c.subarray(0, n));
          pendingBytes += n;
          c = c.subarray(n);
          if (pendingBytes === chunkSize) {
            const body = take();
            await inflight;
            const start = sent;
            sent += body.byteLength;
            inflight = patch(body, start);
          }
        }
      }
      await inflight;
    } catch (err) {
      await inflight.catch(() => {});
      throw err;
    }
    const rest = take();
    const digest = digestOf();
    if (sent === 0) {
      const res = await this.req(withDigest(at, digest), { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: rest });
      if (res.status !== 201) throw await pushError(res);
      res.body.resume();
      return;
    }
    if (rest.byteLength > 0) {
      await patch(rest, sent);
      sent += rest.byteLength;
    }
    const res = await this.req(withDigest(at, digest), { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' } });
    if (res.status !== 201) throw await pushError(res);
    res.body.resume();
  }
}

/** The push stopped because the API client went away (Go's context.Canceled). */
class PushCanceledError extends Error {
  constructor() {
    super('context canceled');
  }
}

/** Passes a stream through, reporting each chunk's size. */
async function* countBytes(source: AsyncIterable<Uint8Array>, onBytes: (n: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}

/** The repository path to mount a blob from: its recorded source, when on the same registry and another repository. */
function mountSource(source: string | undefined, domain: string, repoName: string): string | undefined {
  if (!source || source === repoName) return undefined;
  let parsed: NamedReference;
  try {
    parsed = parseNormalizedNamed(source);
  } catch {
    return undefined;
  }
  if (parsed.domain !== domain) return undefined;
  return parsed.path;
}

function shortId(diffId: string): string {
  const i = diffId.indexOf(':');
  return diffId.slice(i + 1, i + 13);
}

function uploadLocation(res: HttpResponse, previous?: URL): URL {
  const loc = res.headers.location;
  if (typeof loc !== 'string' || !loc) {
    if (previous) return previous;
    throw new UnexpectedResponseError(res.status, 'registry did not return an upload location');
  }
  return new URL(loc, res.url);
}

function chunkMin(res: HttpResponse): number {
  const v = Number(res.headers['oci-chunk-min-length']);
  return Number.isSafeInteger(v) && v > 0 ? Math.min(v, 1 << 30) : 0;
}

function withDigest(location: URL, digest: string): URL {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u;
}

async function pushError(res: HttpResponse): Promise<Error> {
  return registryErrorFromResponse(res);
}

/** moby's retryOnError: transport failures and server errors are retried, registry refusals are not. */
function retryable(err: unknown): boolean {
  if (err instanceof NoCredentialsError) return false;
  if (err instanceof TransportError) return true;
  if (err instanceof UnexpectedResponseError) return err.status >= 500 || err.status === 0;
  if (err instanceof RegistryError) return err.code === 'UNKNOWN' && err.status >= 500;
  return false;
}

/** Go's url.Error around "no basic auth credentials" is dropped for push, as moby does. */
function unwrap(err: unknown): unknown {
  if (err instanceof NoCredentialsError) return new NoCredentialsError();
  return err;
}
