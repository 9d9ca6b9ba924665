// The predefined networks every dockerd has: `none` and `host`. The networking issue replaces
// this with the network box (bridge, user-defined networks, IPAM).
import { createHash } from 'node:crypto';
import type { NetworksBackend } from '../api/routes/networks/routes.ts';

const BUILTIN = ['none', 'host'] as const;

function networkId(name: string, daemonId: string): string {
  return createHash('sha256').update(`${daemonId}/${name}`).digest('hex');
}

export function builtinNetworks(daemonId: string, created: string): NetworksBackend {
  const make = (name: (typeof BUILTIN)[number]) => ({
    Name: name, Id: networkId(name, daemonId), Created: created, Scope: 'local', Driver: name === 'none' ? 'null' : 'host',
    EnableIPv4: true, EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: null }, Internal: false, Attachable: false,
    Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  });
  const all = BUILTIN.map(make);
  return {
    list: () => all,
    inspect: (ref) => all.find((n) => n.Name === ref || n.Id === ref || (ref.length >= 3 && n.Id.startsWith(ref))),
  };
}
