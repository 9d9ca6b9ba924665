// The Engine API client: unix socket or tcp (plain or TLS), one keep-alive agent so a command's
// calls share a connection, API version negotiation as docker's client does it (GET /_ping, then
// min(our version, the daemon's)), DaemonError for non-2xx answers, and the upgrade hijack for
// attach and exec.
import type { ClientRequest, IncomingMessage, RequestOptions as NodeRequestOptions } from 'node:http';
import { createRequire } from 'node:module';
import { Duplex, Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { ConnectionError, DaemonError, type ApiClient, type ApiResponse, type HijackedConnection, type RequestOptions } from './types.ts';
import type { Endpoint } from './endpoint.ts';
import { compareApiVersions } from '../../common/index.ts';

/** The newest API version this CLI speaks. */
export const CLIENT_API_VERSION = '1.50';
/** What docker assumes when /_ping names no version. */
const FALLBACK_API_VERSION = '1.24';
const USER_AGENT = 'berth-cli/0.1.0';

// Loaded with require, not import: an ESM import of node:http evaluates its lazy exports
// (WebSocket and friends from undici) and costs tens of milliseconds at every start.
const load = createRequire(import.meta.url);

export interface ClosableApiClient extends ApiClient {
  /** Closes idle keep-alive connections so the process can end. */
  close(): void;
}

export interface ClientSettings {
  endpoint: Endpoint;
  /** Called with each request line when -D is on. */
  debug?: (line: string) => void;
}

/** 1.44 < 1.50: compares dotted versions numerically (the one comparison, in common/). */
export const compareVersions = compareApiVersions;

/** Encodes query parameters: undefined dropped, arrays repeated, objects as JSON (filters). */
export function encodeQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) params.append(key, v);
    else if (typeof value === 'object') params.append(key, JSON.stringify(value));
    else if (typeof value === 'boolean') params.append(key, value ? '1' : '0');
    else params.append(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createApiClient(settings: ClientSettings): ClosableApiClient {
  const { endpoint, debug } = settings;
  const tls = endpoint.tls;
  const http = tls ? (load('node:https') as typeof import('node:https')) : (load('node:http') as typeof import('node:http'));
  const agent = tls
    ? new (http as typeof import('node:https')).Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized })
    : new http.Agent({ keepAlive: true });
  const send = http.request;
  let negotiated: Promise<string> | undefined;

  const baseOptions = (): NodeRequestOptions => {
    // An empty servername spares Node's IPv6 check of the host (its regex costs ~6 ms to
    // build); TLS keeps the host for SNI.
    const o: NodeRequestOptions & { servername?: string } = endpoint.socketPath !== undefined
      ? { socketPath: endpoint.socketPath, host: 'api.moby.localhost', servername: '' }
      : { host: endpoint.hostname, port: endpoint.port, ...(tls ? {} : { servername: '' }) };
    return o;
  };

  const connectError = (err: NodeJS.ErrnoException, method: string, path: string): Error => {
    if (err.name === 'AbortError') return err;
    switch (err.code) {
      case 'ECONNREFUSED':
      case 'ENOENT':
      case 'ENOTSOCK':
      case 'ENOTDIR':
        return new ConnectionError(endpoint.host, `Cannot connect to the berth daemon at ${endpoint.host}. Is the daemon running?`);
      case 'EACCES':
        return new ConnectionError(endpoint.host, `permission denied while trying to connect to the berth daemon socket at ${endpoint.host}: ${method} ${path}: ${err.message}`);
      default:
        return new ConnectionError(endpoint.host, `error during connect: ${method} ${path}: ${err.message}`);
    }
  };

  // Sends one request; resolves with the response whatever its status.
  const raw = (method: string, fullPath: string, opts: RequestOptions = {}, extraHeaders: Record<string, string> = {}): Promise<IncomingMessage> => {
    debug?.(`${method} ${fullPath}`);
    const { body, headers } = prepareBody(opts);
    return new Promise((resolve, reject) => {
      const req = send({
        ...baseOptions(), agent, method, path: fullPath, signal: opts.signal,
        headers: { 'User-Agent': USER_AGENT, ...headers, ...opts.headers, ...extraHeaders },
      }, resolve);
      req.on('error', (err) => reject(connectError(err, method, fullPath)));
      writeBody(req, body, reject);
    });
  };

  const apiVersion = (): Promise<string> => {
    if (endpoint.apiVersion) return Promise.resolve(endpoint.apiVersion);
    if (negotiated) return negotiated;
    negotiated = (async () => {
      const res = await raw('GET', '/_ping');
      // Reading the body to its end frees the connection for the request that follows.
      await readAll(res);
      const header = res.headers['api-version'];
      const server = (Array.isArray(header) ? header[0] : header) || FALLBACK_API_VERSION;
      return compareVersions(server, CLIENT_API_VERSION) < 0 ? server : CLIENT_API_VERSION;
    })();
    // A failed ping is retried by the next call rather than cached.
    negotiated.catch(() => (negotiated = undefined));
    return negotiated;
  };

  const versioned = async (path: string, opts?: RequestOptions): Promise<string> => `/v${await apiVersion()}${path}${encodeQuery(opts?.query)}`;

  const client: ClosableApiClient = {
    host: endpoint.host,
    async request(method, path, opts) {
      const res = await raw(method, await versioned(path, opts), opts);
      return wrapResponse(res);
    },
    async call(method, path, opts) {
      const res = await raw(method, await versioned(path, opts), opts);
      // Like docker's client: anything below 400 is success (304 from stopping a stopped container).
      if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 400) return wrapResponse(res);
      throw await daemonError(res);
    },
    async json(method, path, opts) {
      return (await client.call(method, path, opts)).json();
    },
    async hijack(path, opts = {}) {
      const fullPath = await versioned(path, opts);
      debug?.(`POST ${fullPath} (hijack)`);
      const { body, headers } = prepareBody(opts);
      return new Promise<HijackedConnection>((resolve, reject) => {
        const req = send({
          ...baseOptions(), agent: false, method: 'POST', path: fullPath, signal: opts.signal,
          ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized } : {}),
          headers: { 'User-Agent': USER_AGENT, ...headers, ...opts.headers, Connection: 'Upgrade', Upgrade: 'tcp' },
        });
        req.on('upgrade', (res, socket, head) => resolve({ socket, head, headers: res.headers }));
        req.on('response', (res) => {
          if (res.statusCode !== undefined && res.statusCode >= 300) {
            daemonError(res).then(reject, reject);
            return;
          }
          // An old-style 200 answer: the body is the output stream and the socket takes input.
          resolve({ socket: responseDuplex(res), head: Buffer.alloc(0), headers: res.headers });
        });
        req.on('error', (err) => reject(connectError(err, 'POST', fullPath)));
        writeBody(req, body, reject);
      });
    },
    apiVersion,
    close() {
      agent.destroy();
    },
  };
  return client;
}

