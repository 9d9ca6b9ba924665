// docker/cli's consolidateIpam: pairs each --ip-range, --gateway and --aux-address with the
// --subnet that contains it, with the same checks and messages, before anything is sent.

import { parseIp } from '../../../common/index.ts';

export interface IpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

interface Cidr {
  bytes: number[];
  bits: number;
}

export function consolidateIpam(subnets: string[], ranges: string[], gateways: string[], aux: Record<string, string>): IpamConfig[] {
  if (subnets.length < ranges.length || subnets.length < gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const data = new Map<string, { Subnet: string; IPRange: string; Gateway: string; aux: Map<string, string> }>();
  for (const s of subnets) {
    for (const k of data.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    data.set(s, { Subnet: s, IPRange: '', Gateway: '', aux: new Map() });
  }
  for (const r of ranges) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, r, true)) continue;
      const d = data.get(s)!;
      if (d.IPRange !== '') throw new Error(`cannot configure multiple ranges (${r}, ${d.IPRange}) on the same subnet (${s})`);
      d.IPRange = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }
  for (const g of gateways) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, g)) continue;
      const d = data.get(s)!;
      if (d.Gateway !== '') throw new Error(`cannot configure multiple gateways (${g}, ${d.Gateway}) for the same subnet (${s})`);
      d.Gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }
  for (const [key, addr] of Object.entries(aux)) {
    let match = false;
    for (const s of subnets) {
      if (!subnetMatches(s, addr)) continue;
      data.get(s)!.aux.set(key, addr);
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${addr}`);
  }
  return [...data.values()].map((d) => {
    const c: IpamConfig = { Subnet: d.Subnet };
    if (d.IPRange) c.IPRange = d.IPRange;
    if (d.Gateway) c.Gateway = d.Gateway;
    if (d.aux.size) c.AuxiliaryAddresses = Object.fromEntries([...d.aux].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return c;
  });
}

/**
 * Whether `data` (an address or a CIDR; always a CIDR for ranges) lies in `subnet`; a bad subnet
 * is "invalid subnet: ...", a bad CIDR "invalid CIDR address: ...", a bad address no match.
 */
function subnetMatches(subnet: string, data: string, cidrOnly = false): boolean {
  const s = parseCidr(subnet);
  if (!s) throw new Error(`invalid subnet: invalid CIDR address: ${subnet}`);
  let ip: number[] | undefined;
  if (cidrOnly || data.includes('/')) {
    const d = parseCidr(data);
    if (!d) throw new Error(`invalid CIDR address: ${data}`);
    ip = d.bytes;
  } else {
    ip = parseIp(data);
  }
  if (!ip) return false;
  return contains(s, ip);
}

/** Go's IPNet.Contains: IPv4 and IPv4-mapped addresses compare as 4 bytes, IPv6 as 16. */
function contains(net: Cidr, ip: number[]): boolean {
  const nn = toV4(net.bytes) ?? net.bytes;
  const bits = net.bytes.length === 16 && nn.length === 4 ? Math.max(0, net.bits - 96) : net.bits;
  const x = toV4(ip) ?? ip;
  if (x.length !== nn.length) return false;
  for (let i = 0; i < x.length; i++) {
    const m = Math.max(0, Math.min(8, bits - i * 8));
    const mask = (0xff << (8 - m)) & 0xff;
    if ((nn[i]! & mask) !== (x[i]! & mask)) return false;
  }
  return true;
}

function toV4(b: number[]): number[] | undefined {
  if (b.length === 4) return b;
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  return undefined;
}

/** Go's net.ParseCIDR: an address without zone, '/', a decimal prefix length in range. */
function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const bytes = parseIp(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (!bytes || !/^\d{1,3}$/.test(len)) return undefined;
  const bits = Number(len);
  if (bits > bytes.length * 8) return undefined;
  return { bytes, bits };
}

