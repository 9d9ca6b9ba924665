// IP address management for one network: a subnet, its gateway, an optional allocation range
// and the addresses in use. Allocations are not persisted here: the daemon recomputes them at
// start from the container records, so nothing goes stale after a kill -9.
import { conflict, invalidParameter } from '../common/index.ts';
import { contains, formatIp, formatSubnet, overlaps, parseIp, parseSubnet, size, type Subnet } from './cidr.ts';

export interface IpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
  /** The gateway was picked by berth for a subnet the client gave (inspect leaves it out, as dockerd). */
  GatewayChosen?: boolean;
}

export class AddressPool {
  readonly subnet: Subnet;
  readonly range: Subnet;
  readonly gateway: number;
  private readonly used = new Set<number>();
  /** Next candidate, so a released address is not handed out again at once (as libnetwork). */
  private cursor: number;

  constructor(cfg: IpamConfig) {
    this.subnet = parseSubnet(cfg.Subnet);
    if (this.subnet.prefix > 30) throw invalidParameter(`invalid subnet ${cfg.Subnet}: too small for a network`);
    this.range = cfg.IPRange ? parseSubnet(cfg.IPRange) : this.subnet;
    if (!contains(this.subnet, this.range.base) || this.range.prefix < this.subnet.prefix) {
      throw invalidParameter(`invalid pool request: IPRange ${cfg.IPRange} is not a subset of subnet ${cfg.Subnet}`);
    }
    const gw = cfg.Gateway ? parseIp(cfg.Gateway) : this.subnet.base + 1;
    if (gw === undefined) throw invalidParameter(`invalid gateway address ${cfg.Gateway}`);
    if (!contains(this.subnet, gw)) throw invalidParameter(`Invalid gateway address ${cfg.Gateway}: not in subnet ${cfg.Subnet}`);
    this.gateway = gw;
    this.used.add(gw);
    for (const [name, text] of Object.entries(cfg.AuxiliaryAddresses ?? {})) {
      const aux = parseIp(text);
      if (aux === undefined || !contains(this.subnet, aux)) throw invalidParameter(`invalid auxiliary address ${name}=${text}: not in subnet ${cfg.Subnet}`);
      this.used.add(aux);
    }
    this.cursor = this.range.base;
  }

  get prefix(): number {
    return this.subnet.prefix;
  }

  private usable(ip: number): boolean {
    const broadcast = this.subnet.base + size(this.subnet) - 1;
    return ip !== this.subnet.base && ip !== broadcast;
  }

  /** Takes a specific address (static --ip, or re-adoption at daemon start). */
  reserve(text: string): number {
    const ip = parseIp(text);
    if (ip === undefined) throw invalidParameter(`invalid IP address: ${text}`);
    if (!contains(this.subnet, ip) || !this.usable(ip)) {
      throw invalidParameter(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${text}`);
    }
    if (this.used.has(ip)) throw conflict(`failed to set up container networking: Address already in use`);
    this.used.add(ip);
    return ip;
  }

  /** The next free address of the range. */
  allocate(): number {
    const n = size(this.range);
    for (let i = 0; i < n; i++) {
      const ip = this.range.base + ((this.cursor - this.range.base + i) % n);
      if (!this.usable(ip) || this.used.has(ip)) continue;
      this.used.add(ip);
      this.cursor = ip + 1;
      return ip;
    }
    throw conflict(`no available IPv4 addresses on this network's address pools: ${formatSubnet(this.subnet)}`);
  }

  release(text: string): void {
    const ip = parseIp(text);
    if (ip !== undefined && ip !== this.gateway) this.used.delete(ip);
  }

  inUse(text: string): boolean {
    const ip = parseIp(text);
    return ip !== undefined && this.used.has(ip);
  }

  gatewayText(): string {
    return formatIp(this.gateway);
  }
}

export interface PoolSpec {
  base: string;
  size: number;
}

/** Docker's default-address-pools. */
export const DEFAULT_POOLS: PoolSpec[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/** The first subnet of the pools that overlaps nothing already taken (host routes, addresses, other networks). */
export function pickFreeSubnet(pools: PoolSpec[], taken: Subnet[]): Subnet {
  for (const pool of pools) {
    const base = parseSubnet(pool.base);
    if (pool.size < base.prefix || pool.size > 30) throw invalidParameter(`invalid default address pool: ${pool.base} size ${pool.size}`);
    const step = 2 ** (32 - pool.size);
    for (let at = base.base; at < base.base + size(base); at += step) {
      const candidate = { base: at >>> 0, prefix: pool.size };
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
    }
  }
  throw invalidParameter('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}
