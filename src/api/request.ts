// One request-parsing module with Docker's quirks (moby httputils/form.go), so handlers never
// read req.url by hand.
import type { IncomingMessage } from 'node:http';
import { invalidParameter } from '../common/index.ts';

const MAX_JSON_BODY = 16 * 1024 * 1024;

/** Docker's boolValue: absent, "", "0", "no", "false", "none" are false; anything else true. */
export function boolValue(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !['', '0', 'no', 'false', 'none'].includes(v.trim().toLowerCase());
}

export function intValue(q: URLSearchParams, key: string, dflt: number): number {
  const v = q.get(key);
  if (v === null || v === '') return dflt;
  if (!/^-?\d+$/.test(v.trim())) throw invalidParameter(`strconv.Atoi: parsing "${v}": invalid syntax`);
  return Number.parseInt(v, 10);
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
    throw invalidParameter(`invalid filter '${raw}'`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidParameter(`invalid filter '${raw}'`);
  }
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!accepted.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    let values: string[];
    if (Array.isArray(value)) values = value.map(String);
    else if (value && typeof value === 'object') values = Object.entries(value).filter(([, on]) => on).map(([k]) => k);
    else throw invalidParameter(`invalid filter '${key}'`);
    out.set(key, values);
  }
  return out;
}

export async function readBody(req: IncomingMessage, limit = MAX_JSON_BODY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw invalidParameter(`request body too large (limit ${limit} bytes)`);
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
