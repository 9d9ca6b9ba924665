// The network box's core: the networks (default bridge, host, none, user-defined bridge and
// macvlan), their address pools, the Linux bridges and berth's iptables chains. The daemon asks
// it for endpoints (an address on a network, then a veth into a container) and port mappings.
import { randomBytes } from 'node:crypto';
import {
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
  log: { info(msg: string, f?: Record<string, unknown>): void; warn(msg: string, f?: Record<string, unknown>): void };
}

export interface CreateNetworkRequest {
  Name: string;
  Driver?: string;
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
}

interface Net {
  rec: NetworkRecord;
  pool?: AddressPool;
}

const OPT_BRIDGE = 'com.docker.network.bridge.name';
const OPT_ICC = 'com.docker.network.bridge.enable_icc';
const OPT_MASQ = 'com.docker.network.bridge.enable_ip_masquerade';
const OPT_HOST_IP = 'com.docker.network.bridge.host_binding_ipv4';
const OPT_MTU = 'com.docker.network.driver.mtu';
const OPT_DEFAULT = 'com.docker.network.bridge.default_bridge';

export const PREDEFINED = new Set(['bridge', 'host', 'none', 'default']);

export class NetworkController {
  private readonly opts: NetworkOptions;
  private readonly store: NetworkStore;
  private readonly nets = new Map<string, Net>();
  private readonly ports = new Map<string, PortRule[]>();
  private readonly iptables: Iptables;
  private applying: Promise<void> = Promise.resolve();

  private constructor(opts: NetworkOptions) {
    this.opts = opts;
    this.store = new NetworkStore(opts.dataRoot);
    this.iptables = new Iptables(opts.chainPrefix);
  }

  /** Loads the networks, (re)creates the predefined ones and their bridges, rebuilds the rules. */
  static async open(opts: NetworkOptions): Promise<NetworkController> {
    const c = new NetworkController(opts);
    for (const rec of await c.store.loadAll()) c.nets.set(rec.Id, { rec });
    await c.ensurePredefined();
    for (const n of c.nets.values()) {
      if (n.rec.Driver === 'bridge' || n.rec.Driver === 'macvlan') n.pool = new AddressPool(n.rec.IPAM.Config[0]);
      if (n.rec.Driver === 'bridge') await c.setUpBridge(n);
    }
    if (opts.ipForward) await enableIpForward().catch((err) => opts.log.warn('cannot enable ip_forward', { err: String(err) }));
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
      const prev = existing?.rec.IPAM.Config[0];
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
    rec.IPAM = { Driver: 'default', Options: null, Config: [ipam] };
    rec.Options = options;
    rec.bridge = bridge;
    this.nets.set(rec.Id, { rec });
    await this.store.save(rec);
  }

  private otherSubnets(exceptId?: string): Subnet[] {
    const out: Subnet[] = [];
    for (const n of this.nets.values()) {
      if (n.rec.Id === exceptId) continue;
      for (const c of n.rec.IPAM.Config) out.push(parseSubnet(c.Subnet));
    }
    return out;
  }

  private newRecord(name: string, driver: NetworkRecord['Driver'], labels: Record<string, string>, ipam: NetworkRecord['IPAM']): NetworkRecord {
    return {
      Name: name, Id: newId(), Created: formatRfc3339Nano(nowNs()), Driver: driver, Scope: 'local', Internal: false, Attachable: false,
      Labels: labels, Options: {}, IPAM: ipam,
    };
  }

