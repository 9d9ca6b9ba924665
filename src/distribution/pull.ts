// `docker pull` as dockerd 28 does it with the graph driver store (moby daemon/images/
// image_pull.go, internal/distribution/pull_v2.go, xfer/download.go): the manifest (digest
// computed, checked for a pull by digest), a platform picked from a list/index, the config
// (verified, diff_ids matching the layers), then layers downloaded in parallel (bounded)
// into the content store's ingest, verified while they stream, registered in order as soon
// as their parent is, with Docker's progress messages. A layer whose chain exists is not
// fetched; a blob already in the content store (an earlier interrupted pull) is not fetched
// again; a failed pull releases the layers it registered and never stores a bad blob.
import { BerthError, errorKind, invalidParameter, forbidden } from '../common/index.ts';
import {
  chainIds,
  familiarName,
  familiarString,
  parseNormalizedNamed,
  referenceString,
  type ImageService,
  type NamedReference,
} from '../image/index.ts';
import type { ContentWriter } from '../content/index.ts';
import type { AuthConfig } from './auth.ts';
import {
  MAX_CONFIG_SIZE,
  checkConfigMediaType,
  checkSupportedMediaType,
  matchingManifests,
  noMatchError,
  parseConfig,
  type Descriptor,
  type FetchedManifest,
  type ImageManifest,
  type ManifestIndex,
} from './manifest.ts';
import { parsePlatform, type Platform } from './platform.ts';
import { ProgressCounter, message, update, type PullProgress } from './progress.ts';
import type { RegistryClient, RepositorySession } from './registry-client.ts';
import { RegistryError, UnexpectedResponseError } from './registry-errors.ts';
import { TransportError } from './transport.ts';

export interface PullRequest {
  /** fromImage (a trailing ":" is ignored, as dockerd does for `pull -a`). */
  image: string;
  /** tag: a tag or a digest; empty with a name-only image pulls every tag. */
  tag?: string;
  platform?: string;
  auth: AuthConfig;
  progress: PullProgress;
  signal?: AbortSignal;
}

export interface PullDeps {
  images: ImageService;
  client: RegistryClient;
  /** Retry delay base in ms (dockerd: 5 s times the attempt number); tests shorten it. */
  retryDelayMs?: number;
}

const ROOTFS_MISMATCH = "layers from manifest don't match image configuration";

/** Parses fromImage + tag as dockerd's postImagesCreate does; errors before any byte is sent. */
export function pullReference(image: string, tag?: string): NamedReference {
  let ref = parseNormalizedNamed(image.replace(/:$/, ''));
  if (tag) {
    if (/^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(tag) && tag.includes(':')) {
      const digestRef = parseNormalizedNamed(`${familiarName(ref)}@${tag}`);
      ref = { domain: ref.domain, path: ref.path, digest: digestRef.digest };
    } else {
      if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw invalidParameter('invalid tag format');
      ref = { domain: ref.domain, path: ref.path, tag };
    }
  }
  if (familiarName(ref) === 'scratch') throw forbidden("'scratch' is a reserved name");
  return ref;
}

/** Pulls an image (or every tag of a name-only reference). */
export async function pullImage(deps: PullDeps, req: PullRequest): Promise<void> {
  const ref = pullReference(req.image, req.tag);
  const platform = req.platform ? parsePlatform(req.platform) : undefined;
  const opts = { path: ref.path, auth: req.auth, actions: ['pull'] as const };
  let downloaded = false;
  await deps.client.withEndpoints(ref.domain, opts, async (session) => {
    try {
      if (ref.tag === undefined && ref.digest === undefined) {
        const tags = await session.tags();
        for (const t of tags) {
          if (await pullTag(deps, session, { domain: ref.domain, path: ref.path, tag: t }, platform, req)) downloaded = true;
        }
      } else {
        downloaded = await pullTag(deps, session, ref, platform, req);
      }
    } catch (err) {
      throw translatePullError(err, ref);
    }
  });
  req.progress(message('', `Status: ${downloaded ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}`));
  deps.images.logDistributionEvent('pull', referenceString(ref));
}

