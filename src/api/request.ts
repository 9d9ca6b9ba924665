// One request-parsing module with Docker's quirks (moby httputils/form.go), so handlers never
// read req.url by hand.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidParameter, truncate } from '../common/index.ts';

/**
 * dockerd has no general body limit; berth bounds JSON bodies (the largest real ones, create
 * requests with many env vars or labels, are kilobytes) so one client cannot make it buffer
 * gigabytes.
 */
export const MAX_JSON_BODY = 16 * 1024 * 1024;

/** The request target split into path and query without `new URL`, which throws on `//v1.99`. */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const path = (q < 0 ? target : target.slice(0, q)).replace(/#.*$/, '');
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1).replace(/#.*$/, ''));
  return { path: path.startsWith('/') ? path : `/${path}`, query };
}

function bodyTooLarge(limit: number): Error {
  return invalidParameter(`request body too large (limit ${limit} bytes)`);
}

/** A Content-Length header as a number; undefined when absent. */
function contentLength(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header.trim())) throw invalidParameter(`invalid Content-Length: ${JSON.stringify(truncate(header, 32))}`);
  return Number(header.trim());
}

/**
 * The body of an upgrade request: Node hands over the raw socket, and the body is its first
 * Content-Length bytes (`head` holds what came with the headers). Refused before reading when
 * over `limit`; chunks are collected and joined once (linear in the body size). Bytes past the
 * body are put back for the hijacked stream.
 */
export async function readUpgradeBody(socket: Duplex, head: Buffer, lengthHeader: string | undefined, limit: number): Promise<Buffer> {
  const want = contentLength(lengthHeader) ?? 0;
  if (want > limit) throw bodyTooLarge(limit);
  const chunks: Buffer[] = [head];
  let have = head.length;
  if (have < want && !socket.destroyed) {
    await new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        chunks.push(d);
        have += d.length;
        if (have >= want) done();
      };
      const done = () => {
        socket.off('data', onData);
        socket.off('end', done);
        socket.off('close', done);
        socket.pause();
        resolve();
      };
      socket.on('data', onData);
      socket.once('end', done);
      socket.once('close', done);
      socket.resume();
    });
  }
  const buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, have);
  if (buf.length > want) socket.unshift(buf.subarray(want));
  return buf.subarray(0, want);
}

/** Docker's boolValue: absent, "", "0", "no", "false", "none" are false; anything else true. */
export function boolValue(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export function intValue(q: URLSearchParams, key: string, dflt: number): number {
  const v = q.get(key);
  if (v === null || v === '') return dflt;
  return atoi(v);
}

export type Filters = Map<string, string[]>;

/**
 * The `filters` query parameter: JSON `{"key":{"value":true}}` (current) or `{"key":["value"]}`
 * (old clients). Keys not in `accepted` are rejected as Docker does.
 */
export function parseFilters(q: URLSearchParams, accepted: readonly string[]): Filters {
  const raw = q.get('filters');
  const out: Filters = new Map();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`invalid filter '${truncate(raw, 64)}'`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`invalid filter '${truncate(raw, 64)}'`);
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!accepted.includes(key)) throw invalidParameter(`invalid filter '${truncate(key, 64)}'`);
    let values: string[];
    if (Array.isArray(value)) values = value.map(String);
    else if (value && typeof value === 'object') values = Object.entries(value).filter(([, on]) => on).map(([k]) => k);
    else throw invalidParameter(`invalid filter '${truncate(key, 64)}'`);
    out.set(key, values);
  }
  return out;
}

/**
 * Go's strconv.Atoi on a 64-bit platform, with its messages: int64 range, else "value out of
 * range". (The number is exact up to 2^53; beyond that it is only ever used as "very large".)
 */
export function atoi(v: string): number {
  const text = v.trim();
  if (!/^[+-]?\d+$/.test(text)) throw invalidParameter(`strconv.Atoi: parsing ${quoteGo(v)}: invalid syntax`);
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw invalidParameter(`strconv.Atoi: parsing ${quoteGo(v)}: value out of range`);
  return Number(n);
}

const quoteGo = (v: string) => JSON.stringify(truncate(v, 64));

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  if ((contentLength(req.headers['content-length']) ?? 0) > limit) throw bodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw bodyTooLarge(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Parses a JSON object body. Empty bodies give `undefined` when allowed. */
export function parseJsonObject(body: Buffer, opts: { allowEmpty?: boolean } = {}): Record<string, unknown> | undefined {
  if (body.length === 0 || body.toString().trim() === '') {
    if (opts.allowEmpty) return undefined;
    throw invalidParameter('invalid JSON: EOF');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidParameter(`invalid JSON: ${(err as Error).message}`);
  }
  if (parsed === null) {
    if (opts.allowEmpty) return undefined;
    throw invalidParameter('invalid JSON: body is null');
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter('invalid JSON: expected an object');
  }
  return parsed as Record<string, unknown>;
}
