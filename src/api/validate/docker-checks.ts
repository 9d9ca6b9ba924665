// Checks dockerd makes on request bodies beyond their JSON types, with its wording, and the
// bounds berth adds so no value can make it build host objects from unbounded input.
import { invalidParameter, truncate } from '../../common/index.ts';

/** Longest network name berth accepts (dockerd has no limit; names end up in host objects and logs). */
const MAX_NETWORK_NAME = 255;

/** A container port key as ExposedPorts and PortBindings use it: `80`, `80/tcp`, `53/udp`. */
function checkPortKey(key: string): void {
  const [port, proto = 'tcp', ...rest] = key.split('/');
  const n = Number(port);
  if (rest.length || !/^\d{1,5}$/.test(port) || n < 1 || n > 65535) throw invalidParameter(`invalid port specification: ${JSON.stringify(truncate(key, 64))}`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalidParameter(`invalid proto: ${JSON.stringify(truncate(proto, 64))}`);
}

interface PortsBody {
  ExposedPorts?: Record<string, unknown> | null;
  HostConfig?: { PortBindings?: Record<string, unknown> | null } | null;
}

/** Create (and commit) bodies: every port key must parse, or `docker ps` could not show it later. */
export function checkContainerPorts(body: PortsBody): void {
  for (const key of Object.keys(body.ExposedPorts ?? {})) checkPortKey(key);
  for (const key of Object.keys(body.HostConfig?.PortBindings ?? {})) checkPortKey(key);
}

export function checkNetworkName(name: string | undefined): void {
  if (name !== undefined && name.length > MAX_NETWORK_NAME) {
    throw invalidParameter(`network name is too long: ${name.length} characters (at most ${MAX_NETWORK_NAME})`);
  }
}
