// A container's side of networking: which networks it is on (kept in its record, like Docker's
// NetworkSettings), the endpoints made at start (an address, a veth into its netns, published
// ports) and their teardown at exit. The network box does the Linux work.
import { conflict, invalidParameter, notFound, systemError, BerthError, newId } from '../../common/index.ts';
import { isIP } from 'node:net';
import {
  PREDEFINED, addLinkLocalAddresses, inspectPorts, parseMac, portRequests, randomMac, reservePorts, hostHasIpv6, canonicalIp6,
  type Endpoint, type NetworkController, type NetworkRecord, type PortMapping, type Reservation,
} from '../../network/index.ts';
import type { EndpointSettings as ApiEndpointSettings, PortMap } from '../../api/index.ts';
import type { ContainerRecord, HostConfig } from './record.ts';

export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** The create request's NetworkingConfig.EndpointsConfig, as the client sent it (checked here). */
export type EndpointsConfig = Record<string, ApiEndpointSettings | null>;

export interface NetworkSettingsRecord {
  /** Keyed by network name, as Docker shows them. */
  Networks: Record<string, EndpointSettings>;
  /** The port mappings in force while the container runs. */
  PortMappings: PortMapping[];
  SandboxID: string;
  SandboxKey: string;
  /** Host-side veth per network ID, and the interface name inside. */
  HostVeths: Record<string, string>;
  Ifnames: Record<string, string>;
  /** The MAC addresses the client asked for, by network name (moby DesiredMacAddress); absent when none. */
  DesiredMacAddresses?: Record<string, string>;
}

export type NetnsChoice = 'host' | 'new' | { path: string; container: true };

/** A network error that must reach the client as it is (not as a runtime start failure). */
export class NetworkStartError extends Error {
  readonly cause: BerthError;
  constructor(cause: BerthError) {
    super(cause.message);
    this.cause = cause;
  }
}

