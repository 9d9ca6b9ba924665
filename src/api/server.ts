// The HTTP server: version prefix, routing, errors as {"message"} with Docker's statuses,
// and the upgrade hijack. Knows HTTP and nothing of Linux (DESIGN.md).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { chmod, unlink } from 'node:fs/promises';
import { notFound, invalidParameter, isErrno, type Logger, truncate } from '../common/index.ts';
import { statusFromError } from './http-status.ts';
import { API_VERSION, MIN_API_VERSION, hasFeature, versionTooNew, versionTooOld } from './version.ts';
import { compileRoute, matchRoute, type ApiContext, type CompiledRoute, type Route } from './router.ts';
import { readBody, readUpgradeBody, parseJsonObject, splitTarget, MAX_JSON_BODY } from './request.ts';
import { assertBody, checkQuery, operationFor, type BodySchema } from './validate/index.ts';
import { writeUpgradeResponse } from './streams/hijack.ts';
import { NOT_WEBSOCKET_REPLY, acceptWebSocket } from './streams/websocket.ts';

/** TLS for a TCP or socket-activated listener (dockerd's --tls / --tlsverify). */
export interface ListenerTls {
  cert: Buffer;
  key: Buffer;
  /** The CA client certificates must chain to; required with verifyClients. */
  ca?: Buffer;
  /** --tlsverify: a client certificate signed by `ca` is required, else the handshake fails. */
  verifyClients: boolean;
}

export interface ApiServerOptions {
  routes: Route[];
  log: Logger;
  serverHeader: string;
}

const MAX_ERROR_MESSAGE = 4096;
/**
 * Go's net/http sends Content-Length when the handler's whole reply fits its 2 KiB write buffer,
 * and chunks anything larger; dockerd's replies are framed the same way here.
 */
const UNCHUNKED_MAX = 2048;
const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;
const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 500: 'Internal Server Error',
  501: 'Not Implemented', 503: 'Service Unavailable',
};

export class ApiServer {
  private readonly routes: CompiledRoute[];
  private readonly log: Logger;
  private readonly serverHeader: string;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Duplex>();

  constructor(opts: ApiServerOptions) {
    this.routes = opts.routes.map(compileRoute);
    this.log = opts.log;
    this.serverHeader = opts.serverHeader;
  }

  /** Listens on a unix socket path (mode 0660, as dockerd). */
  async listenUnix(path: string): Promise<void> {
    await unlink(path).catch((err) => {
      if (!isErrno(err, 'ENOENT')) throw err;
    });
    await this.listen(await this.makeServer(undefined), path);
    await chmod(path, 0o660);
  }

  /** Listens on host:port (plain HTTP, or HTTPS with `tls`); returns the bound address. */
  async listenTcp(host: string, port: number, tls: ListenerTls | undefined): Promise<AddressInfo> {
    const server = await this.makeServer(tls);
    await this.listen(server, { host, port, exclusive: true });
    return server.address() as AddressInfo;
  }

  /** Serves an inherited listening socket (systemd socket activation, -H fd://). */
  async listenFd(fd: number, tls: ListenerTls | undefined): Promise<void> {
    await this.listen(await this.makeServer(tls), { fd });
  }