/** moby's translatePullError: registry "not found" answers in Docker's words (404). */
function translatePullError(err: unknown, ref: NamedReference): unknown {
  if (!(err instanceof RegistryError)) return err;
  const wrap = (prefix: string) => new BerthError('NotFound', `${prefix}: ${err.message}`, { cause: err });
  switch (err.code) {
    case 'DENIED':
      return wrap(`pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login'`);
    case 'MANIFEST_UNKNOWN':
      return wrap(`manifest for ${familiarString(ref)} not found`);
    case 'NAME_UNKNOWN':
      return wrap(`repository ${familiarName(ref)} not found`);
    default:
      return err;
  }
}

/** One tag or digest; true when the reference now points at a new image. */
async function pullTag(deps: PullDeps, session: RepositorySession, ref: NamedReference, platform: Platform | undefined, req: PullRequest): Promise<boolean> {
  const tagOrDigest = ref.digest ?? ref.tag!;
  const top = await session.getManifest(tagOrDigest, referenceString(ref));
  req.progress(message(tagOrDigest, `Pulling from ${ref.path}`));
  let imageId: string;
  if (top.manifest.kind === 'index') {
    imageId = await pullFromIndex(deps, session, ref, top.manifest, platform, req, 0);
  } else {
    imageId = await pullManifest(deps, session, ref, top.manifest, req);
  }
  req.progress(message('', `Digest: ${top.digest}`));
  const name = `${ref.domain}/${ref.path}`;
  if (ref.digest !== undefined) {
    return deps.images.setPulledReference(`${name}@${ref.digest}`, imageId);
  }
  // moby's addDigestReference: a digest already naming another image (another platform of an
  // index) is left as it is.
  await deps.images.setPulledReference(`${name}@${top.digest}`, imageId).catch((err: unknown) => {
    if (!/cannot overwrite digest/i.test((err as Error).message)) throw err;
  });
  return deps.images.setPulledReference(`${name}:${ref.tag}`, imageId);
}

async function pullFromIndex(
  deps: PullDeps, session: RepositorySession, ref: NamedReference, index: ManifestIndex, platform: Platform | undefined, req: PullRequest, depth: number,
): Promise<string> {
  if (depth > 4) throw invalidParameter('manifest list nesting too deep');
  for (const match of matchingManifests(index, platform)) {
    const m: FetchedManifest = await session.getManifest(match.digest, referenceString(ref));
    if (m.manifest.kind === 'manifest') return pullManifest(deps, session, ref, m.manifest, req);
    try {
      return await pullFromIndex(deps, session, ref, m.manifest, platform, req, depth + 1);
    } catch (err) {
      if (errorKind(err) !== 'NotFound') throw err;
    }
  }
  throw noMatchError(platform);
}

/** pullSchema2Layers. */
async function pullManifest(deps: PullDeps, session: RepositorySession, ref: NamedReference, m: ImageManifest, req: PullRequest): Promise<string> {
  const images = deps.images;
  checkConfigMediaType(m.config.mediaType);
  const exists = (() => {
    try {
      return images.get(m.config.digest).id === m.config.digest;
    } catch {
      return false;
    }
  })();
  if (exists) return m.config.digest;
  checkSupportedMediaType(m.config.mediaType);
  for (const l of m.layers) checkSupportedMediaType(l.mediaType);
  if (m.config.size > MAX_CONFIG_SIZE) throw invalidParameter(`image config too large: ${m.config.size} bytes`);
  const configBytes = await withRetries(deps, () => session.getBlob(m.config.digest, MAX_CONFIG_SIZE));
  const config = parseConfig(configBytes);
  const diffIds = config.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || !diffIds.every((d): d is string => typeof d === 'string')) throw invalidParameter('image config has no rootfs section');
  if (diffIds.length !== m.layers.length) throw invalidParameter(ROOTFS_MISMATCH);
  // The chains this pull uses are held until its image exists (a concurrent failing pull
  // releases only layers nobody else holds).
  const holds: string[] = [];
  const hold = (chain: string) => {
    held.set(chain, (held.get(chain) ?? 0) + 1);
    holds.push(chain);
  };
  try {
    await pullLayers(deps, session, ref, m.layers, diffIds, req, hold);
    const img = await images.createImage(configBytes);
    return img.id;
  } finally {
    for (const chain of holds) {
      const n = (held.get(chain) ?? 1) - 1;
      if (n > 0) held.set(chain, n);
      else held.delete(chain);
    }
  }
}