function emptyEndpoint(networkId: string, cfg?: Partial<EndpointSettings>): EndpointSettings {
  return {
    IPAMConfig: cfg?.IPAMConfig ?? null, Links: cfg?.Links ?? null, Aliases: cfg?.Aliases ?? null, MacAddress: cfg?.MacAddress ?? '', DriverOpts: cfg?.DriverOpts ?? null,
    NetworkID: networkId, EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

/** Network mode names: "default" is the default bridge. */
function modeNetworkName(mode: string | undefined): string {
  return !mode || mode === 'default' ? 'bridge' : mode;
}

export function isContainerMode(mode: string | undefined): boolean {
  return Boolean(mode?.startsWith('container:'));
}

export interface RunningContainerLookup {
  /** The pid of a running container, for container:<ref> mode; throws when it is not running. */
  netnsPidOf(ref: string): { id: string; pid: number };
  /** Containers sharing a network, for DNS names and links. */
  addressesOf(ref: string, networkName: string): string | undefined;
}

export class ContainerNetworking {
  readonly controller: NetworkController;
  private readonly reservations = new Map<string, Reservation[]>();

  constructor(controller: NetworkController) {
    this.controller = controller;
  }

  /** At create: the networks from NetworkMode and NetworkingConfig.EndpointsConfig, checked. */
  initialSettings(hostConfig: HostConfig, endpointsConfig: EndpointsConfig | undefined): NetworkSettingsRecord {
    const mode = hostConfig.NetworkMode || 'default';
    const settings: NetworkSettingsRecord = { Networks: {}, PortMappings: [], SandboxID: '', SandboxKey: '', HostVeths: {}, Ifnames: {} };
    if (isContainerMode(mode)) {
      if (endpointsConfig && Object.keys(endpointsConfig).length) throw invalidParameter('conflicting options: container type network can\'t be used with links. This would result in undefined behavior');
      if (hostConfig.PortBindings && Object.keys(hostConfig.PortBindings).length) throw invalidParameter('conflicting options: port publishing and the container type network mode');
      return settings;
    }
    const entries = Object.entries(endpointsConfig ?? {});
    const primary = this.controller.find(modeNetworkName(mode));
    if (!primary) {
      // Docker creates the container and fails its start with "network X not found".
      settings.Networks[modeNetworkName(mode)] = emptyEndpoint('', checkedEndpointConfig(entries[0]?.[1]));
      return settings;
    }
    const cfg = entries.find(([k]) => this.controller.find(k)?.Id === primary.Id)?.[1] ?? (entries.length === 1 ? entries[0][1] : undefined);
    settings.Networks[primary.Name] = this.checkedEndpoint(primary, cfg);
    // API 1.44+: more networks at create (`--network a --network b`).
    for (const [ref, more] of entries) {
      const net = this.controller.find(ref);
      if (!net || net.Id === primary.Id) continue;
      if (net.Driver === 'host' || net.Driver === 'null' || PREDEFINED.has(net.Name)) {
        throw invalidParameter(`Container cannot be connected to network endpoints: ${entries.map(([k]) => k).join(', ')}`);
      }
      settings.Networks[net.Name] = this.checkedEndpoint(net, more);
    }
    for (const [name, ep] of Object.entries(settings.Networks)) if (ep.MacAddress) desiredMacs(settings)[name] = ep.MacAddress;
    return settings;
  }

  /** One endpoint's configuration, validated as Docker does at create and connect. */
  checkedEndpoint(net: NetworkRecord, raw: unknown): EndpointSettings {
    const cfg = checkedEndpointConfig(raw);
    const ep = emptyEndpoint(net.Id, cfg);
    const ipv4 = cfg?.IPAMConfig?.IPv4Address;
    if (ipv4) {
      if (PREDEFINED.has(net.Name)) throw invalidParameter('user specified IP address is supported on user defined networks only');
      if (!/^\d+\.\d+\.\d+\.\d+$/.test(ipv4)) throw invalidParameter(`invalid IPv4 address: ${ipv4}`);
      if (!this.controller.inSubnet(net, ipv4)) throw invalidParameter(`invalid endpoint settings:\nno configured subnet or ip-range contain the IP address ${ipv4}`);
    }
    const ipv6 = cfg?.IPAMConfig?.IPv6Address;
    if (ipv6) {
      // moby's validateEndpointSettings: "invalid endpoint settings:" and the reason.
      if (PREDEFINED.has(net.Name)) throw invalidParameter('user specified IP address is supported on user defined networks only');
      const canonical = canonicalIp6(ipv6);
      if (!canonical || canonical === '::' || canonical.startsWith('::ffff:')) throw invalidParameter(`invalid endpoint settings:\ninvalid IPv6 address: ${ipv6}`);
      const why = this.controller.checkIpv6Address(net, canonical);
      if (why) throw invalidParameter(`invalid endpoint settings:\n${why}`);
      ep.IPAMConfig = { ...ep.IPAMConfig, IPv6Address: canonical };
    }
    if (cfg?.Aliases?.length && PREDEFINED.has(net.Name)) throw invalidParameter('network-scoped alias is supported only for containers in user defined networks');
    return ep;
  }

  /** Which network namespace the runtime should give the container. */
  netnsFor(hostConfig: HostConfig, lookup: RunningContainerLookup): NetnsChoice {
    const mode = hostConfig.NetworkMode || 'default';
    if (mode === 'host') return 'host';
    if (isContainerMode(mode)) {
      const { pid } = lookup.netnsPidOf(mode.slice('container:'.length));
      return { path: `/proc/${pid}/ns/net`, container: true };
    }
    return 'new';
  }

  /** The endpoints that get an interface (bridge and macvlan networks). */
  private plumbable(s: NetworkSettingsRecord): Array<[string, EndpointSettings, NetworkRecord]> {
    const out: Array<[string, EndpointSettings, NetworkRecord]> = [];
    for (const [name, ep] of Object.entries(s.Networks)) {
      const net = (ep.NetworkID && this.controller.find(ep.NetworkID)) || this.controller.find(name);
      if (!net) throw notFound(`network ${name} not found`);
      if (net.Driver === 'bridge' || net.Driver === 'macvlan') out.push([name, ep, net]);
    }
    return out;
  }

  /**
   * Before the runtime creates the container: addresses for every endpoint and the host ports
   * reserved. Nothing is left allocated when it fails.
   */
  async prepare(rec: ContainerRecord, hostConfig: HostConfig): Promise<void> {
    // A record from before berth had networks: it joins its network mode's network now.
    const legacy = (rec as ContainerRecord & { NetworkSettings?: unknown }).NetworkSettings === undefined;
    const s = ensureSettings(rec);
    if (legacy) s.Networks = this.initialSettings(hostConfig, undefined).Networks;
    const taken: Array<[string, string]> = [];
    try {
      for (const [name, ep, net] of this.plumbable(s)) {
        if (ep.NetworkID !== net.Id) ep.NetworkID = net.Id;
        const e = this.controller.allocate(net.Id, ep.IPAMConfig?.IPv4Address || undefined, ep.IPAMConfig?.IPv6Address || undefined);
        if (e.ip) taken.push([net.Id, e.ip]);
        if (e.ip6) taken.push([net.Id, e.ip6]);
        fillEndpoint(ep, e, s.DesiredMacAddresses?.[name]);
        ep.DNSNames = PREDEFINED.has(net.Name) ? null : [rec.Name.slice(1), ...(ep.Aliases ?? []), rec.ID.slice(0, 12)];
        if (s.Networks[name] !== ep) s.Networks[name] = ep;
      }
      const first = this.plumbable(s)[0];
      const requests = portRequests(hostConfig.PortBindings, Boolean(hostConfig.PublishAllPorts), rec.Config.ExposedPorts,
        first ? this.controller.hostBindingIp(first[2]) : '0.0.0.0', hostHasIpv6());
      if (requests.length && first && first[2].Driver === 'bridge') {
        try {
          const res = await reservePorts(requests, proxyTargetOf(first[1]));
          this.reservations.set(rec.ID, res);
          s.PortMappings = res.map((r) => r.mapping);
        } catch (err) {
          throw new NetworkStartError(systemError(`driver failed programming external connectivity on endpoint ${rec.Name.slice(1)} (${first[1].EndpointID}): ${(err as Error).message}`));
        }
      } else {
        s.PortMappings = [];
      }
    } catch (err) {
      for (const [id, ip] of taken) this.controller.release(id, ip);
      for (const [name, ep] of Object.entries(s.Networks)) clearEndpoint(ep, s.DesiredMacAddresses?.[name]);
      throw err;
    }
  }

  /** After the runtime created the container (its netns exists): interfaces, routes, port rules. */
  async attach(rec: ContainerRecord, pid: number): Promise<void> {
    const s = ensureSettings(rec);
    s.SandboxKey = `/proc/${pid}/ns/net`;
    s.SandboxID = rec.ID;
    let i = 0;
    let routed = false;
    for (const [, ep, net] of this.plumbable(s)) {
      const ifname = `eth${i++}`;
      const defaultRoute = !routed && !net.Internal;
      if (defaultRoute) routed = true;
      s.HostVeths[net.Id] = await this.controller.plumb(pid, endpointOf(ep), ifname, defaultRoute);
      s.Ifnames[net.Id] = ifname;
      await addLinkLocalAddresses(pid, ifname, ep.IPAMConfig?.LinkLocalIPs ?? []);
    }
    await this.programPorts(rec);
  }

  private async programPorts(rec: ContainerRecord): Promise<void> {
    const s = ensureSettings(rec);
    const first = this.plumbable(s)[0];
    if (!first || !s.PortMappings.length) return;
    // An IPv6 host address maps to the container's IPv6 address (without one, only the proxy
    // forwards it); an IPv4 one to its IPv4 address (an IPv6-only container: only the proxy).
    await this.controller.setPorts(rec.ID, s.PortMappings.map((m) => ({
      proto: m.proto, hostIp: m.hostIp, hostPort: m.hostPort, containerPort: m.containerPort, networkId: first[2].Id,
      containerIp: m.hostIp.includes(':') ? first[1].GlobalIPv6Address || first[1].IPAddress : first[1].IPAddress,
    })).filter((r) => r.containerIp));
  }

  /** At exit (or a failed start): rules, reserved ports, host veths and addresses released. */
  async detach(rec: ContainerRecord): Promise<void> {
    const s = ensureSettings(rec);
    for (const r of this.reservations.get(rec.ID) ?? []) r.close();
    this.reservations.delete(rec.ID);
    await this.controller.clearPorts(rec.ID).catch(() => {});
    for (const veth of Object.values(s.HostVeths)) await this.controller.unplumb(veth).catch(() => {});
    for (const [name, ep] of Object.entries(s.Networks)) {
      if (ep.IPAddress) this.controller.release(ep.NetworkID, ep.IPAddress);
      if (ep.GlobalIPv6Address) this.controller.release(ep.NetworkID, ep.GlobalIPv6Address);
      clearEndpoint(ep, s.DesiredMacAddresses?.[name]);
    }
    s.HostVeths = {};
    s.Ifnames = {};
    s.PortMappings = [];
    s.SandboxKey = '';
    s.SandboxID = '';
  }

  /** At daemon start: a running (re-adopted) container keeps its addresses, ports and rules. */
  async readopt(rec: ContainerRecord): Promise<void> {
    const s = ensureSettings(rec);
    for (const ep of Object.values(s.Networks)) {
      if (ep.IPAddress) this.controller.adopt(ep.NetworkID, ep.IPAddress);
      if (ep.GlobalIPv6Address) this.controller.adopt(ep.NetworkID, ep.GlobalIPv6Address);
    }
    if (s.PortMappings.length) {
      const first = this.plumbable(s)[0];
      const res = await reservePorts(s.PortMappings.map((m) => ({ proto: m.proto, containerPort: m.containerPort, hostIp: m.hostIp, hostPortFirst: m.hostPort, hostPortLast: m.hostPort })),
        first && proxyTargetOf(first[1]));
      this.reservations.set(rec.ID, res);
      await this.programPorts(rec);
    }
  }

  /** Connect: recorded for a stopped container, plumbed at once into a running one. */
  async connect(rec: ContainerRecord, net: NetworkRecord, cfg: Partial<EndpointSettings> | undefined, pid: number | undefined): Promise<void> {
    const s = ensureSettings(rec);
    if (Object.values(s.Networks).some((ep) => ep.NetworkID === net.Id) || s.Networks[net.Name]) {
      throw conflict(`endpoint with name ${rec.Name.slice(1)} already exists in network ${net.Name}`);
    }
    if (net.Driver === 'host' || net.Driver === 'null') throw forbiddenConnect(net.Name);
    const ep = this.checkedEndpoint(net, cfg);
    const desired = ep.MacAddress || undefined;
    if (pid) {
      const e = this.controller.allocate(net.Id, ep.IPAMConfig?.IPv4Address || undefined, ep.IPAMConfig?.IPv6Address || undefined);
      fillEndpoint(ep, e, desired);
      ep.DNSNames = PREDEFINED.has(net.Name) ? null : [rec.Name.slice(1), ...(ep.Aliases ?? []), rec.ID.slice(0, 12)];
      const used = new Set(Object.values(s.Ifnames));
      let i = 0;
      while (used.has(`eth${i}`)) i++;
      try {
        s.HostVeths[net.Id] = await this.controller.plumb(pid, endpointOf(ep), `eth${i}`, false);
        s.Ifnames[net.Id] = `eth${i}`;
        await addLinkLocalAddresses(pid, `eth${i}`, ep.IPAMConfig?.LinkLocalIPs ?? []);
      } catch (err) {
        if (s.HostVeths[net.Id]) await this.controller.unplumb(s.HostVeths[net.Id], { pid, ifname: `eth${i}` }).catch(() => {});
        delete s.HostVeths[net.Id];
        delete s.Ifnames[net.Id];
        this.controller.release(net.Id, e.ip);
        if (e.ip6) this.controller.release(net.Id, e.ip6);
        throw err;
      }
    }
    s.Networks[net.Name] = ep;
    if (desired) desiredMacs(s)[net.Name] = desired;
  }

  async disconnect(rec: ContainerRecord, net: NetworkRecord, pid: number | undefined): Promise<void> {
    const s = ensureSettings(rec);
    const name = Object.keys(s.Networks).find((k) => s.Networks[k].NetworkID === net.Id || k === net.Name);
    if (!name) throw forbiddenNotConnected(rec.ID, net.Name);
    const ep = s.Networks[name];
    if (pid && s.Ifnames[net.Id]) {
      await this.controller.unplumb(s.HostVeths[net.Id] ?? '', { pid, ifname: s.Ifnames[net.Id] });
    }
    if (ep.IPAddress) this.controller.release(net.Id, ep.IPAddress);
    if (ep.GlobalIPv6Address) this.controller.release(net.Id, ep.GlobalIPv6Address);
    delete s.HostVeths[net.Id];
    delete s.Ifnames[net.Id];
    delete s.Networks[name];
    if (s.DesiredMacAddresses) delete s.DesiredMacAddresses[name];
  }

  /** NetworkSettings.Ports for inspect. */
  ports(rec: ContainerRecord): PortMap {
    return inspectPorts(ensureSettings(rec).PortMappings, rec.Config.ExposedPorts);
  }

  /** The first endpoint with an address (for the legacy top-level inspect fields and /etc/hosts). */
  primary(rec: ContainerRecord): EndpointSettings | undefined {
    return Object.values(ensureSettings(rec).Networks).find((ep) => ep.IPAddress);
  }
}

/** The client's EndpointSettings, shape-checked: only the fields berth uses, with their types. */
function checkedEndpointConfig(raw: unknown): Partial<EndpointSettings> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidParameter('invalid endpoint settings: not an object');
  const r = raw as Record<string, unknown>;
  const out: Partial<EndpointSettings> = {};
  if (r.Aliases !== undefined && r.Aliases !== null) {
    if (!Array.isArray(r.Aliases) || !r.Aliases.every((a) => typeof a === 'string' && /^[A-Za-z0-9_.-]{1,253}$/.test(a))) {
      throw invalidParameter('invalid endpoint settings: Aliases must be a list of host names');
    }
    out.Aliases = r.Aliases as string[];
  }
  if (r.Links !== undefined && r.Links !== null) {
    if (!Array.isArray(r.Links) || !r.Links.every((a) => typeof a === 'string')) throw invalidParameter('invalid endpoint settings: Links must be a list of strings');
    out.Links = r.Links as string[];
  }
  if (r.IPAMConfig !== undefined && r.IPAMConfig !== null) {
    const ipam = r.IPAMConfig as Record<string, unknown>;
    if (typeof ipam !== 'object' || Array.isArray(ipam)) throw invalidParameter('invalid endpoint settings: IPAMConfig must be an object');
    if (ipam.IPv4Address !== undefined && typeof ipam.IPv4Address !== 'string') throw invalidParameter('invalid endpoint settings: IPv4Address must be a string');
    if (ipam.IPv6Address !== undefined && typeof ipam.IPv6Address !== 'string') throw invalidParameter('invalid endpoint settings: IPv6Address must be a string');
    if (ipam.IPv4Address) out.IPAMConfig = { IPv4Address: ipam.IPv4Address as string };
    if (ipam.IPv6Address) out.IPAMConfig = { ...out.IPAMConfig, IPv6Address: ipam.IPv6Address as string };
    const ll = linkLocalIps(ipam.LinkLocalIPs);
    if (ll.length) out.IPAMConfig = { ...out.IPAMConfig, LinkLocalIPs: ll };
  }
  if (r.MacAddress !== undefined && r.MacAddress !== null && r.MacAddress !== '') {
    if (typeof r.MacAddress !== 'string') throw invalidParameter('json: cannot unmarshal into Go struct field EndpointSettings.MacAddress of type string');
    if (!parseMac(r.MacAddress)) throw invalidParameter(`invalid MAC address ${r.MacAddress}`);
    out.MacAddress = r.MacAddress;
  }
  return out;
}

/** IPAMConfig.LinkLocalIPs checked as moby's validateEndpointSettings does (any address but the unspecified one). */
function linkLocalIps(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((ip) => typeof ip === 'string')) throw invalidParameter('json: cannot unmarshal into Go struct field EndpointIPAMConfig.LinkLocalIPs of type []string');
  const bad = raw.filter((ip) => isIP(ip) === 0 || /^(0+\.){3}0+$|^[0:]+$/.test(ip));
  if (bad.length) throw invalidParameter(`invalid endpoint settings:\n${bad.map((ip) => `invalid link-local IP address: ${ip}`).join('\n')}`);
  return raw as string[];
}

