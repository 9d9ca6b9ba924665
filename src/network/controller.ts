// The network box's core: the networks (default bridge, host, none, user-defined bridge and
// macvlan), their address pools, the Linux bridges and berth's iptables chains. The daemon asks
// it for endpoints (an address on a network, then a veth into a container) and port mappings.
import { randomBytes } from 'node:crypto';
import {
  KeyedLock,
  conflict,
  forbidden,
  invalidParameter,
  notFound,
  newId,
  formatRfc3339Nano,
  nowNs,
  parseGoBool,
} from '../common/index.ts';
import { contains, formatIp, formatSubnet, macFromIp, overlaps, parseCidrAddress, parseIp, parseSubnet, type Subnet } from './cidr.ts';
import { AddressPool, DEFAULT_POOLS, pickFreeSubnet, type IpamConfig, type PoolSpec } from './ipam.ts';
import { NetworkStore, type NetworkRecord } from './network-store.ts';
import { Iptables } from './iptables.linux.ts';
import type { BridgeRules, PortRule } from './iptables-rules.ts';
import { deleteInside, deleteLink, enableIpForward, ensureBridge, hostSubnets, interfaceAddress, linkExists, plumbEndpoint, plumbMacvlan } from './links.linux.ts';
import {
  AddressPool6, contains6, formatIp6, formatSubnet6, ipv6SubnetProblem, isV6, overlaps6, parseIp6, parseSubnet6, pickFreeSubnet6, ulaPool, validateIpam6, type Subnet6,
} from './ipv6.ts';
import { addBridgeAddress6, enableIpv6Forwarding, flushBridge6, plumbEndpoint6 } from './ipv6.linux.ts';
import { buildRuleset6, type Bridge6Rules, type Port6Rule } from './ip6tables-rules.ts';

export interface NetworkOptions {
  dataRoot: string;
  bridgeName: string;
  bip?: string;
  fixedCidr?: string;
  pools?: PoolSpec[];
  mtu: number;
  iptables: boolean;
  ipForward: boolean;
  icc: boolean;
  ipMasq: boolean;
  chainPrefix: string;
  /** The default bridge with IPv6 (daemon.json "ipv6", --ipv6) and its subnet ("fixed-cidr-v6"). */
  ipv6?: boolean;
  fixedCidrV6?: string;
  /** false: no ip6tables rules (dockerd --ip6tables=false); IPv6 networks still get addresses. */
  ip6tables?: boolean;
  log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void };
}

export interface CreateNetworkRequest {
  Name: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Labels?: Record<string, string>;
  Options?: Record<string, string>;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: IpamConfig[] | null };
}

export interface Endpoint {
  networkId: string;
  ip: string;
  prefix: number;
  gateway: string;
  mac: string;
  /** The IPv6 address, prefix length and gateway on a network with IPv6. */
  ip6?: string;
  prefix6?: number;
  gateway6?: string;
}

interface Net {
  rec: NetworkRecord;
  pool?: AddressPool;
  pool6?: AddressPool6;
}

/** The network's IPv4 config (the first one that is not IPv6). */
function v4Of(rec: NetworkRecord): IpamConfig {
  return rec.IPAM.Config.find((c) => !isV6(c.Subnet)) ?? rec.IPAM.Config[0];
}

/** The network's IPv6 config, when it has IPv6. */
function v6Of(rec: NetworkRecord): IpamConfig | undefined {
  return rec.EnableIPv6 ? rec.IPAM.Config.find((c) => isV6(c.Subnet)) : undefined;
}

const OPT_BRIDGE = 'com.docker.network.bridge.name';
const OPT_ICC = 'com.docker.network.bridge.enable_icc';
const OPT_MASQ = 'com.docker.network.bridge.enable_ip_masquerade';
const OPT_HOST_IP = 'com.docker.network.bridge.host_binding_ipv4';
const OPT_MTU = 'com.docker.network.driver.mtu';
const OPT_DEFAULT = 'com.docker.network.bridge.default_bridge';
const OPT_ENABLE_IPV6 = 'com.docker.network.enable_ipv6';

