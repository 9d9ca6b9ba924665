import type { Route } from '../../router.ts';
import type { NetworksBackend } from './backend.ts';
import { networkHandlers } from './handlers.ts';

export type { NetworksBackend } from './backend.ts';

export function networkRoutes(b: NetworksBackend): Route[] {
  const h = networkHandlers(b);
  return [
    { method: 'GET', path: '/networks', handler: h.getNetworks },
    { method: 'POST', path: '/networks/create', handler: h.postNetworksCreate },
    { method: 'POST', path: '/networks/prune', handler: h.postNetworksPrune, feature: 'networkPrune' },
    // {id:.*}: a network name may hold a slash (moby routes these the same way).
    { method: 'GET', path: '/networks/{id:.*}', handler: h.getNetworksInspect },
    { method: 'DELETE', path: '/networks/{id:.*}', handler: h.deleteNetworks },
    { method: 'POST', path: '/networks/{id:.*}/connect', handler: h.postNetworksConnect },
    { method: 'POST', path: '/networks/{id:.*}/disconnect', handler: h.postNetworksDisconnect },
  ];
}
