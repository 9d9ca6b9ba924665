// berth-registry's HTTP surface: the OCI distribution spec v1.1 API (/v2/...) plus Docker's v1
// search (/v1/search), on a RegistryStore. Every request: the optional extra handler (the token
// endpoint of the auth box), route parsing, name validation, the accesses it needs, one
// authorize() call, then the handler. Errors are distribution's `{"errors":[...]}`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../common/index.ts';
import type { Access, RegistryAuthenticator, RepositoryAction, Subject } from './auth/types.ts';
import { accessDetail } from './auth/detail.ts';
import { RegistryError, errorBody, regError } from './errors.ts';
import { MANIFEST_MAX_BYTES, MEDIA_OCI_INDEX } from './manifest.ts';
import {
  isSupportedDigest,
  isValidName,
  isValidTag,
  isValidUploadId,
  looksLikeDigest,
  paginate,
  parseCount,
  parseRoute,
  type Route,
} from './names.ts';
import { RegistryStore, rangeHeader } from './store.ts';

/** A handler that may take a request before the registry routes (true = it answered). */
export type ExtraHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** One line of the access log. */
export interface AccessLogEntry {
  time: string;
  remote: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  duration_ms: number;
  user_agent: string;
  /** The authenticated account, or null. */
  subject: string | null;
}

export interface RegistryServerOptions {
  store: RegistryStore;
  /** Who may do what; default: everyone may do everything. */
  authenticator?: RegistryAuthenticator;
  /** Runs first for every request (the auth box's token endpoint). */
  extraHandler?: ExtraHandler;
  /** storage.delete.enabled: DELETE of manifests and blobs answers 405 UNSUPPORTED when false. */
  deleteEnabled: boolean;
  /** storage.maintenance.readonly.enabled: every write answers 405 UNSUPPORTED (for a GC run beside it). */
  readOnly?: boolean;
  /** http.headers: added to every response. */
  headers?: Record<string, string[]>;
  /** Receives one entry per request (undefined: no access log). */
  accessLog?: (entry: AccessLogEntry) => void;
  logger?: Logger;
  /** OCI-Chunk-Min-Length announced on upload sessions (object storage wants 5 MiB parts). */
  chunkMinLength?: number;
  /** Largest `n` of a catalog page (distribution's catalog.maxentries). */
  catalogMaxEntries?: number;
}

const allowAll: RegistryAuthenticator = {
  authorize: async () => ({ ok: true, subject: undefined }),
};

