// The network box: IPAM, the bridge and macvlan drivers, berth's iptables chains and published
// ports. The daemon imports only this file.
export { NetworkController, PREDEFINED, type CreateNetworkRequest, type Endpoint } from './controller.ts';
export type { NetworkRecord } from './network-store.ts';
export { DEFAULT_POOLS } from './ipam.ts';
export { portRequests, inspectPorts, listPorts, type PortMapping } from './port-spec.ts';
export { reservePorts, type Reservation } from './port-reserver.ts';
export { DnsService } from './dns-service.ts';
export { instanceChainPrefix, DEFAULT_CHAIN_PREFIX } from './iptables-rules.ts';
export { forwardingSettings, hostHasIpv6 } from './sysctl.linux.ts';
export { parseMac, randomMac } from './mac.ts';
export { addLinkLocalAddresses } from './link-local.linux.ts';
export { canonicalIp6 } from './ipv6.ts';
