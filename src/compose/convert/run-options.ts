// `-p/--publish` and `-v/--volume` of `compose run`, read as docker compose v2 reads them
// (compose-go types.ParsePortConfig over nat.ParsePortSpecs; loader.ParseVolume). Hand-written:
// the compose box may not use the CLI's parsers, and these are small.
import { isIP } from 'node:net';
import { isAbsolute, resolve } from 'node:path';
import type { PortConfig, ServiceVolumeConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

/** One `--publish` value: `[ip:][hostPort[-end]:]containerPort[-end][/proto]`, ranges expanded. */
export function parsePublish(spec: string): PortConfig[] {
  let rest = spec;
  let protocol = 'tcp';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0 && !rest.slice(slash).includes(':')) {
    protocol = rest.slice(slash + 1).toLowerCase() || 'tcp';
    rest = rest.slice(0, slash);
  }
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) throw new ComposeError(`invalid proto: ${protocol}`);
  let ip = '';
  let hostPart = '';
  let containerPart: string;
  const bracket = /^\[([^\]]*)\]:(.*)$/.exec(rest);
  if (bracket) {
    ip = bracket[1];
    const i = bracket[2].lastIndexOf(':');
    if (i < 0) throw new ComposeError(`invalid port specification: "${spec}"`);
    hostPart = bracket[2].slice(0, i);
    containerPart = bracket[2].slice(i + 1);
  } else {
    const parts = rest.split(':');
    containerPart = parts.pop()!;
    if (parts.length) hostPart = parts.pop()!;
    if (parts.length) ip = parts.join(':');
  }
  if (ip !== '' && isIP(ip) === 0) throw new ComposeError(`invalid IP address: ${ip}`);
  const [start, end] = portRange(containerPart, 'containerPort', spec);
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPart !== '') [hostStart, hostEnd] = portRange(hostPart, 'hostPort', spec);
  if (hostPart !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new ComposeError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
  }
  const out: PortConfig[] = [];
  for (let i = 0; i <= end - start; i++) {
    const p: PortConfig = { mode: 'ingress', target: start + i, protocol };
    if (ip) p.host_ip = ip;
    if (hostPart !== '') {
      // One container port with a host range: the daemon picks a free port of the range.
      p.published = end === start && hostEnd !== hostStart ? `${hostStart}-${hostEnd}` : String(hostStart + i);
    }
    out.push(p);
  }
  return out;
}

function portRange(text: string, what: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new ComposeError(`invalid ${what}: ${text} in "${spec}"`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  if (start > 65535 || end > 65535) throw new ComposeError(`invalid ${what}: ${text} in "${spec}"`);
  if (end < start) throw new ComposeError(`invalid range specified for ${what}: ${text}`);
  if (what === 'containerPort' && start === 0) throw new ComposeError(`invalid containerPort: ${text}`);
  return [start, end];
}

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

/**
 * One `--volume` value: `target`, `source:target[:options]`. A source that is a path (starts
 * with '/', '.' or '~') is a bind (relative to `cwd`, created when missing, as the short syntax);
 * otherwise it names a volume (the project's key, or an engine volume name).
 */
export function parseRunVolume(spec: string, cwd: string, home = process.env.HOME ?? '/'): ServiceVolumeConfig {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') || parts.length > 3) throw new ComposeError(`invalid spec: ${spec}: empty section between colons`);
  if (parts.length === 1) {
    if (!parts[0].startsWith('/')) throw new ComposeError(`invalid volume specification: '${spec}': invalid mount config: mount path must be absolute`);
    return { type: 'volume', target: parts[0] };
  }
  let [source, target, options] = parts;
  if (!target.startsWith('/')) throw new ComposeError(`invalid volume specification: '${spec}': invalid mount config: mount path must be absolute`);
  const isPath = source.startsWith('/') || source.startsWith('.') || source.startsWith('~');
  const v: ServiceVolumeConfig = isPath ? { type: 'bind', source: '', target, bind: { create_host_path: true } } : { type: 'volume', source, target };
  if (isPath) {
    if (source === '~' || source.startsWith('~/')) source = home + source.slice(1);
    v.source = isAbsolute(source) ? source : resolve(cwd, source);
  }
  for (const opt of options ? options.split(',') : []) {
    if (opt === 'ro') v.read_only = true;
    else if (opt === 'rw') v.read_only = false;
    else if (opt === 'z' || opt === 'Z') v.bind = { ...v.bind, selinux: opt };
    else if (opt === 'nocopy') v.volume = { ...v.volume, nocopy: true };
    else if (PROPAGATION.has(opt)) v.bind = { ...v.bind, propagation: opt };
    else throw new ComposeError(`invalid volume specification: '${spec}': unknown option ${JSON.stringify(opt)}`);
  }
  if (v.type === 'volume' && v.bind) throw new ComposeError(`invalid volume specification: '${spec}': bind options on a named volume`);
  if (v.type === 'bind' && v.volume) throw new ComposeError(`invalid volume specification: '${spec}': nocopy on a bind mount`);
  return v;
}