interface RequestContext {
  bytes: number;
  subject: Subject | undefined;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function createRegistryHandler(opts: RegistryServerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const auth = opts.authenticator ?? allowAll;
  const store = opts.store;
  const catalogMax = opts.catalogMaxEntries ?? 1000;

  return (req, res) => {
    const started = process.hrtime.bigint();
    const ctx: RequestContext = { bytes: 0, subject: undefined };
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    for (const [k, vs] of Object.entries(opts.headers ?? {})) res.setHeader(k, vs);
    res.on('close', () => {
      if (!opts.accessLog) return;
      opts.accessLog({
        time: new Date().toISOString(),
        remote: req.socket.remoteAddress ?? '',
        method: req.method ?? '',
        path: req.url ?? '',
        status: res.statusCode,
        bytes: ctx.bytes,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        user_agent: String(req.headers['user-agent'] ?? ''),
        subject: ctx.subject?.name ?? null,
      });
    });
    handle(req, res, ctx).catch((err: unknown) => {
      if (res.headersSent) {
        // Mostly a client that went away in the middle of a blob.
        opts.logger?.debug('response aborted', { err: String(err), url: req.url });
        res.destroy();
        return;
      }
      if (!(err instanceof RegistryError)) opts.logger?.error('registry request failed', { err: String(err), url: req.url });
      const e = err instanceof RegistryError ? err : new RegistryError('UNKNOWN');
      sendError(req, res, ctx, e);
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    if (opts.extraHandler && (await opts.extraHandler(req, res))) return;
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    if (url.pathname === '/v1/search') return search(req, res, ctx, url);
    if (url.pathname === '/v2') return redirectBase(res);
    if (!url.pathname.startsWith('/v2/')) return notFound(res, ctx);
    let segs: string[];
    try {
      segs = url.pathname.slice(4).split('/').map(decodeURIComponent);
    } catch {
      throw regError('NAME_INVALID', 'bad percent-encoding');
    }
    // An encoded slash would move the route's keywords: refuse it rather than guess.
    if (segs.some((s) => s.includes('/'))) throw regError('NAME_INVALID', 'encoded slash in path');
    const rest = segs.join('/');
    const route = parseRoute(rest);
    if (!route) return notFound(res, ctx);
    if ('name' in route && !isValidName(route.name)) throw regError('NAME_INVALID', { name: route.name });

    const mount = route.kind === 'upload-start' && method === 'POST' ? mountRequest(url) : undefined;
    const needed = accessesFor(route, method, mount?.from);
    let decision = await auth.authorize(req.headers.authorization, needed, originOf(req));
    let mayMount = mount?.from !== undefined;
    if (!decision.ok && needed.length > 1) {
      // May push here but not pull `from`: no mount, a plain upload session instead. When even
      // that is refused, the first answer stands (its challenge asks for every scope, as distribution's).
      const retry = await auth.authorize(req.headers.authorization, accessesFor(route, method, undefined), originOf(req));
      if (retry.ok) {
        decision = retry;
        mayMount = false;
      }
    }
    if (!decision.ok) {
      throw new RegistryError(decision.code, {
        status: decision.status,
        message: decision.message,
        detail: accessDetail(decision.detail),
        headers: decision.challenge ? { 'WWW-Authenticate': decision.challenge } : {},
      });
    }
    ctx.subject = decision.subject;
    if (opts.readOnly && method !== 'GET' && method !== 'HEAD') throw unsupported();

    switch (route.kind) {
      case 'base':
        return sendJson(res, ctx, 200, {});
      case 'catalog':
        return onlyGet(method, () => catalog(res, ctx, url));
      case 'tags':
        return onlyGet(method, () => tagsList(res, ctx, route.name, url));
      case 'manifest':
        return manifest(req, res, ctx, method, route.name, route.reference);
      case 'blob':
        return blob(req, res, ctx, method, route.name, route.digest);
      case 'upload-start':
        if (method !== 'POST') throw unsupported();
        return uploadStart(req, res, ctx, route.name, url, mayMount ? mount : undefined);
      case 'upload':
        return upload(req, res, ctx, method, route.name, route.id, url);
      case 'referrers':
        return onlyGet(method, () => referrers(res, ctx, route.name, route.digest, url));
    }
  }

  async function onlyGet(method: string, fn: () => Promise<void>): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') throw unsupported();
    return fn();
  }

  async function catalog(res: ServerResponse, ctx: RequestContext, url: URL): Promise<void> {
    const n = countParam(url);
    if (n !== undefined && n > catalogMax) throw regError('PAGINATION_NUMBER_INVALID', { n, max: catalogMax });
    const last = url.searchParams.get('last') ?? undefined;
    const page = paginate(await store.repositories(), n, last, catalogMax);
    if (page.next !== undefined) {
      res.setHeader('Link', `</v2/_catalog?last=${encodeURIComponent(page.next)}&n=${n ?? catalogMax}>; rel="next"`);
    }
    sendJson(res, ctx, 200, { repositories: page.items });
  }

  async function tagsList(res: ServerResponse, ctx: RequestContext, name: string, url: URL): Promise<void> {
    const n = countParam(url);
    const last = url.searchParams.get('last') ?? undefined;
    const page = paginate(await store.tags(name), n, last);
    if (page.next !== undefined) {
      res.setHeader('Link', `</v2/${name}/tags/list?last=${encodeURIComponent(page.next)}&n=${n}>; rel="next"`);
    }
    sendJson(res, ctx, 200, { name, tags: page.items });
  }

  async function manifest(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    method: string,
    name: string,
    reference: string,
  ): Promise<void> {
    checkReference(reference);
    if (method === 'GET' || method === 'HEAD') {
      const m = await store.getManifest(name, reference);
      if (notModified(req, m.digest)) {
        res.setHeader('Docker-Content-Digest', m.digest);
        res.setHeader('ETag', `"${m.digest}"`);
        return sendEmpty(res, 304);
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', m.mediaType);
      res.setHeader('Content-Length', m.content.length);
      res.setHeader('Docker-Content-Digest', m.digest);
      res.setHeader('ETag', `"${m.digest}"`);
      if (method === 'HEAD') return void res.end();
      ctx.bytes = m.content.length;
      return void res.end(m.content);
    }
    if (method === 'PUT') {
      const body = await readBody(req, MANIFEST_MAX_BYTES);
      const ct = req.headers['content-type'];
      const { digest, parsed } = await store.putManifest(name, reference, body, ct);
      res.setHeader('Location', `/v2/${name}/manifests/${digest}`);
      res.setHeader('Docker-Content-Digest', digest);
      if (parsed.subject) res.setHeader('OCI-Subject', parsed.subject.digest);
      return sendEmpty(res, 201);
    }
    if (method === 'DELETE') {
      if (!opts.deleteEnabled) throw unsupported();
      await store.deleteManifest(name, reference);
      return sendEmpty(res, 202);
    }
    throw unsupported();
  }

  async function blob(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    method: string,
    name: string,
    digest: string,
  ): Promise<void> {
    checkDigest(digest);
    if (method === 'DELETE') {
      if (!opts.deleteEnabled) throw unsupported();
      await store.deleteBlob(name, digest);
      return sendEmpty(res, 202);
    }
    if (method !== 'GET' && method !== 'HEAD') throw unsupported();
    const size = await store.repoBlobSize(name, digest);
    if (size === undefined) throw regError('BLOB_UNKNOWN', { digest });
    const redirect = await store.redirectURL(method, digest);
    if (redirect) {
      res.setHeader('Location', redirect);
      res.setHeader('Docker-Content-Digest', digest);
      return sendEmpty(res, 307);
    }
    res.setHeader('Docker-Content-Digest', digest);
    res.setHeader('ETag', `"${digest}"`);
    if (notModified(req, digest)) return sendEmpty(res, 304);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'max-age=31536000');
    res.setHeader('Content-Type', 'application/octet-stream');
    let start = 0;
    let end = size - 1;
    const range = method === 'GET' ? parseByteRange(req.headers.range, size) : undefined;
    if (range === 'unsatisfiable') {
      throw new RegistryError('RANGE_INVALID', { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
    }
    if (range) {
      [start, end] = range;
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    } else {
      res.statusCode = 200;
    }
    const length = size === 0 ? 0 : end - start + 1;
    res.setHeader('Content-Length', length);
    if (method === 'HEAD' || length === 0) return void res.end();
    if (await store.writeBlobTo(digest, start, length, res)) {
      ctx.bytes = length;
      res.end();
      return;
    }
    await pipeline(limit(await store.openBlob(digest, start), length, ctx), res);
  }

  async function uploadStart(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    name: string,
    url: URL,
    mount: { digest: string; from: string | undefined } | undefined,
  ): Promise<void> {
    if (mount) {
      checkDigest(mount.digest);
      if (mount.from !== undefined && isValidName(mount.from) && (await store.mountBlob(name, mount.from, mount.digest))) {
        res.setHeader('Location', `/v2/${name}/blobs/${mount.digest}`);
        res.setHeader('Docker-Content-Digest', mount.digest);
        return sendEmpty(res, 201);
      }
    }
    const digest = url.searchParams.get('digest');
    if (digest !== null && !mount) {
      checkDigest(digest);
      const id = await store.startUpload(name);
      await store.appendUpload(name, id, req);
      await store.completeUpload(name, id, digest);
      res.setHeader('Location', `/v2/${name}/blobs/${digest}`);
      res.setHeader('Docker-Content-Digest', digest);
      return sendEmpty(res, 201);
    }
    const id = await store.startUpload(name);
    sessionHeaders(res, name, id, 0);
    if (opts.chunkMinLength !== undefined) res.setHeader('OCI-Chunk-Min-Length', String(opts.chunkMinLength));
    return sendEmpty(res, 202);
  }

  async function upload(
    req: IncomingMessage,
    res: ServerResponse,
    ctx: RequestContext,
    method: string,
    name: string,
    id: string,
    url: URL,
  ): Promise<void> {
    if (!isValidUploadId(id)) throw regError('BLOB_UPLOAD_UNKNOWN', { uuid: id });
    if (method === 'GET') {
      const size = await store.uploadSize(name, id);
      sessionHeaders(res, name, id, size);
      return sendEmpty(res, 204);
    }
    if (method === 'DELETE') {
      await store.cancelUpload(name, id);
      return sendEmpty(res, 204);
    }
    if (method === 'PATCH') {
      const size = await store.appendUpload(name, id, req, contentRangeStart(req));
      sessionHeaders(res, name, id, size);
      return sendEmpty(res, 202);
    }
    if (method === 'PUT') {
      const digest = url.searchParams.get('digest');
      if (digest === null) throw regError('DIGEST_INVALID', 'digest missing');
      checkDigest(digest);
      if (hasBody(req)) await store.appendUpload(name, id, req, contentRangeStart(req));
      await store.completeUpload(name, id, digest);
      res.setHeader('Location', `/v2/${name}/blobs/${digest}`);
      res.setHeader('Docker-Content-Digest', digest);
      return sendEmpty(res, 201);
    }
    throw unsupported();
  }

  async function referrers(res: ServerResponse, ctx: RequestContext, name: string, digest: string, url: URL): Promise<void> {
    checkDigest(digest);
    let list = await store.referrers(name, digest);
    const artifactType = url.searchParams.get('artifactType');
    if (artifactType !== null) {
      list = list.filter((d) => d.artifactType === artifactType);
      res.setHeader('OCI-Filters-Applied', 'artifactType');
    }
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_OCI_INDEX, manifests: list }));
    res.statusCode = 200;
    res.setHeader('Content-Type', MEDIA_OCI_INDEX);
    res.setHeader('Content-Length', body.length);
    ctx.bytes = body.length;
    res.end(body);
  }

  async function search(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: URL): Promise<void> {
    if (req.method !== 'GET') throw unsupported();
    // Docker's clients ask for `registry:catalog:search` (moby registry/search.go); a grant of
    // `registry:catalog:*` covers it too.
    const decision = await auth.authorize(req.headers.authorization, [{ type: 'registry', name: 'catalog', actions: ['search'] }], originOf(req));
    if (!decision.ok) {
      throw new RegistryError(decision.code, {
        status: decision.status,
        message: decision.message,
        headers: decision.challenge ? { 'WWW-Authenticate': decision.challenge } : {},
      });
    }
    ctx.subject = decision.subject;
    const q = url.searchParams.get('q') ?? '';
    const n = Math.min(Math.max(Number(url.searchParams.get('n')) || 25, 1), 100);
    const page = Math.max(Number(url.searchParams.get('page')) || 1, 1);
    const term = q.toLowerCase();
    const all = (await store.repositories()).filter((r) => r.includes(term));
    const results = all.slice((page - 1) * n, page * n).map((name) => ({
      name,
      description: '',
      star_count: 0,
      is_official: false,
      is_automated: false,
      is_trusted: false,
    }));
    sendJson(res, ctx, 200, {
      num_pages: Math.ceil(all.length / n),
      num_results: all.length,
      page_size: n,
      page,
      query: q,
      results,
    });
  }

  function sendError(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, e: RegistryError): void {
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    if (e.code === 'RANGE_INVALID' && !e.headers['Content-Range'] && req.url) {
      // An out-of-order chunk: tell the client where the session stands.
      const route = parseRoute(new URL(req.url, 'http://r').pathname.slice(4));
      if (route?.kind === 'upload') res.setHeader('Location', `/v2/${route.name}/blobs/uploads/${route.id}`);
    }
    const body = Buffer.from(errorBody(e));
    res.statusCode = e.status;
    res.setHeader('Content-Type', JSON_TYPE);
    res.setHeader('Content-Length', body.length);
    if (req.method === 'HEAD') return void res.end();
    ctx.bytes = body.length;
    res.end(body);
  }
}

/** The registry as this client reached it (scheme and Host header), for token challenges; undefined for an odd Host. */
function originOf(req: IncomingMessage): { origin: string } | undefined {
  const host = req.headers.host;
  if (host === undefined || !/^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/.test(host)) return undefined;
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return { origin: `${tls ? 'https' : 'http'}://${host}` };
}

/** The accesses a request needs (distribution's rules: writes need pull and push). */
export function accessesFor(route: Route, method: string, mountFrom: string | undefined): Access[] {
  const repo = (name: string, ...actions: RepositoryAction[]): Access => ({ type: 'repository', name, actions });
  switch (route.kind) {
    case 'base':
      return [];
    case 'catalog':
      return [{ type: 'registry', name: 'catalog', actions: ['*'] }];
    case 'tags':
    case 'referrers':
      return [repo(route.name, 'pull')];
    case 'manifest':
    case 'blob':
      if (method === 'GET' || method === 'HEAD') return [repo(route.name, 'pull')];
      if (method === 'DELETE') return [repo(route.name, 'delete')];
      return [repo(route.name, 'pull', 'push')];
    case 'upload-start':
      return mountFrom !== undefined && mountFrom !== route.name && isValidName(mountFrom)
        ? [repo(route.name, 'pull', 'push'), repo(mountFrom, 'pull')]
        : [repo(route.name, 'pull', 'push')];
    case 'upload':
      return [repo(route.name, 'pull', 'push')];
  }
}

function mountRequest(url: URL): { digest: string; from: string | undefined } | undefined {
  const digest = url.searchParams.get('mount');
  if (digest === null) return undefined;
  return { digest, from: url.searchParams.get('from') ?? undefined };
}

function checkDigest(d: string): void {
  if (!isSupportedDigest(d)) throw regError('DIGEST_INVALID', { digest: d }, 'invalid digest');
}

function checkReference(ref: string): void {
  if (ref.includes(':')) {
    if (!looksLikeDigest(ref) || !isSupportedDigest(ref)) throw regError('DIGEST_INVALID', { digest: ref }, 'invalid digest');
  } else if (!isValidTag(ref)) {
    throw regError('TAG_INVALID', { tag: ref }, 'invalid tag');
  }
}

function countParam(url: URL): number | undefined {
  try {
    return parseCount(url.searchParams.get('n'));
  } catch {
    throw regError('PAGINATION_NUMBER_INVALID', { n: url.searchParams.get('n') });
  }
}

const unsupported = () => regError('UNSUPPORTED');

/** The start of a `Content-Range: <start>-<end>` of an upload chunk; 416 when malformed. */
function contentRangeStart(req: IncomingMessage): number | undefined {
  const h = req.headers['content-range'];
  if (h === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)$/.exec(h.trim());
  if (!m || Number(m[2]) < Number(m[1])) throw new RegistryError('RANGE_INVALID', { detail: { 'Content-Range': h } });
  const len = req.headers['content-length'];
  if (len !== undefined && Number(len) !== Number(m[2]) - Number(m[1]) + 1) {
    throw new RegistryError('RANGE_INVALID', { detail: { 'Content-Range': h, 'Content-Length': len } });
  }
  return Number(m[1]);
}

/** If-None-Match naming this content's ETag (content is immutable: its digest is its ETag). */
function notModified(req: IncomingMessage, digest: string): boolean {
  const inm = req.headers['if-none-match'];
  if (inm === undefined) return false;
  return inm.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === `"${digest}"` || v === digest;
  });
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers['content-length'];
  if (len !== undefined) return Number(len) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** A single `bytes=` range of a blob of `size` bytes, 'unsatisfiable', or undefined (serve it all). */
