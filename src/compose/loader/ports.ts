// The ports short syntax as docker/go-connections nat.ParsePortSpec reads it, then compose-go's
// ParsePortConfig: `[ip:][host[-range]:]container[-range][/proto]`, IPv6 host IPs in brackets,
// one PortConfig per container port, sorted as Go sorts the "port/proto" keys (as strings).
import { isIP } from 'node:net';
import type { PortConfig } from '../types.ts';

function parseRange(s: string): [number, number] | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

/** Throws Error with nat's message on a bad spec. */
export function parsePortSpec(raw: string): PortConfig[] {
  const parts = raw.split(':');
  const n = parts.length;
  let ip = '';
  let hostPort = '';
  let containerPort = parts[n - 1]!;
  if (n === 2) hostPort = parts[0]!;
  else if (n === 3) {
    ip = parts[0]!;
    hostPort = parts[1]!;
  } else if (n > 3) {
    ip = parts.slice(0, n - 2).join(':');
    hostPort = parts[n - 2]!;
  }
  let proto = 'tcp';
  const slash = containerPort.indexOf('/');
  if (slash >= 0) {
    proto = containerPort.slice(slash + 1);
    containerPort = containerPort.slice(0, slash);
  }
  if (ip.startsWith('[')) {
    if (!ip.endsWith(']')) throw new Error(`invalid IP address ${ip}: address ${ip}: missing ']' in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIP(ip)) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  const cr = parseRange(containerPort);
  if (!cr) throw new Error(`invalid containerPort: ${containerPort}`);
  let hr: [number, number] = [0, 0];
  if (hostPort !== '') {
    const r = parseRange(hostPort);
    if (!r) throw new Error(`invalid hostPort: ${hostPort}`);
    hr = r;
  }
  if (hostPort !== '' && cr[1] - cr[0] !== hr[1] - hr[0] && cr[1] !== cr[0]) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  const p = proto.toLowerCase();
  if (p !== 'tcp' && p !== 'udp' && p !== 'sctp') throw new Error(`invalid proto: ${proto}`);
  const out: { key: string; port: PortConfig }[] = [];
  for (let i = 0; i <= cr[1] - cr[0]; i++) {
    const target = cr[0] + i;
    let published: string | undefined;
    if (hostPort !== '') {
      published = String(hr[0] + i);
      if (cr[0] === cr[1] && hr[0] !== hr[1]) published = `${published}-${hr[1]}`;
    }
    const port: PortConfig = { mode: 'ingress', target, protocol: p };
    if (ip) port.host_ip = ip;
    if (published !== undefined) port.published = published;
    out.push({ key: `${target}/${p}`, port });
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out.map((o) => o.port);
}