function prepareBody(opts: RequestOptions): { body: Buffer | Readable | undefined; headers: Record<string, string> } {
  const b = opts.body;
  if (b === undefined) return { body: undefined, headers: {} };
  if (Buffer.isBuffer(b)) return { body: b, headers: { 'Content-Length': String(b.length) } };
  if (b instanceof Readable) return { body: b, headers: {} };
  const json = Buffer.from(JSON.stringify(b));
  return { body: json, headers: { 'Content-Type': 'application/json', 'Content-Length': String(json.length) } };
}

function writeBody(req: ClientRequest, body: Buffer | Readable | undefined, reject: (e: Error) => void): void {
  if (body instanceof Readable) {
    body.on('error', (err) => {
      req.destroy(err);
      reject(err);
    });
    body.pipe(req);
  } else {
    req.end(body);
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

function wrapResponse(res: IncomingMessage): ApiResponse {
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    body: res,
    async json() {
      const text = (await readAll(res)).toString('utf8');
      return text.trim() === '' ? undefined : JSON.parse(text);
    },
    async text() {
      return (await readAll(res)).toString('utf8');
    },
  };
}

/** The daemon's {"message": ...} (or its plain text) as a DaemonError. */
async function daemonError(res: IncomingMessage): Promise<DaemonError> {
  const status = res.statusCode ?? 0;
  const text = (await readAll(res)).toString('utf8');
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    // Trimmed as docker's client does (dockerd ends some messages with a space).
    if (parsed && typeof parsed.message === 'string') message = parsed.message.trim();
  } catch {
    // not JSON: the text itself
  }
  if (message === '') message = `${status} ${res.statusMessage ?? ''}`.trim();
  return new DaemonError(status, message);
}

// Reads come from the response body, writes go straight to the connection.
function responseDuplex(res: IncomingMessage): Duplex {
  const socket = res.socket as Socket;
  const duplex = new Duplex({
    read() {
      res.resume();
    },
    write(chunk, _enc, cb) {
      socket.write(chunk, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy();
      cb(err);
    },
  });
  res.on('data', (d: Buffer) => {
    if (!duplex.push(d)) res.pause();
  });
  res.on('end', () => duplex.push(null));
  res.on('error', (err) => duplex.destroy(err));
  return duplex;
}
