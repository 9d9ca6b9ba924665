// IPv6 addresses and subnets as bigints: the arithmetic of the v6 side of a bridge network
// (its IPAM, Docker's IPAM checks and messages, the ULA pool for networks created with --ipv6
// but no subnet). Pure; cidr.ts keeps the IPv4 side.
import { createHash } from 'node:crypto';
import { conflict, formatIPv6, invalidParameter, parseIPv6 } from '../common/index.ts';

export interface Subnet6 {
  base: bigint;
  prefix: number;
}

const ALL = (1n << 128n) - 1n;

function maskOf(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL;
}

/** Whether a subnet or address text is of the IPv6 family (Docker splits IPAM configs this way). */
export function isV6(text: string): boolean {
  return text.includes(':');
}

export function parseIp6(text: string): bigint | undefined {
  const bytes = parseIPv6(text.trim());
  if (!bytes) return undefined;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** RFC 5952 text of an address held as a 128-bit number. */
export function formatIp6(n: bigint): string {
  const bytes: number[] = [];
  for (let i = 15; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  return formatIPv6(bytes);
}

/** The canonical text of an IPv6 address, or undefined when it is not one. */
export function canonicalIp6(text: string): string | undefined {
  const n = parseIp6(text);
  return n === undefined ? undefined : formatIp6(n);
}

/** "addr/prefix" with the address kept as given. */
function parseCidr6(text: string): { ip: bigint; prefix: number } | undefined {
  const m = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = parseIp6(m[1]);
  const prefix = Number(m[2]);
  if (ip === undefined || prefix > 128) return undefined;
  return { ip, prefix };
}

export function parseSubnet6(text: string): Subnet6 {
  const c = parseCidr6(text);
  if (!c) throw invalidParameter(`invalid CIDR address: ${text}`);
  return { base: c.ip & maskOf(c.prefix), prefix: c.prefix };
}

export function formatSubnet6(s: Subnet6): string {
  return `${formatIp6(s.base)}/${s.prefix}`;
}

export function contains6(s: Subnet6, ip: bigint): boolean {
  return (ip & maskOf(s.prefix)) === s.base;
}

export function overlaps6(a: Subnet6, b: Subnet6): boolean {
  const m = maskOf(Math.min(a.prefix, b.prefix));
  return (a.base & m) === (b.base & m);
}

const LINK_LOCAL = { base: 0xfe80n << 112n, prefix: 64 };
const MULTICAST = { base: 0xffn << 120n, prefix: 8 };

/**
 * The bridge driver's check of a network's IPv6 address (moby validateIPv6Subnet): no multicast
 * subnet, no overlap with fe80::/64 unless it is exactly that. `text` is the gateway with the
 * prefix length, as moby prints it. Returns the error text.
 */
export function ipv6SubnetProblem(subnet: Subnet6, text: string): string | undefined {
  if (contains6(MULTICAST, subnet.base)) return `multicast subnet '${text}' is not allowed`;
  const isLinkLocal = subnet.base === LINK_LOCAL.base && subnet.prefix === LINK_LOCAL.prefix;
  if (!isLinkLocal && overlaps6(subnet, LINK_LOCAL)) return `'${text}' clashes with the Link-Local prefix 'fe80::/64'`;
  return undefined;
}

export interface Ipam6Config {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/**
 * moby's ValidateIPAM (api/types/network/ipam.go) for the IPv6 entries of a create request,
 * with its messages: host bits set, ranges and gateways of the wrong family or outside.
 */
export function validateIpam6(configs: Ipam6Config[]): void {
  const errs: string[] = [];
  for (const cfg of configs) {
    const c = parseCidr6(cfg.Subnet);
    if (!c) {
      errs.push(`invalid subnet ${cfg.Subnet}: invalid CIDR block notation`);
      continue;
    }
    const subnet = { base: c.ip & maskOf(c.prefix), prefix: c.prefix };
    const text = formatSubnet6(subnet);
    if (c.ip !== subnet.base) errs.push(`invalid subnet ${formatIp6(c.ip)}/${c.prefix}: it should be ${text}`);
    if (cfg.IPRange) {
      const r = parseCidr6(cfg.IPRange);
      if (!r) {
        errs.push(cfg.IPRange.includes('/') && !isV6(cfg.IPRange) ? `invalid ip-range ${cfg.IPRange}: parent subnet is an IPv6 block` : `invalid ip-range ${cfg.IPRange}: invalid CIDR block notation`);
      } else {
        const masked = r.ip & maskOf(r.prefix);
        if (r.prefix < subnet.prefix) errs.push(`invalid ip-range ${cfg.IPRange}: CIDR block is bigger than its parent subnet ${text}`);
        if (masked !== r.ip) errs.push(`invalid ip-range ${formatIp6(r.ip)}/${r.prefix}: it should be ${formatIp6(masked)}/${r.prefix}`);
        if (!overlaps6(subnet, { base: masked, prefix: r.prefix })) errs.push(`invalid ip-range ${cfg.IPRange}: parent subnet ${text} doesn't contain ip-range`);
      }
    }
    const addr = (a: string): string | undefined => {
      if (!isV6(a)) return /^\d+\.\d+\.\d+\.\d+$/.test(a) ? 'parent subnet is an IPv6 block' : 'invalid address';
      const ip = parseIp6(a);
      if (ip === undefined) return 'invalid address';
      return contains6(subnet, ip) ? undefined : `parent subnet ${text} doesn't contain this address`;
    };
    if (cfg.Gateway) {
      const e = addr(cfg.Gateway);
      if (e) errs.push(`invalid gateway ${cfg.Gateway}: ${e}`);
    }
    for (const [name, a] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const e = addr(a);
      if (e) errs.push(`invalid auxiliary address ${name}: ${e}`);
    }
  }
  if (errs.length) throw invalidParameter(`invalid network config:\n${errs.join('\n')}`);
}

/** The addresses of one network's IPv6 subnet: the gateway (first address unless given), aux addresses, endpoints. */
export class AddressPool6 {
  readonly subnet: Subnet6;
  readonly range: Subnet6;
  readonly gateway: bigint;
  private readonly used = new Set<bigint>();
  private cursor: bigint;

  constructor(cfg: Ipam6Config) {
    this.subnet = parseSubnet6(cfg.Subnet);
    if (this.subnet.prefix > 126) throw invalidParameter(`invalid subnet ${cfg.Subnet}: too small for a network`);
    this.range = cfg.IPRange ? parseSubnet6(cfg.IPRange) : this.subnet;
    if (!contains6(this.subnet, this.range.base) || this.range.prefix < this.subnet.prefix) {
      throw invalidParameter(`invalid pool request: IPRange ${cfg.IPRange} is not a subset of subnet ${cfg.Subnet}`);
    }
    const gw = cfg.Gateway ? parseIp6(cfg.Gateway) : this.subnet.base + 1n;
    if (gw === undefined || !contains6(this.subnet, gw)) throw invalidParameter(`Invalid gateway address ${cfg.Gateway}: not in subnet ${cfg.Subnet}`);
    this.gateway = gw;
    this.used.add(gw);
    for (const text of Object.values(cfg.AuxiliaryAddresses ?? {})) {
      const aux = parseIp6(text);
      if (aux !== undefined) this.used.add(aux);
    }
    this.cursor = this.range.base;
  }

  get prefix(): number {
    return this.subnet.prefix;
  }

  gatewayText(): string {
    return formatIp6(this.gateway);
  }

  /** A given address (--ip6, or re-adoption at daemon start). */
  reserve(text: string): bigint {
    const ip = parseIp6(text);
    if (ip === undefined) throw invalidParameter(`invalid IPv6 address: ${text}`);
    if (!contains6(this.subnet, ip) || ip === this.subnet.base) {
      throw invalidParameter(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${text}`);
    }
    if (this.used.has(ip)) throw conflict('failed to set up container networking: Address already in use');
    this.used.add(ip);
    return ip;
  }

  /** The next free address of the range (the subnet-router anycast address, the first, is never handed out). */
  allocate(): bigint {
    const span = 1n << BigInt(128 - this.range.prefix);
    // A /64 has more addresses than anyone can use: the scan is bounded by what is in use.
    const tries = BigInt(this.used.size + 2) < span ? BigInt(this.used.size + 2) : span;
    for (let i = 0n; i < tries; i++) {
      const ip = this.range.base + ((this.cursor - this.range.base + i) % span);
      if (ip === this.subnet.base || this.used.has(ip)) continue;
      this.used.add(ip);
      this.cursor = ip + 1n;
      return ip;
    }
    throw conflict(`no available IPv6 addresses on this network's address pools: ${formatSubnet6(this.subnet)}`);
  }

  release(text: string): void {
    const ip = parseIp6(text);
    if (ip !== undefined && ip !== this.gateway) this.used.delete(ip);
  }

  inUse(text: string): boolean {
    const ip = parseIp6(text);
    return ip !== undefined && this.used.has(ip);
  }
}

/**
 * Docker 27+ gives a network created with --ipv6 and no IPv6 subnet a /64 of a Unique Local
 * Address /48 of its own (fd00::/8 and 40 bits from the daemon's identity). berth derives the
 * 40 bits from `seed` (the data root), so one daemon keeps its prefix across restarts.
 */
export function ulaPool(seed: string): Subnet6 {
  const h = createHash('sha256').update(seed).digest();
  let n = 0xfdn;
  for (let i = 0; i < 5; i++) n = (n << 8n) | BigInt(h[i]);
  return { base: n << 80n, prefix: 48 };
}

/** The first /64 of the pool that overlaps nothing taken. */
export function pickFreeSubnet6(pool: Subnet6, taken: Subnet6[]): Subnet6 {
  const count = 1n << BigInt(64 - pool.prefix);
  for (let i = 0n; i < count; i++) {
    const candidate = { base: pool.base + (i << 64n), prefix: 64 };
    if (!taken.some((t) => overlaps6(t, candidate))) return candidate;
  }
  throw invalidParameter('could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network');
}