  private async setUpBridge(n: Net): Promise<void> {
    const ipam = n.rec.IPAM.Config[0];
    const prefix = parseSubnet(ipam.Subnet).prefix;
    const cidr = `${n.pool!.gatewayText()}/${prefix}`;
    // A bridge of berth's whose address changed (another --bip) loses the old one.
    const current = n.rec.createdBridge ? await interfaceAddress(n.rec.bridge!) : undefined;
    if (current && current !== cidr) await deleteLink(n.rec.bridge!);
    const created = await ensureBridge(n.rec.bridge!, cidr, this.mtuOf(n.rec));
    if (created) {
      n.rec.createdBridge = true;
      await this.store.save(n.rec);
    }
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

  async create(req: CreateNetworkRequest): Promise<NetworkRecord> {
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
    const configs = (req.IPAM?.Config ?? []).filter((c) => c && c.Subnet && !c.Subnet.includes(':'));
    if ((req.IPAM?.Config ?? []).some((c) => c && !c.Subnet && (c.Gateway || c.IPRange))) throw invalidParameter('invalid pool request: subnet is required when an ip-range or gateway is given');
    if (configs.length > 1) throw invalidParameter('berth supports one IPv4 subnet per network');
    const id = newId();
    const ownDevs = [...this.nets.values()].map((n) => n.rec.bridge).filter((b): b is string => Boolean(b));
    let ipam: IpamConfig;
    if (configs.length) {
      const c = configs[0];
      const s = parseSubnet(c.Subnet);
      const clash = [...this.nets.values()].find((n) => n.rec.IPAM.Config.some((x) => overlaps(parseSubnet(x.Subnet), s)));
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
    const rec = this.newRecord(name, driver, req.Labels ?? {}, { Driver: 'default', Options: req.IPAM?.Options ?? null, Config: [ipam] });
    rec.Id = id;
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
    const n: Net = { rec, pool };
    if (driver === 'bridge') await this.setUpBridge(n);
    try {
      await this.store.save(rec);
      this.nets.set(id, n);
      await this.applyRules();
    } catch (err) {
      this.nets.delete(id);
      if (rec.createdBridge) await deleteLink(rec.bridge!);
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

  /** An address on the network: the given one (static --ip) or the next free one. */
  allocate(networkId: string, ipv4?: string): Endpoint {
    const n = this.net(networkId);
    if (!n.pool) throw invalidParameter(`network ${n.rec.Name} has no address pool`);
    if (ipv4 && PREDEFINED.has(n.rec.Name)) throw invalidParameter('user specified IP address is supported on user defined networks only');
    const ip = ipv4 ? n.pool.reserve(ipv4) : n.pool.allocate();
    return { networkId, ip: formatIp(ip), prefix: n.pool.prefix, gateway: n.pool.gatewayText(), mac: macFromIp(ip) };
  }

  /** Re-takes an address recorded before a daemon restart (best effort). */
  adopt(networkId: string, ip: string): void {
    const n = this.nets.get(networkId);
    if (!n?.pool || n.pool.inUse(ip)) return;
    try {
      n.pool.reserve(ip);
    } catch {
      // the network changed under the record; the container gets a new address at its next start
    }
  }

  release(networkId: string, ip: string): void {
    this.nets.get(networkId)?.pool?.release(ip);
  }

  /** Moves the endpoint into the container's netns as `ifname`; returns the host-side name. */
  async plumb(pid: number, ep: Endpoint, ifname: string, defaultRoute: boolean): Promise<string> {
    const n = this.net(ep.networkId);
    const mtu = this.mtuOf(n.rec);
    const hostVeth = `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
    const cidr = `${ep.ip}/${ep.prefix}`;
    if (n.rec.Driver === 'macvlan') {
      await plumbMacvlan({ pid, ifname, mac: ep.mac, cidr, gateway: ep.gateway, mtu, defaultRoute: defaultRoute && !n.rec.Internal, parent: n.rec.Options.parent, tmpName: hostVeth });
      return '';
    }
    await plumbEndpoint({ pid, hostVeth, ifname, bridge: n.rec.bridge!, mac: ep.mac, cidr, gateway: ep.gateway, mtu, defaultRoute: defaultRoute && !n.rec.Internal });
    return hostVeth;
  }

  async unplumb(hostVeth: string, inside?: { pid: number; ifname: string }): Promise<void> {
    if (inside) await deleteInside(inside.pid, inside.ifname);
    if (hostVeth) await deleteLink(hostVeth);
  }

  /** Whether an address lies in one of the network's subnets. */
  inSubnet(rec: NetworkRecord, ip: string): boolean {
    const n = parseIp(ip);
    return n !== undefined && rec.IPAM.Config.some((c) => contains(parseSubnet(c.Subnet), n));
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
    for (const n of this.nets.values()) {
      if (n.rec.Driver !== 'bridge' || !n.rec.bridge) continue;
      bridges.push({
        bridge: n.rec.bridge, subnet: n.rec.IPAM.Config[0].Subnet, internal: n.rec.Internal,
        icc: parseGoBool(n.rec.Options[OPT_ICC] ?? 'true') !== false,
        masquerade: parseGoBool(n.rec.Options[OPT_MASQ] ?? 'true') !== false,
      });
    }
    await this.iptables.apply(bridges, [...this.ports.values()].flat());
  }

  // ---- shutdown -----------------------------------------------------------------------

  /** Without live-restore: removes the rules, chains and the bridges berth created. */
  async teardown(): Promise<void> {
    this.ports.clear();
    await this.applying;
    if (this.opts.iptables) await this.iptables.removeAll();
    for (const n of this.nets.values()) if (n.rec.bridge && n.rec.createdBridge) await deleteLink(n.rec.bridge);
  }
}