function desiredMacs(s: NetworkSettingsRecord): Record<string, string> {
  s.DesiredMacAddresses ??= {};
  return s.DesiredMacAddresses;
}

export function ensureSettings(rec: ContainerRecord): NetworkSettingsRecord {
  const r = rec as ContainerRecord & { NetworkSettings?: NetworkSettingsRecord };
  r.NetworkSettings ??= { Networks: {}, PortMappings: [], SandboxID: '', SandboxKey: '', HostVeths: {}, Ifnames: {} };
  return r.NetworkSettings;
}

/** An address from the network; the MAC the client asked for, or a random one (dockerd 28). */
function fillEndpoint(ep: EndpointSettings, e: Endpoint, desiredMac: string | undefined): void {
  ep.EndpointID = newId();
  ep.IPAddress = e.ip;
  ep.IPPrefixLen = e.prefix;
  ep.Gateway = e.gateway;
  ep.MacAddress = (desiredMac && parseMac(desiredMac)) || randomMac();
  ep.GlobalIPv6Address = e.ip6 ?? '';
  ep.GlobalIPv6PrefixLen = e.prefix6 ?? 0;
  ep.IPv6Gateway = e.gateway6 ?? '';
}

/**
 * The userland proxy of IPv6 host bindings forwards to the container's IPv6 address, else its
 * IPv4 one; that of IPv4 bindings only for a container without IPv4 (an IPv6-only network).
 */
