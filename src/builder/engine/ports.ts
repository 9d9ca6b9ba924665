// EXPOSE's port specs as go-connections nat.ParsePortSpecs reads them (the version dockerd
// 20.10 vendors, hence the capitalised errors): `80`, `80/udp`, `8000-8010/tcp`, and the
// `[ip:][hostPort:]containerPort` forms, of which only the container port is kept.
import { badDockerfile } from './errors.ts';

const PROTOS = new Set(['tcp', 'udp', 'sctp']);

function parsePort(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n <= 65535 ? n : undefined;
}

function parseRange(s: string): [number, number] | undefined {
  if (s === '') return undefined;
  const i = s.indexOf('-');
  if (i < 0) {
    const p = parsePort(s);
    return p === undefined ? undefined : [p, p];
  }
  const a = parsePort(s.slice(0, i));
  const b = parsePort(s.slice(i + 1));
  if (a === undefined || b === undefined || b < a) return undefined;
  return [a, b];
}

/** Splits `[ip:][host:]container` like nat.splitParts (an IPv6 IP is bracketed). */
function containerPart(raw: string): string {
  const parts = raw.split(':');
  if (parts.length <= 1) return raw;
  return parts[parts.length - 1];
}

/** The `port/proto` keys of ExposedPorts for one EXPOSE word. */
export function exposedPorts(raw: string): string[] {
  const cp = containerPart(raw);
  const slash = cp.indexOf('/');
  const portPart = slash < 0 ? cp : cp.slice(0, slash);
  const proto = slash < 0 ? 'tcp' : cp.slice(slash + 1);
  if (portPart === '') throw badDockerfile(`No port specified: ${raw}<empty>`);
  const range = parseRange(portPart);
  if (!range) throw badDockerfile(`Invalid containerPort: ${portPart}`);
  if (!PROTOS.has(proto.toLowerCase())) throw badDockerfile(`Invalid proto: ${proto}`);
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${proto.toLowerCase()}`);
  return out;
}
