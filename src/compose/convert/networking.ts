// HostConfig.NetworkMode and NetworkingConfig as docker compose v2 builds them (create.go
// defaultNetworkSettings, createEndpointSettings, getAliases, prepareContainerMACAddress;
// convergence.go createMobyContainer):
// - network_mode set: used as is (service:<name> already resolved to container:<id>), no endpoints;
// - a project without networks: 'none';
// - else the service's networks by priority (highest first, then by name): the first is
//   NetworkMode; on API ≥ 1.44 every network gets its endpoint in the create body, before that
//   only the first, the others are connected after create (connectAfterCreate);
// - each endpoint's Aliases: the container name, then (not for `run` without --use-aliases) the
//   service name and the network's aliases; its links, IPAM config, MAC address, driver options.
import type { Project, ServiceConfig, ServiceNetworkConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';
import { apiAtLeast } from './api-version.ts';

export interface NetworkOptions {
  serviceName: string;
  containerName: string;
  links: string[];
  useNetworkAliases: boolean;
  apiVersion: string;
  /** The service-level mac_address, moved to the main endpoint on API ≥ 1.44. */
  mainMacAddress?: string;
  /** network_mode after service: references were resolved. */
  networkMode?: string;
}

export interface NetworkSettings {
  networkMode: string;
  networkingConfig?: { EndpointsConfig: Record<string, Record<string, unknown>> };
  connectAfterCreate: { network: string; body: Record<string, unknown> }[];
}

/** The service's network keys, highest priority first, then by name (NetworksByPriority). */
export function networksByPriority(service: ServiceConfig): string[] {
  const nets = service.networks ?? {};
  return Object.keys(nets).sort((a, b) => {
    const pa = nets[a]?.priority ?? 0;
    const pb = nets[b]?.priority ?? 0;
    if (pa !== pb) return pb - pa;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function networkSettings(project: Project, service: ServiceConfig, opts: NetworkOptions): NetworkSettings {
  const mode = opts.networkMode ?? service.network_mode;
  if (mode) return { networkMode: mode, connectAfterCreate: [] };
  if (Object.keys(project.networks).length === 0) return { networkMode: 'none', connectAfterCreate: [] };

  const keys = networksByPriority(service);
  if (keys.length === 0) keys.push('default');
  const engineName = (key: string): string => {
    const n = project.networks[key];
    if (!n) throw new ComposeError(`service "${service.name}" refers to undefined network ${key}: invalid compose project`);
    return n.name;
  };
  const endpoint = (key: string, main: boolean): Record<string, unknown> => {
    const cfg = service.networks?.[key] ?? null;
    const ep = endpointSettings(cfg, opts);
    if (main && !ep.MacAddress && opts.mainMacAddress) ep.MacAddress = opts.mainMacAddress;
    return ep;
  };

  const primary = engineName(keys[0]);
  const endpoints: Record<string, Record<string, unknown>> = {};
  const after: NetworkSettings['connectAfterCreate'] = [];
  endpoints[primary] = endpoint(keys[0], true);
  const all = apiAtLeast(opts.apiVersion, '1.44');
  for (const key of keys.slice(1)) {
    const name = engineName(key);
    if (name === primary) continue;
    if (all) endpoints[name] = endpoint(key, false);
    // POST /networks/{name}/connect body; the engine adds Container (the new container's ID).
    else after.push({ network: name, body: { EndpointConfig: endpoint(key, false) } });
  }
  return { networkMode: primary, networkingConfig: { EndpointsConfig: endpoints }, connectAfterCreate: after };
}

function endpointSettings(cfg: ServiceNetworkConfig | null, opts: NetworkOptions): Record<string, unknown> {
  const aliases = [opts.containerName];
  if (opts.useNetworkAliases) aliases.push(opts.serviceName, ...(cfg?.aliases ?? []));
  const ep: Record<string, unknown> = { Aliases: aliases };
  if (opts.links.length) ep.Links = opts.links;
  if (cfg) {
    const ipam: Record<string, unknown> = {};
    if (cfg.ipv4_address) ipam.IPv4Address = cfg.ipv4_address;
    if (cfg.ipv6_address) ipam.IPv6Address = cfg.ipv6_address;
    if (cfg.link_local_ips?.length) ipam.LinkLocalIPs = cfg.link_local_ips;
    if (Object.keys(ipam).length) ep.IPAMConfig = ipam;
    // docker compose also sets the read-only IPAddress (and, by a slip, IPv6Gateway) fields; the
    // daemon ignores them at create, IPAMConfig is what counts.
    if (cfg.ipv4_address) ep.IPAddress = cfg.ipv4_address;
    if (cfg.mac_address) ep.MacAddress = cfg.mac_address;
    if (cfg.driver_opts && Object.keys(cfg.driver_opts).length) ep.DriverOpts = cfg.driver_opts;
    if (cfg.gw_priority) ep.GwPriority = cfg.gw_priority;
  }
  return ep;
}

/**
 * prepareContainerMACAddress: on API ≥ 1.44 the service-level mac_address moves to the main
 * endpoint (Config.MacAddress stays empty); before, Config.MacAddress carries the main network's
 * (or the service's) address, and only one network may set one.
 */
export function containerMacAddress(service: ServiceConfig, apiVersion: string): { containerMacAddress?: string; endpointMacAddress?: string } {
  const keys = networksByPriority(service);
  const mainKey = keys[0];
  const main = mainKey !== undefined ? service.networks?.[mainKey] : undefined;
  const mac = service.mac_address;
  if (mac && main?.mac_address && main.mac_address !== mac) {
    throw new ComposeError(`the service-level mac_address should have the same value as network ${mainKey}`);
  }
  if (apiAtLeast(apiVersion, '1.44')) return { endpointMacAddress: mac };
  const withMac = keys.filter((k) => service.networks?.[k]?.mac_address);
  if (withMac.length > 1) {
    throw new ComposeError(`a MAC address is specified for multiple networks (${withMac.join(', ')}), but this feature requires Docker Engine 1.44 or later (currently: ${apiVersion})`);
  }
  return { containerMacAddress: main?.mac_address || mac };
}
