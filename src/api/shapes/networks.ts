// The Engine API network resource (swagger Network) as dockerd 28 shows it: the record's
// public fields in Docker's order, IPAM config without empty fields, no config for host/null.
import type { IPAMConfig, Network, NetworkContainer } from '../types/engine-api.generated.ts';

/** What the shape needs of a network record (the network box's NetworkRecord fits). */
export interface NetworkView {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  Internal: boolean;
  Attachable: boolean;
  Labels: Record<string, string>;
  Options: Record<string, string>;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM: {
    Driver: string;
    Options: Record<string, string> | null;
    Config: Array<{ Subnet: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string>; GatewayChosen?: boolean }>;
  };
}

/** One container attached to the network (inspect only). */
export interface NetworkEndpointView {
  containerId: string;
  name: string;
  endpointId: string;
  macAddress: string;
  ipAddress: string;
  prefixLen: number;
  ipv6Address?: string;
  prefixLen6?: number;
}

export function networkResource(rec: NetworkView, endpoints: NetworkEndpointView[] | undefined): Network {
  const containers: Record<string, NetworkContainer> = {};
  for (const ep of endpoints ?? []) {
    containers[ep.containerId] = {
      Name: ep.name, EndpointID: ep.endpointId, MacAddress: ep.macAddress,
      IPv4Address: ep.ipAddress ? `${ep.ipAddress}/${ep.prefixLen}` : '',
      IPv6Address: ep.ipv6Address ? `${ep.ipv6Address}/${ep.prefixLen6}` : '',
    };
  }
  const config = rec.IPAM.Config.map((c) => {
    const out: IPAMConfig = { Subnet: c.Subnet };
    if (c.IPRange) out.IPRange = c.IPRange;
    if (c.Gateway && !c.GatewayChosen) out.Gateway = c.Gateway;
    if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length) out.AuxiliaryAddresses = c.AuxiliaryAddresses;
    return out;
  });
  return {
    Name: rec.Name, Id: rec.Id, Created: rec.Created, Scope: rec.Scope, Driver: rec.Driver, EnableIPv4: rec.EnableIPv4 !== false, EnableIPv6: rec.EnableIPv6 === true,
    IPAM: { Driver: rec.IPAM.Driver, Options: rec.IPAM.Options, Config: rec.Driver === 'host' || rec.Driver === 'null' ? null : config },
    Internal: rec.Internal, Attachable: rec.Attachable, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false,
    Containers: containers, Options: rec.Options, Labels: rec.Labels,
  };
}
