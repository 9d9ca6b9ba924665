// -p/--publish and --expose, read as docker does (go-connections nat.ParsePortSpecs):
// [ip:][hostPort|hostRange:]containerPort|containerRange[/proto], "[::1]:80:80", and the long
// form "published=8080,target=80,protocol=udp".
import { isIP } from 'node:net';
import { OptionError } from './errors.ts';
import { parseGoUint } from './go-strconv.ts';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface ParsedPorts {
  /** "80/tcp" -> {} */
  exposed: Record<string, Record<string, never>>;
  /** "80/tcp" -> bindings in the order given */
  bindings: Record<string, PortBinding[]>;
}

/** The long --publish form to the short one (docker's convertToStandardNotation). */
function toStandardNotation(specs: string[]): string[] {
  return specs.map((spec) => {
    if (!spec.includes('=')) return spec;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of spec.split(',')) {
      const i = param.indexOf('=');
      if (i <= 0) throw new OptionError(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, i)] = param.slice(i + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}

/** nat.ParsePortRange: "80" or "8000-8010". */
function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new OptionError('empty string specified for ports');
  if (!ports.includes('-')) {
    const p = parseGoUint(ports, 16);
    return [p, p];
  }
  const parts = ports.split('-');
  const start = parseGoUint(parts[0], 16);
  const end = parseGoUint(parts[1], 16);
  if (end < start) throw new OptionError(`invalid range specified for port: ${ports}`);
  return [start, end];
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0]];
  if (n === 2) return ['', parts[0], parts[1]];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2], parts[n - 1]];
}

/** nat.SplitProtoPort: "80/udp" -> ["udp", "80"]. */
function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw.length === 0 || parts[0].length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1].length === 0) return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function validateProto(proto: string): void {
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new OptionError(`invalid proto: ${proto}`);
}

function parsePortSpec(raw: string): Array<{ port: string; binding: PortBinding }> {
  let [ip, hostPort, containerPort] = splitParts(raw);
  let proto: string;
  [proto, containerPort] = splitProtoPort(containerPort);
  if (ip !== '' && ip[0] === '[') {
    // Go's net.SplitHostPort(ip + ":") strips the brackets, with its errors.
    const close = ip.indexOf(']');
    if (close < 0) throw new OptionError(`invalid IP address ${ip}: address ${ip}:: missing ']' in address`);
    if (close !== ip.length - 1) throw new OptionError(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && isIP(ip) === 0) throw new OptionError(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new OptionError(`no port specified: ${raw}<empty>`);
  let start: number, end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new OptionError(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0, hostEnd = 0;
  if (hostPort.length > 0) {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new OptionError(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    throw new OptionError(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  proto = proto.toLowerCase();
  validateProto(proto);
  const count = end - start + 1;
  const out: Array<{ port: string; binding: PortBinding }> = [];
  for (let i = 0; i < count; i++) {
    let hPort = '';
    if (hostPort !== '') {
      hPort = String(hostStart + i);
      // A single container port with a host range: the range is where the daemon picks from.
      if (count === 1 && hostStart !== hostEnd) hPort += `-${hostEnd}`;
    }
    out.push({ port: `${start + i}/${proto}`, binding: { HostIp: ip, HostPort: hPort } });
  }
  return out;
}

/** All -p values: what to expose and how to bind it. */
export function parsePortSpecs(specs: string[]): ParsedPorts {
  const exposed: ParsedPorts['exposed'] = {};
  const bindings: ParsedPorts['bindings'] = {};
  for (const raw of toStandardNotation(specs)) {
    for (const { port, binding } of parsePortSpec(raw)) {
      exposed[port] = {};
      (bindings[port] ??= []).push(binding);
    }
  }
  return { exposed, bindings };
}

/** --expose "80", "80/udp", "8000-8010/tcp": each port of the range. */
export function parseExpose(value: string): string[] {
  const [proto, port] = splitProtoPort(value);
  let start: number, end: number;
  try {
    [start, end] = parsePortRange(port);
  } catch (err) {
    throw new OptionError(`invalid range format for --expose: ${(err as Error).message}`);
  }
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}
