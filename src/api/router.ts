// Route tables: each resource folder exports a list of routes; the server compiles them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidParameter, truncate } from '../common/index.ts';
import type { BodySchema } from './validate/schema-node.ts';
import type { ApiFeature } from './version.ts';

export interface Hijacked {
  /** The raw connection: writes go to the client, reads are the client's stdin. */
  socket: Duplex;
}

export interface ApiContext {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** The API version the client asked for (from the /vX.Y prefix) or the current one. */
  readonly version: string;
  readonly req: IncomingMessage;
  /** Set for ordinary requests; undefined when the client asked to upgrade the connection. */
  readonly res: ServerResponse | undefined;
  readonly upgradeRequested: boolean;
  body(): Promise<Buffer>;
  /** The JSON object body, checked against its swagger schema (400 in Go's words) and typed. */
  jsonBody<T>(schema: BodySchema<T>): Promise<T>;
  /** As jsonBody, but an empty body (or `null`) is undefined. */
  optionalJsonBody<T>(schema: BodySchema<T>): Promise<T | undefined>;
  reply(status: number, value?: unknown): void;
  text(status: number, text: string, contentType?: string): void;
  /**
   * Takes the connection over for a raw stdio stream (attach, exec start). `multiplexed`: the
   * stream carries stdcopy frames (no TTY); `withHeaders`: the reply repeats the daemon's own
   * headers (Api-Version, Server, ...), as dockerd's exec start does and its attach does not.
   */
  hijack(opts: { multiplexed: boolean; withHeaders?: boolean }): Promise<Hijacked>;
  /**
   * Completes a websocket handshake on an upgrade request and returns a byte stream over the
   * socket (binary frames from API 1.28); undefined when the handshake was refused (answered).
   */
  webSocket(): Promise<Duplex | undefined>;
  /** The daemon's headers (Api-Version, Docker-Experimental, Ostype, Server) plus `extra`, for handlers that stream a reply themselves. */
  streamHeaders(extra?: Record<string, string>): Record<string, string>;
  /** True once the client went away (streams stop on it). */
  readonly closed: AbortSignal;
}

export type Handler = (ctx: ApiContext) => Promise<void>;

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** moby-style path: `/containers/{id}/json`; `{name:.*}` matches across slashes. */
  path: string;
  handler: Handler;
  /** The API feature this route is (older clients get a 404). */
  feature?: ApiFeature;
}

export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
}

export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  let pattern = '';
  let last = 0;
  for (const m of route.path.matchAll(/\{(\w+)(?::([^}]*))?\}/g)) {
    pattern += escapeRegex(route.path.slice(last, m.index)) + (m[2] ? `(${m[2]})` : '([^/]+)');
    names.push(m[1]);
    last = m.index + m[0].length;
  }
  pattern += escapeRegex(route.path.slice(last));
  return { ...route, regex: new RegExp(`^${pattern}$`), names };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function matchRoute(routes: CompiledRoute[], method: string, path: string): { route: CompiledRoute; params: Record<string, string> } | 'method-not-allowed' | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.regex.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
    const params: Record<string, string> = {};
    route.names.forEach((n, i) => {
      params[n] = decodePathPart(m[i + 1]);
    });
    return { route, params };
  }
  return pathMatched ? 'method-not-allowed' : undefined;
}

function decodePathPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw invalidParameter(`invalid URL escape in ${JSON.stringify(truncate(text, 64))}`);
  }
}