/** A counting semaphore (max-concurrent-downloads). */
class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get busy(): boolean {
    return this.active >= this.max;
  }
  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}

class DoNotRetry extends Error {
  readonly inner: unknown;
  constructor(inner: unknown) {
    super((inner as Error).message);
    this.inner = inner;
  }
}

const shortId = (digest: string) => digest.slice(7, 19);

/**
 * A layer download as the extraction sees it: queued (waiting for a download slot), downloading
 * into its ingest (readable back while it grows), verified (every byte there and its digest
 * right; the commit's fsync and rename run meanwhile), done (committed) or failed.
 */
class LiveDownload {
  state: 'queued' | 'downloading' | 'verified' | 'done' | 'failed' = 'queued';
  writer: ContentWriter | undefined;
  error: unknown;
  /** The last batches written, by offset: the extraction takes them without reading the file. */
  private recent: { pos: number; buf: Uint8Array }[] = [];
  private waiters: (() => void)[] = [];

  wrote(pos: number, buf: Uint8Array): void {
    this.recent.push({ pos, buf });
    if (this.recent.length > RECENT_BATCHES) this.recent.shift();
    this.notify();
  }

  /** The batch written at `pos`, if it is still held; older ones are dropped. */
  take(pos: number): Uint8Array | undefined {
    while (this.recent.length && this.recent[0].pos < pos) this.recent.shift();
    const first = this.recent[0];
    if (first && first.pos === pos) {
      this.recent.shift();
      return first.buf;
    }
    return undefined;
  }