export function parseByteRange(header: string | undefined, size: number): [number, number] | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // several ranges or garbage: the whole blob
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(size - n, 0), size - 1];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || (m[2] !== '' && Number(m[2]) < start)) return 'unsatisfiable';
  return [start, end];
}

async function* limit(source: AsyncIterable<Uint8Array>, length: number, ctx: RequestContext): AsyncIterable<Uint8Array> {
  let left = length;
  for await (const chunk of source) {
    if (left <= 0) break;
    const piece = chunk.length > left ? chunk.subarray(0, left) : chunk;
    left -= piece.length;
    ctx.bytes += piece.length;
    yield piece;
  }
  if (left > 0) throw new Error(`blob shorter than its size by ${left} bytes`);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  let tooBig = false;
  for await (const c of req as AsyncIterable<Buffer>) {
    total += c.length;
    if (total > max) tooBig = true; // keep draining so that the connection stays usable
    else chunks.push(c);
  }
  if (tooBig) {
    throw new RegistryError('SIZE_INVALID', { status: 413, message: 'manifest too big', detail: { limit: max } });
  }
  return Buffer.concat(chunks);
}

function sessionHeaders(res: ServerResponse, name: string, id: string, size: number): void {
  res.setHeader('Location', `/v2/${name}/blobs/uploads/${id}`);
  res.setHeader('Range', rangeHeader(size));
  res.setHeader('Docker-Upload-UUID', id);
}

function sendEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  if (status !== 304) res.setHeader('Content-Length', 0);
  res.end();
}

function sendJson(res: ServerResponse, ctx: RequestContext, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', body.length);
  ctx.bytes = body.length;
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

function redirectBase(res: ServerResponse): void {
  res.setHeader('Location', '/v2/');
  sendEmpty(res, 301);
}

function notFound(res: ServerResponse, ctx: RequestContext): void {
  const body = Buffer.from('404 page not found\n');
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  ctx.bytes = body.length;
  res.end(body);
}
