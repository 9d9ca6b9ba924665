// The registry client: endpoints for a host (mirrors, https, insecure fallbacks), one session
// per repository and endpoint (its transport with the certs.d TLS settings, the /v2/ ping and
// its challenge, tokens per scope), and the distribution v2 calls pull and push are built on.
import { createHash } from 'node:crypto';
import { errorKind, invalidParameter } from '../common/index.ts';
import { EndpointAuth, NoCredentialsError, authenticateLines, parseChallenges, repositoryScope, type AuthConfig } from './auth.ts';
import { readCertsDir } from './certs-dir.ts';
import { MANIFEST_ACCEPT, MAX_MANIFEST_SIZE, parseManifest, type FetchedManifest } from './manifest.ts';
import type { RegistryConfig, RegistryEndpoint } from './registry-config.ts';
import { RegistryError, UnexpectedResponseError, registryErrorFromResponse } from './registry-errors.ts';
import { Transport, TransportError, readBody, type HttpResponse, type RequestOptions } from './transport.ts';

export type RepositoryAction = 'pull' | 'push' | 'delete' | '*';

export interface SessionOptions {
  /** Repository path inside the registry (`library/busybox`). */
  path: string;
  auth: AuthConfig;
  /** Actions asked of the token service for this repository (pull; pull+push for a push). */
  actions: readonly RepositoryAction[];
  /** Extra scopes (push: `repository:<source>:pull` for cross-repository mounts). */
  extraScopes?: readonly string[];
  userAgent?: string;
}

/** One repository on one endpoint. Close it when done (its keep-alive sockets). */
export class RepositorySession {
  readonly endpoint: RegistryEndpoint;
  readonly path: string;
  readonly auth: EndpointAuth;
  private readonly transport: Transport;
  private scopes: string[];
  private pinged = false;
  /** Whether the endpoint answered in HTTP at all (its TLS settings worked). */
  spokeHttp = false;

  constructor(endpoint: RegistryEndpoint, transport: Transport, opts: SessionOptions) {
    this.endpoint = endpoint;
    this.path = opts.path;
    this.transport = transport;
    this.auth = new EndpointAuth(transport, opts.auth);
    this.scopes = [repositoryScope(opts.path, opts.actions), ...(opts.extraScopes ?? [])];
  }

  close(): void {
    this.transport.close();
  }

  /** Adds a scope for the tokens of later requests (a cross-repository mount source). */
  addScope(scope: string): void {
    if (!this.scopes.includes(scope)) this.scopes = [...this.scopes, scope];
  }

  /** `${base}/v2/${path}/${rest}` (rest without a leading slash). */
  url(rest: string): URL {
    return new URL(`${this.endpoint.base}/v2/${this.path}/${rest}`);
  }

  /** GET /v2/: learns the auth challenge. A transport failure throws TransportError. */
  async ping(): Promise<void> {
    if (this.pinged) return;
    const res = await this.transport.request(new URL(`${this.endpoint.base}/v2/`));
    res.body.resume();
    this.spokeHttp = true;
    if (res.status === 401) this.auth.challenges = parseChallenges(authenticateLines(res));
    this.pinged = true;
  }

  /**
   * A request with this session's auth. An absolute URL (an upload Location) is used as is;
   * a 401 with a cached token is retried once with a fresh one.
   */
  async request(target: string | URL, opts: RequestOptions = {}): Promise<HttpResponse> {
    await this.ping();
    const url = typeof target === 'string' ? this.url(target) : target;
    for (let attempt = 0; ; attempt++) {
      let authz: string | undefined;
      try {
        authz = await this.auth.header(this.scopes);
      } catch (err) {
        // Go's url.Error: `Get "https://host/v2/...": no basic auth credentials`.
        if (err instanceof NoCredentialsError) throw new NoCredentialsError(`${goMethod(opts.method)} "${url.href}": ${err.message}`);
        throw err;
      }
      const headers = { ...(opts.headers ?? {}), ...(authz ? { Authorization: authz } : {}) };
      const res = await this.transport.request(url, { ...opts, headers });
      if (res.status === 401 && attempt === 0 && authz?.startsWith('Bearer ')) {
        const fresh = parseChallenges(authenticateLines(res));
        if (fresh.some((c) => c.params.error === 'invalid_token')) {
          res.body.resume();
          this.auth.invalidate(this.scopes);
          continue;
        }
      }
      return res;
    }
  }