  set(state: LiveDownload['state'], error?: unknown): void {
    this.state = state;
    if (error !== undefined) this.error = error;
    this.notify();
  }

  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  wait(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  /** Throws the download's error once it failed (a method: the state changes across awaits). */
  check(): void {
    if (this.state === 'failed') throw this.error;
  }
}

const FOLLOW_CHUNK = 1 << 20;
const WRITE_BATCH = 1 << 20;
const RECENT_BATCHES = 8;

/**
 * The layer's bytes for extraction: from the content store when the blob is there, else
 * following the ingest as the download writes it. The stream ends only after the download
 * is verified and committed, so a blob that fails its digest never completes a registration.
 */
async function* layerBytes(images: ImageService, d: Descriptor, live: LiveDownload | undefined): AsyncGenerator<Uint8Array> {
  if (!live) {
    yield* images.content.read(d.digest);
    return;
  }
  while (live.state === 'queued') await live.wait();
  live.check();
  const w = live.writer;
  if (!w) {
    yield* images.content.read(d.digest);
    return;
  }
  let pos = 0;
  for (;;) {
    live.check();
    if (pos < w.written) {
      const held = live.take(pos);
      if (held) {
        pos += held.byteLength;
        yield held;
        continue;
      }
      let chunk: Uint8Array;
      try {
        chunk = await w.readAt(pos, Math.min(w.written - pos, FOLLOW_CHUNK));
      } catch (err) {
        // The ingest was committed (renamed) before the first read: read the blob instead.
        if (pos !== 0 || (err as { code?: string }).code !== 'ENOENT') throw err;
        while (live.state === 'downloading' || live.state === 'verified') await live.wait();
        live.check();
        yield* images.content.read(d.digest);
        return;
      }
      if (chunk.byteLength === 0) throw new Error(`short read of the download of ${d.digest}`);
      pos += chunk.byteLength;
      yield chunk;
      continue;
    }
    if (live.state === 'verified' || live.state === 'done') return;
    await live.wait();
  }
}

/** Downloads and registers the layers; on failure, releases what this pull registered. */
async function pullLayers(
  deps: PullDeps, session: RepositorySession, ref: NamedReference, layers: Descriptor[], diffIds: string[], req: PullRequest, hold: (chain: string) => void,
): Promise<void> {
  const images = deps.images;
  const chains = chainIds(diffIds);
  const out = req.progress;
  const source = `${ref.domain}/${ref.path}`;
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  req.signal?.addEventListener('abort', onOuterAbort);
  const registered: string[] = [];
  const limiter = new Limiter(deps.client.config.maxConcurrentDownloads);

  // Which layers exist already (their chain is registered): "Already exists", no fetch.
  const present: boolean[] = [];
  for (let i = 0; i < layers.length; i++) {
    present.push(await images.hasLayer(chains[i]));
    if (present[i]) hold(chains[i]);
  }
  const missing: number[] = [];
  for (let i = 0; i < layers.length; i++) {
    const id = shortId(layers[i].digest);
    if (present[i]) {
      out(update(id, 'Already exists'));
      // Remember where this diff can be found (push mounts or skips it), unless the record
      // already names a blob that is here (the bytes save and push send as they are).
      const cur = await images.layerBlob(diffIds[i]);
      if (!cur || !(await images.content.has(cur.digest))) {
        await images.recordLayerBlob(diffIds[i], { digest: layers[i].digest, mediaType: layers[i].mediaType, size: layers[i].size, sourceRepository: source });
      }
    } else {
      out(update(id, 'Pulling fs layer'));
      missing.push(i);
    }
  }
  missing.forEach((i, n) => {
    if (n >= deps.client.config.maxConcurrentDownloads) out(update(shortId(layers[i].digest), 'Waiting'));
  });

  // Downloads start now (bounded); each layer is extracted as soon as its parent is
  // registered, from its blob or while it is still downloading.
  const lives = new Map<number, LiveDownload>();
  const downloads = new Map<number, Promise<void>>();
  for (const i of missing) {
    const live = new LiveDownload();
    lives.set(i, live);
    downloads.set(i, download(deps, session, layers[i], limiter, out, abort.signal, live));
  }
  for (const p of downloads.values()) p.catch(() => abort.abort());

  // Extractions run in parallel (at most maxConcurrentDownloads take in bytes at once; a slot
  // is freed when the layer's bytes are all read), each registration committing only after
  // its parent's: layer order, as dockerd registers them.
  const slots = new Limiter(deps.client.config.maxConcurrentDownloads);
  let parentDone: Promise<unknown> = Promise.resolve();
  const registrations: Promise<void>[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (present[i]) continue;
    const parentReady = parentDone;
    const reg = extractLayer(i, parentReady);
    reg.catch(() => abort.abort());
    registrations.push(reg);
    parentDone = reg;
  }

  async function extractLayer(i: number, parentReady: Promise<unknown>): Promise<void> {
    const d = layers[i];
    const id = shortId(d.digest);
    const live = lives.get(i);
    const parent = i === 0 ? null : chains[i - 1];
    await slots.acquire();
    let slot = true;
    const freeSlot = () => {
      if (slot) slots.release();
      slot = false;
    };
    try {
      const counter = new ProgressCounter(out, id, 'Extracting', d.size);
      const bytes = layerBytes(images, d, live);
      const counted = (async function* () {
        try {
          for await (const chunk of bytes) {
            if (abort.signal.aborted) throw new AbortedError('pull cancelled');
            // Docker shows extraction after the download: before that, count silently.
            if (!live || live.state === 'verified' || live.state === 'done') counter.add(chunk.byteLength);
            else counter.skip(chunk.byteLength);
            yield chunk;
          }
          counter.finish();
        } finally {
          freeSlot();
        }
      })();
      const existed = await images.hasLayer(chains[i]);
      // A rejected parent fails this registration (inside registerLayer); handled here so that
      // a registration that fails first leaves no unhandled rejection behind.
      const ready = parentReady.then(() => {});
      ready.catch(() => {});
      let layer;
      try {
        layer = await images.registerLayer(counted, parent, diffIds[i], ready);
      } catch (err) {
        if (/does not match its diffID/.test((err as Error).message)) throw invalidParameter(ROOTFS_MISMATCH, err);
        throw err;
      }
      hold(layer.chainId);
      if (!existed) registered.push(layer.chainId);
      await downloads.get(i);
      await images.recordLayerBlob(diffIds[i], { digest: d.digest, mediaType: d.mediaType, size: d.size, sourceRepository: source });
      out(update(id, 'Pull complete'));
    } finally {
      freeSlot();
    }
  }

  let failure: unknown;
  // The first failure in layer order is the real one: a later layer fails with its parent.
  for (const r of await Promise.allSettled(registrations)) {
    if (r.status === 'rejected') {
      failure = r.reason;
      break;
    }
  }
  if (failure !== undefined) abort.abort();
  req.signal?.removeEventListener('abort', onOuterAbort);
  await Promise.allSettled(downloads.values());
  for (const live of lives.values()) await live.writer?.closeReader();
  if (failure !== undefined) {
    // Every download has stopped (their ingests are removed); release the layers we added,
    // unless a concurrent pull holds them too.
    for (const chain of registered.reverse()) if ((held.get(chain) ?? 0) <= 1) await images.releaseLayer(chain);
    // The first download error explains an abort better than the abort itself.
    for (const p of downloads.values()) {
      const r = await p.then(() => undefined, (e: unknown) => e);
      if (r !== undefined && !(r instanceof AbortedError)) {
        failure = r;
        break;
      }
    }
    throw failure instanceof DoNotRetry ? failure.inner : failure;
  }
}

class AbortedError extends Error {}

/** Fetches one blob into the content store (unless it is there), verified while it streams. */
async function download(deps: PullDeps, session: RepositorySession, d: Descriptor, limiter: Limiter, out: PullProgress, signal: AbortSignal, live: LiveDownload): Promise<void> {
  const images = deps.images;
  const id = shortId(d.digest);
  try {
    // Another pull fetching the same blob: wait for it rather than download it twice (moby's
    // transfer manager shares downloads); if it fails, fetch it ourselves.
    // The claim is made with no await between the check and the set: a second pull asking
    // for the blob at the same moment waits for this one.
    for (let other = inflight.get(d.digest); other; other = inflight.get(d.digest)) await other.catch(() => {});
    const mine = (async () => {
      if (await images.content.has(d.digest)) {
        out(update(id, 'Verifying Checksum'));
        out(update(id, 'Download complete'));
        live.set('done');
        return;
      }
      await fetchBlob(deps, session, d, limiter, out, signal, live);
    })();
    inflight.set(d.digest, mine);
    try {
      await mine;
    } finally {
      if (inflight.get(d.digest) === mine) inflight.delete(d.digest);
    }
  } catch (err) {
    live.set('failed', err);
    throw err;
  }
}

/** Layer chains that running pulls use, with how many: a failing pull releases only its own. */
const held = new Map<string, number>();

/** Blob downloads in progress in this daemon, by digest (shared by concurrent pulls). */
const inflight = new Map<string, Promise<void>>();

async function fetchBlob(deps: PullDeps, session: RepositorySession, d: Descriptor, limiter: Limiter, out: PullProgress, signal: AbortSignal, live: LiveDownload): Promise<void> {
  const images = deps.images;
  const id = shortId(d.digest);
  await limiter.acquire();
  let slot = true;
  const freeSlot = () => {
    if (slot) limiter.release();
    slot = false;
  };
  try {
    if (signal.aborted) throw new AbortedError('pull cancelled');
    const w = await images.ingest();
    live.writer = w;
    live.set('downloading');
    let ok = false;
    try {
      const attempts = deps.client.config.maxDownloadAttempts;
      for (let attempt = 1; ; attempt++) {
        try {
          await fetchInto(session, d, w, out, signal, (pos, batch) => live.wrote(pos, batch));
          break;
        } catch (err) {
          if (signal.aborted) throw new AbortedError('pull cancelled');
          if (err instanceof DoNotRetry || attempt >= attempts || !retryable(err)) throw err;
          await countdown(deps, id, attempt, out, signal);
        }
      }
      out(update(id, 'Verifying Checksum'));
      if (w.digest() !== d.digest || w.written !== d.size) {
        throw new DoNotRetry(invalidParameter(`filesystem layer verification failed for digest ${d.digest}`));
      }
      // Verified: the next download may start and the extraction may finish while the
      // commit (fsync, rename) runs; the pull waits for the commit before it records the blob.
      out(update(id, 'Download complete'));
      freeSlot();
      live.set('verified');
      await w.commit(d.size, d.digest);
      ok = true;
      live.set('done');
    } finally {
      if (!ok) await w.abort();
    }
  } finally {
    freeSlot();
  }
}

/** One attempt: GET (or a Range continuing what the writer has), streamed into the writer. */
async function fetchInto(session: RepositorySession, d: Descriptor, w: ContentWriter, out: PullProgress, signal: AbortSignal, wrote: (pos: number, batch: Uint8Array) => void): Promise<void> {
  const res = await session.openBlob(d.digest, w.written, signal);
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== w.written) {
      res.body.destroy();
      throw new DoNotRetry(invalidParameter(`registry answered a range request for ${d.digest} with another range`));
    }
  }
  // A registry that ignores Range sends the whole blob again: skip what the writer has (the
  // digest check at the end covers those bytes either way).
  let skip = res.status === 200 ? w.written : 0;
  const counter = new ProgressCounter(out, shortId(d.digest), 'Downloading', d.size, w.written);
  // Network chunks (16-64 KiB) are written in batches of about 1 MiB: one write per batch
  // costs the daemon's main thread much less. What arrived before a connection broke is
  // written too, so that the retry's Range request continues after it.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const batch = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const at = w.written;
    await w.write(batch);
    wrote(at, batch);
  };
  try {
    for await (const chunk of res.body) {
      let c = chunk as Buffer;
      if (skip > 0) {
        const n = Math.min(skip, c.length);
        skip -= n;
        c = c.subarray(n);
        if (c.length === 0) continue;
      }
      if (w.written + pendingBytes + c.length > d.size) {
        res.body.destroy();
        throw new DoNotRetry(invalidParameter(`filesystem layer verification failed for digest ${d.digest}`));
      }
      pending.push(c);
      pendingBytes += c.length;
      counter.add(c.length);
      if (pendingBytes >= WRITE_BATCH) await flush();
    }
  } catch (err) {
    if (!(err instanceof DoNotRetry)) await flush().catch(() => {});
    throw truncatedBody(err);
  }
  await flush();
  counter.finish();
  if (w.written < d.size) throw new TransportError('unexpected EOF');
}