function proxyTargetOf(ep: EndpointSettings): (r: { hostIp: string }) => string | undefined {
  return (r) => (r.hostIp.includes(':') ? ep.GlobalIPv6Address || ep.IPAddress : ep.IPAddress ? '' : ep.GlobalIPv6Address) || undefined;
}

/** Back to the configuration: a stopped container shows the MAC it asked for, as at create. */
function clearEndpoint(ep: EndpointSettings, desiredMac: string | undefined): void {
  ep.EndpointID = '';
  ep.IPAddress = '';
  ep.IPPrefixLen = 0;
  ep.Gateway = '';
  ep.MacAddress = desiredMac ?? '';
  ep.GlobalIPv6Address = '';
  ep.GlobalIPv6PrefixLen = 0;
  ep.IPv6Gateway = '';
  ep.DNSNames = null;
}

function endpointOf(ep: EndpointSettings): Endpoint {
  return {
    networkId: ep.NetworkID, ip: ep.IPAddress, prefix: ep.IPPrefixLen, gateway: ep.Gateway, mac: ep.MacAddress,
    ...(ep.GlobalIPv6Address ? { ip6: ep.GlobalIPv6Address, prefix6: ep.GlobalIPv6PrefixLen, gateway6: ep.IPv6Gateway } : {}),
  };
}

function forbiddenConnect(name: string): BerthError {
  return new BerthError('Forbidden', `container cannot be disconnected from ${name} network or connected to ${name} network`);
}

function forbiddenNotConnected(id: string, net: string): BerthError {
  return new BerthError('Forbidden', `container ${id} is not connected to network ${net}`);
}