export const PREDEFINED = new Set(['bridge', 'host', 'none', 'default']);

export class NetworkController {
  private readonly opts: NetworkOptions;
  private readonly store: NetworkStore;
  private readonly nets = new Map<string, Net>();
  private readonly ports = new Map<string, PortRule[]>();
  private readonly iptables: Iptables;
  private readonly ip6tables: Iptables;
  /** Whether this process programmed ip6tables chains (so teardown removes them). */
  private ip6Used = false;
  private applying: Promise<void> = Promise.resolve();
  /**
   * Creates run one at a time: a create awaits (host subnets, the bridge) between choosing its
   * subnet and name and recording them, and two at once (docker compose creates a project's
   * networks in parallel) took the same free subnet, or both passed the name check.
   */
  private readonly createLock = new KeyedLock();

  private constructor(opts: NetworkOptions) {
    this.opts = opts;
    this.store = new NetworkStore(opts.dataRoot);
    this.iptables = new Iptables(opts.chainPrefix);
    this.ip6tables = new Iptables(opts.chainPrefix, 6);
  }

  /** Loads the networks, (re)creates the predefined ones and their bridges, rebuilds the rules. */
  static async open(opts: NetworkOptions): Promise<NetworkController> {
    const c = new NetworkController(opts);
    for (const rec of await c.store.loadAll()) c.nets.set(rec.Id, { rec });
    await c.ensurePredefined();
    for (const n of c.nets.values()) {
      if ((n.rec.Driver === 'bridge' || n.rec.Driver === 'macvlan') && n.rec.EnableIPv4 !== false) n.pool = new AddressPool(v4Of(n.rec));
      const v6 = n.rec.Driver === 'bridge' ? v6Of(n.rec) : undefined;
      if (v6) n.pool6 = new AddressPool6(v6);
      if (n.rec.Driver === 'bridge') await c.setUpBridge(n);
    }
    if (opts.ipForward) await enableIpForward().catch((err) => opts.log.warn('cannot enable ip_forward', { err: String(err) }));
    await c.ipv6Forwarding();
    await c.applyRules();
    if (opts.iptables) opts.log.info('iptables chains of this daemon', { prefix: opts.chainPrefix });
    return c;
  }

  get defaultBridgeName(): string {
    return this.opts.bridgeName;
  }

  private byName(name: string): Net | undefined {
    for (const n of this.nets.values()) if (n.rec.Name === name) return n;
    return undefined;
  }

