// Published ports: HostConfig.PortBindings and PublishAllPorts turned into the list of
// mappings to program, and the mappings back into the inspect / list shapes Docker shows.
import { invalidParameter } from '../common/index.ts';
import { formatIp, parseIp } from './cidr.ts';
import { canonicalIp6 } from './ipv6.ts';

export type Proto = 'tcp' | 'udp' | 'sctp';

export interface PortRequest {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  /** First and last host port to try; 0..0 asks the kernel for an ephemeral port. */
  hostPortFirst: number;
  hostPortLast: number;
  /** The index of the request whose host port this one shares (the [::] twin of a 0.0.0.0 binding). */
  pairedWith?: number;
}

export interface PortMapping {
  proto: Proto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

// Nullable fields: the Engine API's PortMap, as a client may send it.
export type PortBindings = Record<string, Array<{ HostIp?: string | null; HostPort?: string | null }> | null>;

/** "80/tcp" -> [80, 'tcp']. */
function parsePortKey(key: string): { port: number; proto: Proto } {
  const [p, proto = 'tcp'] = key.split('/', 2);
  const port = Number(p);
  if (!/^\d+$/.test(p) || port < 1 || port > 65535) throw invalidParameter(`invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalidParameter(`invalid proto: ${proto}`);
  return { port, proto };
}

function parseHostPort(text: string | null | undefined, key: string): [number, number] {
  if (!text) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  const first = m ? Number(m[1]) : NaN;
  const last = m?.[2] ? Number(m[2]) : first;
  if (!m || first > 65535 || last > 65535 || last < first) throw invalidParameter(`invalid port specification: "${text}" (for ${key})`);
  return [first, last];
}

/**
 * The mappings a container asks for, bindings first, then -P for exposed ports not bound. With
 * `dualStack` (the host has IPv6), a binding without a host address is published on 0.0.0.0
 * and on [::] with the same port, as dockerd 27+ does.
 */
export function portRequests(bindings: PortBindings | null | undefined, publishAll: boolean, exposed: Record<string, unknown> | null | undefined, defaultHostIp = '0.0.0.0', dualStack = false): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  const twin = (r: PortRequest) => {
    out.push(r);
    if (dualStack && r.hostIp === '0.0.0.0') out.push({ ...r, hostIp: '::', pairedWith: out.length - 1 });
  };
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parsePortKey(key);
    bound.add(`${port}/${proto}`);
    for (const b of list ?? [{}]) {
      const given = b.HostIp || defaultHostIp;
      // Canonical text only from here on: it goes into iptables rules.
      let hostIp: string | undefined;
      if (given.includes(':')) {
        hostIp = canonicalIp6(given.replace(/^\[(.*)\]$/, '$1'));
      } else {
        const parsed = parseIp(given);
        hostIp = parsed === undefined ? undefined : formatIp(parsed);
      }
      if (hostIp === undefined) throw invalidParameter(`invalid host IP address: ${given}`);
      const [first, last] = parseHostPort(b.HostPort, key);
      const r = { proto, containerPort: port, hostIp, hostPortFirst: first, hostPortLast: last };
      if (b.HostIp) out.push(r);
      else twin(r);
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (bound.has(`${port}/${proto}`)) continue;
      twin({ proto, containerPort: port, hostIp: defaultHostIp, hostPortFirst: 0, hostPortLast: 0 });
    }
  }
  return out;
}

/** NetworkSettings.Ports: every exposed or bound port, with its host bindings or null. */
export function inspectPorts(mappings: PortMapping[], exposed: Record<string, unknown> | null | undefined): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(exposed ?? {})) {
    const { port, proto } = parsePortKey(key);
    out[`${port}/${proto}`] = null;
  }
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.proto}`;
    (out[key] ??= []).push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
  }
  return out;
}

/** The `Ports` of GET /containers/json. */
export function listPorts(mappings: PortMapping[], exposed: Record<string, unknown> | null | undefined): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = mappings.map((m) => ({
    IP: m.hostIp, PrivatePort: m.containerPort, PublicPort: m.hostPort, Type: m.proto,
  }));
  for (const key of Object.keys(exposed ?? {})) {
    const { port, proto } = parsePortKey(key);
    if (!mappings.some((m) => m.containerPort === port && m.proto === proto)) out.push({ PrivatePort: port, Type: proto });
  }
  return out;
}
