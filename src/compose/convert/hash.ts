// The config hash docker compose v2 stores in com.docker.compose.config-hash: a sha256 of the
// service's canonical JSON without the fields that must not force a recreate (build, pull_policy,
// scale, deploy.replicas, depends_on, profiles). Owned by the convert part (cmp-convert).
//
// docker compose hashes Go's json.Marshal of compose-go's ServiceConfig struct: keys in the
// struct's field order, Go's omitempty rules, Go's HTML escaping, and whatever compose-go's
// in-memory model holds (defaults it fills, types it keeps). That byte stream cannot be
// reproduced from the project model here without copying compose-go's struct layout for every
// release, so the hash is ours: sha256 (hex) of the same service with object keys sorted at every
// level, undefined/absent fields left out, and the service's `name` and `x-` extensions left out
// (Go's ServiceConfig marks both json:"-"). Consequence: the first `berth compose up` on a project
// that `docker compose` created (or the reverse) sees a different hash and recreates each
// container once; after that the hash is stable across runs, machines and key order in the files.
import { createHash } from 'node:crypto';
import type { ServiceConfig } from '../types.ts';

export function serviceConfigHash(service: ServiceConfig): string {
  const o: Record<string, unknown> = { ...service };
  delete o.name;
  delete o.extensions;
  delete o.build;
  delete o.pull_policy;
  delete o.scale;
  delete o.depends_on;
  delete o.profiles;
  for (const k of Object.keys(o)) if (k.startsWith('x-')) delete o[k];
  if (service.deploy) o.deploy = { ...service.deploy, replicas: 1 };
  return createHash('sha256').update(canonicalJson(o)).digest('hex');
}

/** JSON with object keys sorted at every level and undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'));
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
