// The container-wide MAC address (Config.MacAddress) of create requests, moved to the endpoint
// the way dockerd 28 does it (moby router/container handleMACAddressBC): before API 1.44 it is the
// only MAC a client can give (an endpoint's is ignored); from 1.44 it is deprecated, moved to the
// endpoint of HostConfig.NetworkMode's network with a warning, and must agree with that endpoint's.
import { invalidParameter } from '../common/index.ts';
import { hasFeature } from '../api/index.ts';
import { PREDEFINED } from '../network/index.ts';

type Endpoints = Record<string, Record<string, unknown> | null>;

export const MAC_DEPRECATED_WARNING = 'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.';

/** Returns the endpoints to create the container with (a copy when changed) and dockerd's warning, if any. */
export function migrateMacAddress(
  configMac: unknown, networkMode: string | undefined, endpoints: Endpoints | undefined, version: string,
): { endpoints: Endpoints | undefined; warning?: string } {
  if (configMac !== undefined && configMac !== null && typeof configMac !== 'string') {
    throw invalidParameter('json: cannot unmarshal into Go struct field ContainerConfigWrapper.MacAddress of type string');
  }
  const mac = configMac ?? '';
  const mode = !networkMode || networkMode === 'default' ? 'bridge' : networkMode;
  const isBridgeOrUser = mode === 'bridge' || (!PREDEFINED.has(mode) && !mode.startsWith('container:'));
  const eps: Endpoints = {};
  for (const [k, v] of Object.entries(endpoints ?? {})) eps[k === 'default' ? 'bridge' : k] = v ? { ...v } : {};
  if (!hasFeature(version, 'endpointMacAddress')) {
    if (!mac) {
      for (const ep of Object.values(eps)) if (ep) delete ep.MacAddress;
      return { endpoints: eps };
    }
    if (!isBridgeOrUser) throw invalidParameter('conflicting options: mac-address and the network mode');
    if (!Object.keys(eps).length) eps[mode] = {};
    for (const ep of Object.values(eps)) if (ep) ep.MacAddress = mac;
    return { endpoints: eps };
  }
  if (!mac) return { endpoints };
  if (isBridgeOrUser) {
    if (!Object.keys(eps).length) {
      eps[mode] = { MacAddress: mac };
    } else {
      const ep = eps[mode];
      if (!ep) throw invalidParameter('if a container-wide MAC address is supplied, HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
      if (!ep.MacAddress) ep.MacAddress = mac;
      else if (ep.MacAddress !== mac) throw invalidParameter('the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
    }
  }
  return { endpoints: eps, warning: MAC_DEPRECATED_WARNING };
}