  /** One server per listener, all with the same request handling (HTTP and the upgrade hijack). */
  private async makeServer(tls: ListenerTls | undefined): Promise<Server> {
    // Go's http.Server reads up to 1 MiB of headers (DefaultMaxHeaderBytes), where Node stops at
    // 16 KiB: X-Registry-Config with many logins and berth's build secrets header need dockerd's.
    const httpOpts = { keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: 1 << 20 };
    // node:https (and with it node:tls) costs ~3 MB of the idle daemon: loaded only for a TLS listener.
    const server: Server = tls
      ? (await import('node:https')).createServer({
        ...httpOpts, cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: 'TLSv1.2',
        requestCert: tls.verifyClients, rejectUnauthorized: tls.verifyClients,
      })
      : createServer(httpOpts);
    server.on('request', (req, res) => this.serve(req, res, undefined, undefined));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.serve(req, undefined, socket, head));
    server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // A failed handshake (no client certificate, plain HTTP on the TLS port) only closes that connection.
    server.on('tlsClientError', (err: Error) => this.log.debug('TLS handshake failed', { err: err.message }));
    return server;
  }

  private async listen(server: Server, where: string | { host: string; port: number; exclusive: boolean } | { fd: number }): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.log.error('API listener failed', { err: err.message }));
    this.servers.push(server);
  }

  /** Stops listening and drops open connections (streams like wait, attach and events never end by themselves). */
  async close(): Promise<void> {
    const closed = Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
      })),
    );
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private commonHeaders(): Record<string, string> {
    return {
      'Api-Version': API_VERSION,
      'Docker-Experimental': 'false',
      Ostype: 'linux',
      Server: this.serverHeader,
    };
  }

  /** Nothing escapes: whatever a handler or the error path throws is logged and the connection closed. */
  private serve(req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex | undefined, head: Buffer | undefined): void {
    this.dispatch(req, res, socket, head).catch((err) => {
      this.log.error('request not answered', { method: req.method, url: truncate(req.url ?? ''), err: (err as Error)?.stack ?? String(err) });
      (socket ?? res)?.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex | undefined, head: Buffer | undefined): Promise<void> {
    // The target is split by hand, inside the error handling: `new URL` throws on targets like `//v1.99`.
    const target = splitTarget(req.url ?? '/');
    let path = target.path;
    let version = API_VERSION;
    const started = Date.now();
    const ctx = new Context(req, res, socket, head, target.query, this.commonHeaders());
    try {
      const m = VERSION_PREFIX.exec(path);
      if (m) {
        version = m[1];
        path = m[2];
        if (versionTooNew(version)) {
          throw invalidParameter(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
        }
        if (versionTooOld(version)) {
          throw invalidParameter(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
        }
      }
      const method = req.method ?? 'GET';
      const found = matchRoute(this.routes, method, path);
      if (found === undefined || found === 'method-not-allowed') {
        throw notFound(`page not found`);
      }
      if (found.route.feature && !hasFeature(version, found.route.feature)) {
        throw notFound(`page not found`);
      }
      ctx.setRoute(method, path, found.params, version);
      const op = operationFor(found.route.method, found.route.path);
      if (op) checkQuery(op, ctx.query);
      await found.route.handler(ctx);
    } catch (err) {
      const status = statusFromError(err);
      // Messages may quote client input: never send back more than a bounded amount of it.
      const message = truncate(err instanceof Error ? err.message : String(err), MAX_ERROR_MESSAGE);
      if (status >= 500) this.log.error('handler failed', { method: req.method, url: truncate(req.url ?? ''), err: (err as Error)?.stack ?? message });
      else this.log.debug('request failed', { method: req.method, url: truncate(req.url ?? ''), status, message });
      ctx.fail(status, message);
    } finally {
      this.log.debug('request', { method: req.method, url: truncate(req.url ?? ''), ms: Date.now() - started });
    }
  }
}

class Context implements ApiContext {
  method = '';
  path = '';
  params: Record<string, string> = {};
  version = API_VERSION;
  readonly req: IncomingMessage;
  readonly res: ServerResponse | undefined;
  readonly query: URLSearchParams;
  readonly upgradeRequested: boolean;
  private readonly socket: Duplex | undefined;
  private head: Buffer | undefined;
  private readonly headers: Record<string, string>;
  private bodyPromise: Promise<Buffer> | undefined;
  private hijacked = false;
  private readonly abort = new AbortController();

  constructor(req: IncomingMessage, res: ServerResponse | undefined, socket: Duplex | undefined, head: Buffer | undefined, query: URLSearchParams, headers: Record<string, string>) {
    this.req = req;
    this.res = res;
    this.socket = socket;
    this.head = head;
    this.query = query;
    this.headers = headers;
    this.upgradeRequested = socket !== undefined;
    // One listener per request on the response (or the upgraded socket), never on a keep-alive
    // connection that serves many requests.
    const onClose = () => this.abort.abort();
    if (socket) socket.once('close', onClose);
    else res?.once('close', onClose);
  }

  get closed(): AbortSignal {
    return this.abort.signal;
  }

  setRoute(method: string, path: string, params: Record<string, string>, version: string): void {
    this.method = method;
    this.path = path;
    this.params = params;
    this.version = version;
  }

  body(): Promise<Buffer> {
    this.bodyPromise ??= this.socket ? this.readUpgradeBody() : readBody(this.req);
    return this.bodyPromise;
  }

  async jsonBody<T>(schema: BodySchema<T>): Promise<T> {
    const value: unknown = parseJsonObject(await this.body());
    assertBody(schema, value);
    return value;
  }

  async optionalJsonBody<T>(schema: BodySchema<T>): Promise<T | undefined> {
    const value: unknown = parseJsonObject(await this.body(), { allowEmpty: true });
    if (value === undefined) return undefined;
    assertBody(schema, value);
    return value;
  }

  /** For upgrade requests Node hands over the raw socket: the body is the first Content-Length bytes. */
  private async readUpgradeBody(): Promise<Buffer> {
    const head = this.head ?? Buffer.alloc(0);
    this.head = undefined;
    return readUpgradeBody(this.socket!, head, this.req.headers['content-length'], MAX_JSON_BODY);
  }

  reply(status: number, value?: unknown): void {
    if (value === undefined) {
      this.send(status, '', undefined);
    } else {
      this.send(status, JSON.stringify(value) + '\n', 'application/json');
    }
  }

  text(status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
    this.send(status, text, contentType);
  }

  fail(status: number, message: string): void {
    if (this.hijacked) {
      // The stream is already raw: the best we can do is say it in-band and close.
      this.socket?.end(`Error: ${message}\r\n`);
      this.res?.end();
      return;
    }
    if (this.res?.headersSent) {
      this.res.end();
      return;
    }
    this.reply(status, { message });
  }

  streamHeaders(extra: Record<string, string> = {}): Record<string, string> {
    // No `Connection: keep-alive` (Go sends none on HTTP/1.1): Node leaves it out once removed.
    this.res?.removeHeader('Connection');
    const all: Record<string, string> = { ...this.headers, ...extra };
    // Sorted, as Go writes a header map; Node adds Date (and Transfer-Encoding) after them.
    return Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
  }

  private send(status: number, body: string, contentType: string | undefined): void {
    const length = Buffer.byteLength(body);
    if (this.res) {
      if (this.res.headersSent) return;
      const headers = this.streamHeaders(contentType ? { 'Content-Type': contentType } : {});
      // Go writes Date, then Content-Length, after the handler's (sorted) headers.
      headers.Date = new Date().toUTCString();
      if (length <= UNCHUNKED_MAX) headers['Content-Length'] = String(length);
      this.res.writeHead(status, headers);
      this.res.end(this.req.method === 'HEAD' ? undefined : body);
      return;
    }
    const headers: Record<string, string> = { ...this.headers };
    if (contentType) headers['Content-Type'] = contentType;
    const socket = this.socket!;
    const lines = [`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    lines.push(`Content-Length: ${length}`, 'Connection: close', '', '');
    socket.end(lines.join('\r\n') + body);
  }

  async webSocket(): Promise<Duplex | undefined> {
    this.hijacked = true;
    if (!this.socket) {
      // Not an upgrade at all: x/net/websocket's raw answer on the connection.
      const socket = this.req.socket;
      this.res!.detachSocket(socket);
      socket.end(NOT_WEBSOCKET_REPLY);
      return undefined;
    }
    this.socket.on('error', () => {});
    const head = this.head ?? Buffer.alloc(0);
    this.head = undefined;
    return acceptWebSocket(this.req, this.socket, head, { textFrames: !hasFeature(this.version, 'webSocketBinaryFrames') });
  }

  async hijack(opts: { multiplexed: boolean; withHeaders?: boolean }): Promise<{ socket: Duplex }> {
    if (!this.bodyPromise) await this.body();
    this.hijacked = true;
    // A client that goes away mid-stream must not take the daemon down with an 'error' event.
    (this.socket ?? this.req.socket).on('error', () => {});
    const multiplexedType = opts.multiplexed && hasFeature(this.version, 'multiplexedStreamContentType');
    const headers = opts.withHeaders ? this.headers : {};
    // The client half-closes after its stdin (Go's CloseWrite; over TLS a close_notify): the
    // output must still flow. A plain socket from the http server allows that already; a TLS
    // socket would otherwise end its write side on the client's close_notify.
    (this.socket ?? this.req.socket).allowHalfOpen = true;
    if (this.socket) {
      writeUpgradeResponse(this.socket, true, multiplexedType, headers);
      this.socket.resume();
      return { socket: this.socket };
    }
    // A client that did not ask to upgrade: the response body is the raw stream.
    const socket = this.req.socket;
    const res = this.res!;
    res.detachSocket(socket);
    writeUpgradeResponse(socket, false, multiplexedType, headers);
    socket.resume();
    return { socket };
  }
}
