// Ports as docker compose v2 maps them (create.go buildContainerPorts,
// buildContainerPortBindingOptions): every `expose` entry and every port's target is exposed;
// each port becomes a binding of `<target>/<protocol>` to `{HostIp, HostPort}` (a published range
// stays a range: the daemon takes a free port from it, as with `docker run -p 8000-8010:80`).
import type { PortConfig, ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export function exposedPorts(service: ServiceConfig): Record<string, Record<string, never>> | undefined {
  const set: Record<string, Record<string, never>> = {};
  for (const e of service.expose ?? []) {
    for (const p of expandExpose(service.name, e)) set[p] = {};
  }
  for (const p of service.ports ?? []) set[portKey(service.name, p)] = {};
  return Object.keys(set).length ? set : undefined;
}

export function portBindings(service: ServiceConfig): Record<string, { HostIp: string; HostPort: string }[]> | undefined {
  const map: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of service.ports ?? []) {
    const key = portKey(service.name, p);
    // String(): a loader may hand over a number where compose-go keeps a string.
    const published = p.published === undefined || p.published === null ? '' : String(p.published);
    if (published !== '') checkPublished(service.name, published);
    (map[key] ??= []).push({ HostIp: p.host_ip ?? '', HostPort: published });
  }
  return Object.keys(map).length ? map : undefined;
}

function portKey(service: string, p: PortConfig): string {
  const target = Number(p.target);
  if (!Number.isInteger(target) || target < 1 || target > 65535) {
    throw new ComposeError(`service "${service}": invalid containerPort: ${p.target}`);
  }
  const proto = (p.protocol || 'tcp').toLowerCase();
  if (!PROTOCOLS.has(proto)) throw new ComposeError(`service "${service}": invalid proto: ${p.protocol}`);
  return `${target}/${proto}`;
}

/** '8080' or '8080-8090', each 0..65535, start ≤ end (nat.ParsePortRange). */
function checkPublished(service: string, published: string): void {
  const m = /^(\d+)(?:-(\d+))?$/.exec(published);
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  if (!m || start > 65535 || end > 65535) throw new ComposeError(`service "${service}": invalid hostPort: ${published}`);
  if (end < start) throw new ComposeError(`service "${service}": invalid range specified for hostPort: ${published}`);
}

/** '3000', '3000/udp', '3000-3002/tcp' → ['3000/tcp', ...] (a range is every port in it). */
function expandExpose(service: string, entry: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(String(entry));
  if (!m) throw new ComposeError(`service "${service}": invalid port "${entry}" in expose`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (start < 1 || end > 65535 || end < start) throw new ComposeError(`service "${service}": invalid port range "${entry}" in expose`);
  if (!PROTOCOLS.has(proto)) throw new ComposeError(`service "${service}": invalid proto: ${m[3]}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