  /** GET a manifest by tag or digest: bounded, digest computed (and checked for a digest). */
  async getManifest(reference: string, refString?: string): Promise<FetchedManifest> {
    const res = await this.request(`manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status !== 200) throw await registryErrorFromResponse(res);
    const bytes = await readBody(res, MAX_MANIFEST_SIZE);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (reference.includes(':') && reference !== digest) {
      throw invalidParameter(`manifest verification failed for digest ${reference}`);
    }
    const contentType = res.headers['content-type'];
    const manifest = parseManifest(bytes, contentType, refString);
    return { bytes, digest, mediaType: manifest.mediaType, manifest };
  }

  /** HEAD a manifest: its descriptor, or undefined when the registry does not have it. */
  async headManifest(reference: string): Promise<{ digest?: string; mediaType: string; size: number } | undefined> {
    const res = await this.request(`manifests/${reference}`, { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT } });
    res.body.resume();
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw await registryErrorFromResponse(res);
    const d = res.headers['docker-content-digest'];
    return {
      ...(typeof d === 'string' ? { digest: d } : {}),
      mediaType: String(res.headers['content-type'] ?? '').split(';')[0],
      size: Number(res.headers['content-length'] ?? 0),
    };
  }

  /**
   * Opens a blob (following redirects to blob storage), from `offset` with a Range request.
   * Resolves to the response (200, or 206 when the range was honoured); errors otherwise.
   */
  async openBlob(digest: string, offset = 0, signal?: AbortSignal): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    if (offset > 0) headers.Range = `bytes=${offset}-`;
    const res = await this.request(`blobs/${digest}`, { headers, signal });
    if (res.status === 200 || (res.status === 206 && offset > 0)) return res;
    throw await registryErrorFromResponse(res);
  }

  /** A small blob (a config) read whole, bounded and verified. */
  async getBlob(digest: string, limit: number): Promise<Buffer> {
    const res = await this.openBlob(digest);
    const bytes = await readBody(res, limit);
    const got = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (got !== digest) throw invalidParameter(`image config verification failed for digest ${digest}`);
    return bytes;
  }

  /** Every tag (GET tags/list, following Link pagination). */
  async tags(): Promise<string[]> {
    const out: string[] = [];
    let next: URL | undefined = this.url('tags/list');
    for (let pages = 0; next && pages < 1000; pages++) {
      const res = await this.request(next);
      if (res.status !== 200) throw await registryErrorFromResponse(res);
      const body = JSON.parse((await readBody(res, 16 << 20)).toString('utf8')) as { tags?: unknown };
      if (Array.isArray(body.tags)) for (const t of body.tags) if (typeof t === 'string') out.push(t);
      const link = res.headers.link;
      const m = typeof link === 'string' ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null;
      next = m ? new URL(m[1], res.url) : undefined;
    }
    return out;
  }
}

/** Makes sessions for the endpoints of a registry host. */
export class RegistryClient {
  readonly config: RegistryConfig;
  private readonly userAgent: string;

  constructor(config: RegistryConfig, opts: { userAgent?: string } = {}) {
    this.config = config;
    this.userAgent = opts.userAgent ?? 'berth';
  }

  endpoints(domain: string): Promise<RegistryEndpoint[]> {
    return this.config.endpoints(domain);
  }

  /** A session on one endpoint, with the certs.d TLS settings of its host read now. */
  async session(endpoint: RegistryEndpoint, opts: SessionOptions): Promise<RepositorySession> {
    const tls = endpoint.certsHost ? await readCertsDir(this.config.certsDir, endpoint.certsHost) : {};
    const transport = new Transport({ tls, verify: endpoint.tlsVerify, userAgent: opts.userAgent ?? this.userAgent });
    return new RepositorySession(endpoint, transport, opts);
  }

  /**
   * Runs `fn` against each endpoint of `domain` in turn, as moby's pull/push loop does: the next
   * endpoint is tried after a transport failure, an unexpected response, or any failure of a
   * mirror; the last error is thrown.
   */
  async withEndpoints<T>(domain: string, opts: SessionOptions, fn: (s: RepositorySession) => Promise<T>): Promise<T> {
    const endpoints = await this.endpoints(domain);
    let lastErr: unknown;
    const confirmedTls = new Set<string>();
    for (const ep of endpoints) {
      const host = new URL(ep.base).host;
      // moby: a host that answered over TLS is never retried in plain HTTP.
      if (ep.base.startsWith('http:') && confirmedTls.has(host)) continue;
      const s = await this.session(ep, opts);
      try {
        return await fn(s);
      } catch (err) {
        lastErr = err;
        if (s.spokeHttp && ep.base.startsWith('https:')) confirmedTls.add(host);
        if (!continueOnError(err, ep.mirror)) throw err;
      } finally {
        s.close();
      }
    }
    throw lastErr ?? invalidParameter(`no endpoints for ${domain}`);
  }
}

function goMethod(m = 'GET'): string {
  return m.charAt(0) + m.slice(1).toLowerCase();
}

/** Whether an error lets the next endpoint be tried (moby's continueOnError). */
export function continueOnError(err: unknown, mirror: boolean): boolean {
  if (err instanceof TransportError) return true;
  if (err instanceof UnexpectedResponseError) return true;
  if (err instanceof RegistryError) return mirror;
  if (errorKind(err) === 'InvalidParameter') return mirror;
  return true;
}