/**
 * A body cut before its Content-Length: Node's response errors with "aborted" (ECONNRESET);
 * Go's reader, and so moby's last error after the retries, says "unexpected EOF".
 */
function truncatedBody(err: unknown): unknown {
  const e = err as { message?: string; code?: string };
  return err instanceof Error && !(err instanceof TransportError) && e.message === 'aborted' && e.code === 'ECONNRESET' ? new TransportError('unexpected EOF', 'ECONNRESET', err) : err;
}

function retryable(err: unknown): boolean {
  if (err instanceof TransportError) return true;
  if (err instanceof UnexpectedResponseError) return err.status >= 500;
  if (err instanceof RegistryError) return !['UNAUTHORIZED', 'UNSUPPORTED', 'DENIED', 'TOOMANYREQUESTS', 'NAME_UNKNOWN', 'BLOB_UNKNOWN'].includes(err.code);
  const code = (err as { code?: string }).code;
  if (code === 'ENOSPC') return false;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) && code !== 'ENOENT';
}

/** xfer's "Retrying in N seconds" countdown (5 s × attempt in dockerd). */
async function countdown(deps: PullDeps, id: string, attempt: number, out: PullProgress, signal: AbortSignal): Promise<void> {
  const unit = deps.retryDelayMs ?? 1000;
  for (let left = 5 * attempt; left > 0; left--) {
    out(update(id, `Retrying in ${left} second${left === 1 ? '' : 's'}`));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, unit);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(new AbortedError('pull cancelled'));
      }, { once: true });
    });
  }
}

/** moby's retry() for the config: up to 5 attempts, 250 ms doubling. */
async function withRetries<T>(deps: PullDeps, fn: () => Promise<T>): Promise<T> {
  let delay = Math.min(250, deps.retryDelayMs ?? 250);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 5 || !retryable(err)) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}
