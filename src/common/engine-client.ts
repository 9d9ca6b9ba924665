// The Engine API client's contract, shared by the two client programs: the CLI (src/cli, which
// implements it in framework/client.ts) and compose (src/compose, which is handed the CLI's client).
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';

export interface RequestOptions {
  /** Query parameters; undefined values are dropped, arrays repeat the key, objects are JSON-encoded (filters). */
  query?: Record<string, string | number | boolean | string[] | Record<string, unknown> | undefined>;
  /** A plain value is sent as JSON; a Buffer or Readable as-is (set Content-Type in headers). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The raw body stream (for logs, events, load progress, save archives). */
  body: Readable;
  json<T = any>(): Promise<T>;
  text(): Promise<string>;
}

export interface HijackedConnection {
  /** The raw connection after the 101 (or 200) response: container stdio flows over it. */
  socket: Duplex;
  /** Bytes that arrived with the response head. */
  head: Buffer;
  /** Response headers (Content-Type tells multiplexed from raw). */
  headers: IncomingHttpHeaders;
}

export interface ApiClient {
  /** The daemon address in use: 'unix:///run/berth/berth.sock', 'tcp://h:2376'. */
  readonly host: string;
  /** Sends a request (API version prefix added); a non-2xx answer throws DaemonError. */
  call(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** call() and parse the JSON answer. */
  json<T = any>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** Like call() but returns non-2xx answers instead of throwing (for 404 probes). */
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** POST with `Connection: Upgrade, Upgrade: tcp` (attach, exec start). */
  hijack(path: string, opts?: RequestOptions): Promise<HijackedConnection>;
  /** The negotiated API version ('1.50' against berthd). */
  apiVersion(): Promise<string>;
}

/** An error from the daemon: printed as "Error response from daemon: <message>". */
export class DaemonError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

