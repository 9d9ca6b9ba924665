// HTTP for the registry client, on node:http/https rather than undici: no dependency, one
// keep-alive agent pair per endpoint carrying that endpoint's TLS settings (certs.d CAs and
// client pair, or no verification for an insecure registry), and response bodies as Node
// streams that pipe with backpressure into the content store. Redirects are followed here
// (blob storage), dropping Authorization when the host changes, as Go's client does.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { unavailable } from '../common/index.ts';
import type { TlsMaterial } from './certs-dir.ts';

const MAX_REDIRECTS = 10;
/** moby's registry dialer: 30 s to connect. */
const CONNECT_TIMEOUT_MS = 30_000;
/** A response (headers or body) that stalls this long is dropped (then retried by the caller). */
const IDLE_TIMEOUT_MS = 60_000;

export interface TransportOptions {
  tls?: TlsMaterial;
  /** Verify the server certificate (false: insecure registry). */
  verify?: boolean;
  userAgent?: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Follow redirects (default true). */
  redirects?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every header line, in order (several WWW-Authenticate lines stay apart). */
  rawHeaders: string[];
  /** The URL that answered (after redirects). */
  url: URL;
  body: IncomingMessage;
}

/** An error below HTTP (connect, TLS, reset): the next endpoint may be tried, the request retried. */
export class TransportError extends Error {
  readonly code?: string;
  constructor(message: string, code?: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'TransportError';
    this.code = code;
  }
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly userAgent: string;

  constructor(opts: TransportOptions = {}) {
    this.userAgent = opts.userAgent ?? 'berth';
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32, timeout: IDLE_TIMEOUT_MS });
    this.httpsAgent = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      timeout: IDLE_TIMEOUT_MS,
      rejectUnauthorized: opts.verify !== false,
      ...(opts.tls?.ca ? { ca: opts.tls.ca } : {}),
      ...(opts.tls?.cert ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  async request(url: URL, opts: RequestOptions = {}): Promise<HttpResponse> {
    let method = opts.method ?? 'GET';
    let body = opts.body;
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...(opts.headers ?? {}) };
    const origin = url.host;
    let current = url;
    for (let hops = 0; ; hops++) {
      const res = await this.once(current, method, headers, body, opts.signal);
      const loc = res.headers.location;
      if (opts.redirects === false || !loc || ![301, 302, 303, 307, 308].includes(res.status)) return res;
      res.body.resume();
      if (hops >= MAX_REDIRECTS) throw new TransportError(`stopped after ${MAX_REDIRECTS} redirects`);
      const next = new URL(loc, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new TransportError(`unsupported protocol scheme "${next.protocol.slice(0, -1)}"`);
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        delete headers['Content-Type'];
        delete headers['Content-Length'];
      }
      // Credentials for the registry are never sent to another host (blob storage).
      if (next.host !== origin) delete headers.Authorization;
      current = next;
    }
  }

  private once(url: URL, method: string, headers: Record<string, string>, body: Uint8Array | string | undefined, signal?: AbortSignal): Promise<HttpResponse> {
    const mod = url.protocol === 'https:' ? https : http;
    const agent = url.protocol === 'https:' ? this.httpsAgent : this.httpAgent;
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['Content-Length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error & { code?: string }) => {
        if (settled) return;
        settled = true;
        // Go's url.Error: `Get "https://host/v2/": <what went wrong>`.
        const what = err instanceof TransportError ? err.message : describe(err, url);
        reject(new TransportError(`${method.charAt(0)}${method.slice(1).toLowerCase()} "${url.href}": ${what}`, err.code, err));
      };
      const req = mod.request(url, { method, headers: h, agent, signal }, (res) => {
        settled = true;
        res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new TransportError(`read ${url.host}: i/o timeout`, 'ETIMEDOUT')));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, url, body: res });
      });
      const connectTimer = setTimeout(() => req.destroy(new TransportError(`dial tcp ${url.host}: i/o timeout`, 'ETIMEDOUT')), CONNECT_TIMEOUT_MS);
      req.on('socket', (s) => {
        if (!s.connecting) clearTimeout(connectTimer);
        else s.once('connect', () => clearTimeout(connectTimer));
      });
      req.on('response', () => clearTimeout(connectTimer));
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new TransportError(`${method} ${url.href}: timeout awaiting response headers`, 'ETIMEDOUT')));
      req.on('error', (e) => {
        clearTimeout(connectTimer);
        fail(e);
      });
      req.end(body);
    });
  }
}

/** Go-like words for transport failures ("http: server gave HTTP response to HTTPS client"). */
function describe(err: Error & { code?: string }, url: URL): string {
  const m = err.message;
  if (err.code === 'EPROTO' || /wrong version number|packet length too long/i.test(m)) return 'http: server gave HTTP response to HTTPS client';
  if (err.code === 'ECONNREFUSED') return `dial tcp ${url.host}: connect: connection refused`;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `dial tcp: lookup ${url.hostname}: no such host`;
  if (err.code === 'ECONNRESET') return `read tcp ${url.host}: read: connection reset by peer`;
  if (err.code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || err.code === 'SELF_SIGNED_CERT_IN_CHAIN' || err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || err.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  }
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: certificate is not valid for ${url.hostname}`;
  return m;
}

/** Reads a whole body, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw unavailable(`response from ${res.url.host} too large: ${declared} bytes (limit ${limit})`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      total += (chunk as Buffer).length;
      if (total > limit) {
        res.body.destroy();
        throw unavailable(`response from ${res.url.host} exceeds ${limit} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof Error && !(err instanceof TransportError) && (err as { code?: string }).code) {
      throw new TransportError(err.message, (err as { code?: string }).code, err);
    }
    throw err;
  }
  return Buffer.concat(chunks);
}