  private async ensurePredefined(): Promise<void> {
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (this.byName(name)) continue;
      const rec = this.newRecord(name, driver, {}, { Driver: 'default', Options: null, Config: [] });
      this.nets.set(rec.Id, { rec });
      await this.store.save(rec);
    }
    const existing = this.byName('bridge');
    const bridge = this.opts.bridgeName;
    const ownDevs = new Set([...this.nets.values()].map((n) => n.rec.bridge).filter((b): b is string => Boolean(b)));
    let ipam: IpamConfig;
    // Like dockerd -b: a bridge that exists already, not made by berth, keeps its own address.
    const ours = existing?.rec.bridge === bridge && existing.rec.createdBridge;
    const bip = this.opts.bip ?? (ours ? undefined : await interfaceAddress(bridge));
    if (bip) {
      const parsed = parseCidrAddress(bip);
      if (!parsed) throw invalidParameter(`invalid bip: ${bip}`);
      ipam = { Subnet: formatSubnet(parseSubnet(bip)), Gateway: formatIp(parsed.ip) };
    } else {
      const taken = (await hostSubnets([...ownDevs])).concat(this.otherSubnets(existing?.rec.Id));
      const prev = existing && v4Of(existing.rec);
      if (prev && existing?.rec.bridge === bridge && !taken.some((t) => overlaps(t, parseSubnet(prev.Subnet)))) {
        ipam = { Subnet: prev.Subnet, Gateway: prev.Gateway };
      } else {
        const s = pickFreeSubnet(this.opts.pools ?? DEFAULT_POOLS, taken);
        ipam = { Subnet: formatSubnet(s), Gateway: formatIp(s.base + 1) };
      }
    }
    if (this.opts.fixedCidr) ipam.IPRange = this.opts.fixedCidr;
    const options = {
      [OPT_DEFAULT]: 'true', [OPT_ICC]: String(this.opts.icc), [OPT_MASQ]: String(this.opts.ipMasq),
      [OPT_HOST_IP]: '0.0.0.0', [OPT_BRIDGE]: bridge, [OPT_MTU]: String(this.opts.mtu),
    };
    const rec = existing?.rec ?? this.newRecord('bridge', 'bridge', {}, { Driver: 'default', Options: null, Config: [] });
    if (existing && existing.rec.bridge !== bridge) {
      if (existing.rec.bridge && existing.rec.createdBridge) await deleteLink(existing.rec.bridge);
      rec.createdBridge = false;
    }
    const v6 = this.opts.ipv6 ? this.defaultBridge6(existing?.rec) : undefined;
    // A bridge of berth's that had another IPv6 subnet (or IPv6 at all) loses its old gateway address.
    const old6 = existing && v6Of(existing.rec);
    if (old6 && old6.Subnet !== v6?.Subnet && rec.createdBridge && rec.bridge === bridge) await flushBridge6(bridge);
    rec.IPAM = { Driver: 'default', Options: null, Config: v6 ? [ipam, v6] : [ipam] };
    if (v6) rec.EnableIPv6 = true;
    else delete rec.EnableIPv6;
    rec.Options = options;
    rec.bridge = bridge;
    this.nets.set(rec.Id, { rec });
    await this.store.save(rec);
  }

  /** The default bridge's IPv6 config: fixed-cidr-v6, else the one it had, else a /64 of the ULA pool. */
  private defaultBridge6(existing: NetworkRecord | undefined): IpamConfig {
    if (this.opts.fixedCidrV6) {
      const s = isV6(this.opts.fixedCidrV6) ? parseSubnet6(this.opts.fixedCidrV6) : undefined;
      const problem = s ? ipv6SubnetProblem(s, this.opts.fixedCidrV6) : `'${this.opts.fixedCidrV6}' is not a valid IPv6 subnet`;
      if (!s || problem) throw invalidParameter(`invalid fixed-cidr-v6: ${problem}`);
      return { Subnet: formatSubnet6(s), Gateway: formatIp6(s.base + 1n) };
    }
    const prev = existing && v6Of(existing);
    if (prev) return { Subnet: prev.Subnet, Gateway: prev.Gateway };
    const s = pickFreeSubnet6(ulaPool(this.opts.dataRoot), this.otherSubnets6(existing?.Id));
    return { Subnet: formatSubnet6(s), Gateway: formatIp6(s.base + 1n) };
  }

  private otherSubnets(exceptId?: string): Subnet[] {
    const out: Subnet[] = [];
    for (const n of this.nets.values()) {
      if (n.rec.Id === exceptId) continue;
      for (const c of n.rec.IPAM.Config) if (!isV6(c.Subnet)) out.push(parseSubnet(c.Subnet));
    }
    return out;
  }

  private otherSubnets6(exceptId?: string): Subnet6[] {
    const out: Subnet6[] = [];
    for (const n of this.nets.values()) {
      const c = n.rec.Id === exceptId ? undefined : v6Of(n.rec);
      if (c) out.push(parseSubnet6(c.Subnet));
    }
    return out;
  }

  /** net.ipv6.conf.all.forwarding once a bridge network has IPv6 (as dockerd, unless --ip-forward=false). */
  private async ipv6Forwarding(): Promise<void> {
    if (!this.opts.ipForward || ![...this.nets.values()].some((n) => n.pool6)) return;
    await enableIpv6Forwarding().catch((err) => this.opts.log.warn('cannot enable IPv6 forwarding', { err: String(err) }));
  }

  private newRecord(name: string, driver: NetworkRecord['Driver'], labels: Record<string, string>, ipam: NetworkRecord['IPAM']): NetworkRecord {
    return {
      Name: name, Id: newId(), Created: formatRfc3339Nano(nowNs()), Driver: driver, Scope: 'local', Internal: false, Attachable: false,
      Labels: labels, Options: {}, IPAM: ipam,
    };
  }

  private async setUpBridge(n: Net): Promise<void> {
    const cidr = n.pool ? `${n.pool.gatewayText()}/${n.pool.prefix}` : '';
    // A bridge of berth's whose address changed (another --bip) loses the old one.
    const current = n.rec.createdBridge ? await interfaceAddress(n.rec.bridge!) : undefined;
    if (current && current !== cidr) await deleteLink(n.rec.bridge!);
    const created = await ensureBridge(n.rec.bridge!, cidr, this.mtuOf(n.rec));
    if (created) {
      n.rec.createdBridge = true;
      await this.store.save(n.rec);
    }
    if (n.pool6) await addBridgeAddress6(n.rec.bridge!, `${n.pool6.gatewayText()}/${n.pool6.prefix}`);
  }

  mtuOf(rec: NetworkRecord): number {
    const m = Number(rec.Options[OPT_MTU] ?? this.opts.mtu);
    return Number.isInteger(m) && m >= 68 ? m : this.opts.mtu;
  }

  hostBindingIp(rec: NetworkRecord): string {
    return rec.Options[OPT_HOST_IP] || '0.0.0.0';
  }

  // ---- queries ------------------------------------------------------------------------

  list(): NetworkRecord[] {
    return [...this.nets.values()].map((n) => n.rec);
  }

  /** Docker's lookup order: full ID, exact name, then a unique ID prefix. */
  find(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const byId = this.nets.get(ref);
    if (byId) return byId.rec;
    const byName = this.byName(ref);
    if (byName) return byName.rec;
    const matches = [...this.nets.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`network ${ref} is ambiguous (${matches.length} matches found based on ID prefix)`);
    return matches.length ? this.nets.get(matches[0])!.rec : undefined;
  }

  get(ref: string): NetworkRecord {
    const rec = this.find(ref);
    if (!rec) throw notFound(`network ${ref} not found`);
    return rec;
  }

  // ---- create / remove ----------------------------------------------------------------

  create(req: CreateNetworkRequest): Promise<NetworkRecord> {
    return this.createLock.run('create', () => this.createOne(req));
  }

  private async createOne(req: CreateNetworkRequest): Promise<NetworkRecord> {
    const name = req.Name;
    // dockerd takes any name (spaces, slashes, non-ASCII): nothing on the host is named after it.
    if (!name) throw invalidParameter('invalid name: ');
    if (PREDEFINED.has(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (this.byName(name)) throw conflict(`network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver !== 'bridge' && driver !== 'macvlan') {
      if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
      throw notFound(`plugin "${driver}" not found`);
    }
    if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw notFound(`plugin "${req.IPAM.Driver}" not found`);
    const options = { ...(req.Options ?? {}) };
    if (req.EnableIPv4 === false) return this.createIpv6Only(req, options, driver);
    const configs = (req.IPAM?.Config ?? []).filter((c) => c && c.Subnet && !c.Subnet.includes(':'));
    if ((req.IPAM?.Config ?? []).some((c) => c && !c.Subnet && (c.Gateway || c.IPRange))) throw invalidParameter('invalid pool request: subnet is required when an ip-range or gateway is given');
    if (configs.length > 1) throw invalidParameter('berth supports one IPv4 subnet per network');
    const v6 = this.ipv6Request(req, options, driver);
    const id = newId();
    const ownDevs = [...this.nets.values()].map((n) => n.rec.bridge).filter((b): b is string => Boolean(b));
    let ipam: IpamConfig;
    if (configs.length) {
      const c = configs[0];
      const s = parseSubnet(c.Subnet);
      const clash = [...this.nets.values()].find((n) => n.rec.IPAM.Config.some((x) => !isV6(x.Subnet) && overlaps(parseSubnet(x.Subnet), s)));
      if (clash) throw forbidden(`invalid pool request: Pool overlaps with other one on this address space`);
      ipam = { Subnet: formatSubnet(s), IPRange: c.IPRange ? formatSubnet(parseSubnet(c.IPRange)) : undefined, Gateway: c.Gateway || formatIp(s.base + 1), AuxiliaryAddresses: c.AuxiliaryAddresses };
      // Inspect shows the configuration as given: no Gateway when the client gave none.
      if (!c.Gateway) ipam.GatewayChosen = true;
    } else {
      if (driver === 'macvlan') throw invalidParameter('macvlan networks need a --subnet (berth does not guess the parent network\'s addresses)');
      const s = pickFreeSubnet(this.opts.pools ?? DEFAULT_POOLS, (await hostSubnets(ownDevs)).concat(this.otherSubnets()));
      ipam = { Subnet: formatSubnet(s), Gateway: formatIp(s.base + 1) };
    }
    const pool = new AddressPool(ipam);
    ipam.Gateway = pool.gatewayText();
    const rec = this.newRecord(name, driver, req.Labels ?? {}, { Driver: 'default', Options: req.IPAM?.Options ?? null, Config: v6.config ? [ipam, v6.config] : [ipam] });
    rec.Id = id;
    if (v6.pool) rec.EnableIPv6 = true;
    if (v6.auto) rec.autoSubnet6 = true;
    rec.Internal = Boolean(req.Internal);
    rec.Attachable = Boolean(req.Attachable);
    rec.Options = options;
    if (driver === 'macvlan') {
      const parent = options.parent;
      if (!parent) throw invalidParameter('macvlan networks need -o parent=INTERFACE');
      if (!/^[a-zA-Z0-9_.@-]{1,15}$/.test(parent) || !linkExists(parent)) throw invalidParameter(`-o parent interface was not found on the host: ${parent}`);
    } else {
      const bridge = options[OPT_BRIDGE] || `br-${id.slice(0, 12)}`;
      if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw invalidParameter(`invalid bridge name: ${bridge}`);
      if ([...this.nets.values()].some((n) => n.rec.bridge === bridge)) throw conflict(`bridge name ${bridge} is already used by another network`);
      for (const key of [OPT_ICC, OPT_MASQ]) {
        if (options[key] !== undefined && parseGoBool(options[key]) === undefined) throw invalidParameter(`invalid value for ${key}: ${options[key]}`);
      }
      rec.bridge = bridge;
    }
    const n: Net = { rec, pool, pool6: v6.pool };
    if (driver === 'bridge') await this.setUpBridge(n);
    try {
      await this.store.save(rec);
      this.nets.set(id, n);
      await this.applyRules();
      if (n.pool6) await this.ipv6Forwarding();
    } catch (err) {
      this.nets.delete(id);
      if (rec.createdBridge) await deleteLink(rec.bridge!);
      await this.store.remove(id);
      throw err;
    }
    return rec;
  }

  /**
   * The IPv6 side of a create request (moby's rules): EnableIPv6, else the enable_ipv6 driver
   * option; the IPv6 IPAM entry checked as ValidateIPAM does, its pool, or a /64 of the ULA pool
   * when none is given. An IPv6 entry without IPv6 enabled is kept as given and not used.
   */
  private ipv6Request(req: CreateNetworkRequest, options: Record<string, string>, driver: string): { config?: IpamConfig; pool?: AddressPool6; auto?: boolean } {
    let enable = false;
    if (req.EnableIPv6 !== undefined) {
      enable = req.EnableIPv6;
      delete options[OPT_ENABLE_IPV6];
    } else if (options[OPT_ENABLE_IPV6] !== undefined) {
      const b = parseGoBool(options[OPT_ENABLE_IPV6]);
      if (b === undefined) throw invalidParameter(`driver-opt "${OPT_ENABLE_IPV6}" is not a valid bool`);
      enable = b;
    }
    const given = (req.IPAM?.Config ?? []).filter((c) => c && c.Subnet && isV6(c.Subnet));
    if (!enable) return given.length ? { config: given[0] } : {};
    validateIpam6(given);
    if (given.length > 1) throw invalidParameter('berth supports one IPv6 subnet per network');
    if (driver !== 'bridge') throw invalidParameter(`berth supports IPv6 on bridge networks only, not on ${driver} networks`);
    let config: IpamConfig;
    if (given.length) {
      const c = given[0];
      const s = parseSubnet6(c.Subnet);
      if (this.otherSubnets6().some((t) => overlaps6(t, s))) throw forbidden('invalid pool request: Pool overlaps with other one on this address space');
      config = { Subnet: formatSubnet6(s), IPRange: c.IPRange ? formatSubnet6(parseSubnet6(c.IPRange)) : undefined, Gateway: c.Gateway, AuxiliaryAddresses: c.AuxiliaryAddresses };
    } else {
      const s = pickFreeSubnet6(ulaPool(this.opts.dataRoot), this.otherSubnets6());
      config = { Subnet: formatSubnet6(s), Gateway: formatIp6(s.base + 1n) };
    }
    const pool = new AddressPool6(config);
    config.Gateway = pool.gatewayText();
    const problem = ipv6SubnetProblem(pool.subnet, `${config.Gateway}/${pool.prefix}`);
    if (problem) throw invalidParameter(problem);
    return { config, pool, auto: !given.length };
  }

  /**
   * An IPv6-only network (API 1.48 EnableIPv4=false, as dockerd 28): a bridge with no IPv4
   * subnet, endpoints with only an IPv6 address and a random MAC.
   */
  private async createIpv6Only(req: CreateNetworkRequest, options: Record<string, string>, driver: string): Promise<NetworkRecord> {
    const v6 = this.ipv6Request(req, options, driver);
    if (!v6.pool) throw invalidParameter('IPv4 or IPv6 must be enabled');
    if ((req.IPAM?.Config ?? []).some((c) => c && c.Subnet && !isV6(c.Subnet))) throw invalidParameter('invalid network config: an IPv4 subnet was given but IPv4 is disabled (EnableIPv4=false)');
    const id = newId();
    const rec = this.newRecord(req.Name, 'bridge', req.Labels ?? {}, { Driver: 'default', Options: req.IPAM?.Options ?? {}, Config: [v6.config!] });
    Object.assign(rec, { Id: id, Internal: Boolean(req.Internal), Attachable: Boolean(req.Attachable), Options: options, EnableIPv4: false, EnableIPv6: true });
    if (v6.auto) rec.autoSubnet6 = true;
    const bridge = options[OPT_BRIDGE] || `br-${id.slice(0, 12)}`;
    if (!/^[a-zA-Z0-9_.-]{1,15}$/.test(bridge)) throw invalidParameter(`invalid bridge name: ${bridge}`);
    if ([...this.nets.values()].some((n) => n.rec.bridge === bridge)) throw conflict(`bridge name ${bridge} is already used by another network`);
    rec.bridge = bridge;
    const n: Net = { rec, pool6: v6.pool };
    await this.setUpBridge(n);
    try {
      await this.store.save(rec);
      this.nets.set(id, n);
      await this.applyRules();
      await this.ipv6Forwarding();
    } catch (err) {
      this.nets.delete(id);
      if (rec.createdBridge) await deleteLink(rec.bridge);
      await this.store.remove(id);
      throw err;
    }
    return rec;
  }

  /** Removes a user-defined network; the caller has checked it has no endpoints. */
  async remove(ref: string): Promise<NetworkRecord> {
    const rec = this.get(ref);
    if (PREDEFINED.has(rec.Name)) throw forbidden(`${rec.Name} is a pre-defined network and cannot be removed`);
    this.nets.delete(rec.Id);
    await this.store.remove(rec.Id);
    await this.applyRules();
    if (rec.bridge && rec.createdBridge) await deleteLink(rec.bridge);
    return rec;
  }

  // ---- endpoints ----------------------------------------------------------------------

  private net(id: string): Net {
    const n = this.nets.get(id);
    if (!n) throw notFound(`network ${id} not found`);
    return n;
  }

  /** An address on the network: the given one (static --ip) or the next free one; an IPv6 one too on a network with IPv6. */
  allocate(networkId: string, ipv4?: string, ipv6?: string): Endpoint {
    const n = this.net(networkId);
    if (!n.pool && !n.pool6) throw invalidParameter(`network ${n.rec.Name} has no address pool`);
    if ((ipv4 || ipv6) && PREDEFINED.has(n.rec.Name)) throw invalidParameter('user specified IP address is supported on user defined networks only');
    let ep: Endpoint;
    if (n.pool) {
      const ip = ipv4 ? n.pool.reserve(ipv4) : n.pool.allocate();
      ep = { networkId, ip: formatIp(ip), prefix: n.pool.prefix, gateway: n.pool.gatewayText(), mac: macFromIp(ip) };
    } else {
      // IPv6 only: no IPv4 address to derive the MAC from.
      const b = randomBytes(6);
      b[0] = (b[0] & 0xfe) | 0x02;
      ep = { networkId, ip: '', prefix: 0, gateway: '', mac: [...b].map((x) => x.toString(16).padStart(2, '0')).join(':') };
    }
    if (n.pool6) {
      try {
        ep.ip6 = formatIp6(ipv6 ? n.pool6.reserve(ipv6) : n.pool6.allocate());
      } catch (err) {
        if (ep.ip) n.pool?.release(ep.ip);
        throw err;
      }
      ep.prefix6 = n.pool6.prefix;
      ep.gateway6 = n.pool6.gatewayText();
    }
    return ep;
  }

  /** Re-takes an address recorded before a daemon restart (best effort). */
  adopt(networkId: string, ip: string): void {
    const n = this.nets.get(networkId);
    const pool = isV6(ip) ? n?.pool6 : n?.pool;
    if (!pool || pool.inUse(ip)) return;
    try {
      pool.reserve(ip);
    } catch {
      // the network changed under the record; the container gets a new address at its next start
    }
  }

  /** Returns an address (of either family) to its network's pool. */
  release(networkId: string, ip: string): void {
    const n = this.nets.get(networkId);
    (isV6(ip) ? n?.pool6 : n?.pool)?.release(ip);
  }

  /** Moves the endpoint into the container's netns as `ifname`; returns the host-side name. */
  async plumb(pid: number, ep: Endpoint, ifname: string, defaultRoute: boolean): Promise<string> {
    const n = this.net(ep.networkId);
    const mtu = this.mtuOf(n.rec);
    const hostVeth = `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
    const cidr = ep.ip ? `${ep.ip}/${ep.prefix}` : '';
    if (n.rec.Driver === 'macvlan') {
      await plumbMacvlan({ pid, ifname, mac: ep.mac, cidr, gateway: ep.gateway, mtu, defaultRoute: defaultRoute && !n.rec.Internal, parent: n.rec.Options.parent, tmpName: hostVeth });
      return '';
    }
    await plumbEndpoint({ pid, hostVeth, ifname, bridge: n.rec.bridge!, mac: ep.mac, cidr, gateway: ep.gateway, mtu, defaultRoute: defaultRoute && !n.rec.Internal });
    if (ep.ip6 && ep.gateway6) {
      try {
        await plumbEndpoint6({ pid, ifname, cidr6: `${ep.ip6}/${ep.prefix6}`, gateway6: ep.gateway6, defaultRoute: defaultRoute && !n.rec.Internal });
      } catch (err) {
        await deleteLink(hostVeth);
        throw err;
      }
    }
    return hostVeth;
  }

  async unplumb(hostVeth: string, inside?: { pid: number; ifname: string }): Promise<void> {
    if (inside) await deleteInside(inside.pid, inside.ifname);
    if (hostVeth) await deleteLink(hostVeth);
  }

  /** Whether an address lies in one of the network's subnets. */
  inSubnet(rec: NetworkRecord, ip: string): boolean {
    const n = parseIp(ip);
    return n !== undefined && rec.IPAM.Config.some((c) => !isV6(c.Subnet) && contains(parseSubnet(c.Subnet), n));
  }

  /**
   * moby's check of an --ip6 address (validateEndpointIPAddress): the network must have an
   * IPv6 subnet the user configured, and the address must lie in it. Returns the error text.
   */
  checkIpv6Address(rec: NetworkRecord, ip: string): string | undefined {
    const c = v6Of(rec);
    if (!c || rec.autoSubnet6) return 'user specified IP address is supported only when connecting to networks with user configured subnets';
    const n = parseIp6(ip);
    if (n === undefined || !contains6(parseSubnet6(c.Subnet), n)) return `no configured subnet or ip-range contain the IP address ${ip}`;
    return undefined;
  }

  // ---- ports --------------------------------------------------------------------------

  async setPorts(containerId: string, rules: Array<Omit<PortRule, 'bridge'> & { networkId: string }>): Promise<void> {
    const mapped: PortRule[] = [];
    for (const r of rules) {
      const n = this.nets.get(r.networkId);
      if (!n?.rec.bridge) continue;
      mapped.push({ proto: r.proto, hostIp: r.hostIp, hostPort: r.hostPort, containerIp: r.containerIp, containerPort: r.containerPort, bridge: n.rec.bridge });
    }
    if (!mapped.length && !this.ports.has(containerId)) return;
    if (mapped.length) this.ports.set(containerId, mapped);
    else this.ports.delete(containerId);
    await this.applyRules();
  }

  async clearPorts(containerId: string): Promise<void> {
    if (!this.ports.delete(containerId)) return;
    await this.applyRules();
  }

  /** Rule updates run one at a time, each from the state at the moment it runs (concurrent exits). */
  private applyRules(): Promise<void> {
    const next = this.applying.then(() => this.applyNow());
    this.applying = next.catch(() => {});
    return next;
  }

  private async applyNow(): Promise<void> {
    if (!this.opts.iptables) return;
    const bridges: BridgeRules[] = [];
    const bridges6: Bridge6Rules[] = [];
    for (const n of this.nets.values()) {
      if (n.rec.Driver !== 'bridge' || !n.rec.bridge) continue;
      if (!n.pool) {
        if (n.pool6) bridges6.push({ bridge: n.rec.bridge, subnet: formatSubnet6(n.pool6.subnet), internal: n.rec.Internal, icc: parseGoBool(n.rec.Options[OPT_ICC] ?? 'true') !== false, masquerade: parseGoBool(n.rec.Options[OPT_MASQ] ?? 'true') !== false });
        continue;
      }
      const rules = {
        bridge: n.rec.bridge, subnet: v4Of(n.rec).Subnet, internal: n.rec.Internal,
        icc: parseGoBool(n.rec.Options[OPT_ICC] ?? 'true') !== false,
        masquerade: parseGoBool(n.rec.Options[OPT_MASQ] ?? 'true') !== false,
      };
      bridges.push(rules);
      if (n.pool6) bridges6.push({ ...rules, subnet: formatSubnet6(n.pool6.subnet) });
    }
    // Published ports on IPv6 host addresses go to ip6tables when the container has IPv6 (else
    // only the userland proxy of port-proxy.ts forwards them, to its IPv4 address).
    const all = [...this.ports.values()].flat();
    await this.iptables.apply(bridges, all.filter((p) => !isV6(p.hostIp)));
    const ports6: Port6Rule[] = all.filter((p) => isV6(p.hostIp) && isV6(p.containerIp));
    if (this.opts.ip6tables !== false && (bridges6.length || ports6.length || this.ip6Used)) {
      this.ip6Used = true;
      await this.ip6tables.applyText(buildRuleset6(this.opts.chainPrefix, bridges6, ports6));
    }
  }

  // ---- shutdown -----------------------------------------------------------------------

  /** Without live-restore: removes the rules, chains and the bridges berth created. */
  async teardown(): Promise<void> {
    this.ports.clear();
    await this.applying;
    if (this.opts.iptables) await this.iptables.removeAll();
    if (this.opts.iptables && this.ip6Used) await this.ip6tables.removeAll();
    for (const n of this.nets.values()) if (n.rec.bridge && n.rec.createdBridge) await deleteLink(n.rec.bridge);
  }
}

