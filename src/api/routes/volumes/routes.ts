import type { Route } from '../../router.ts';
import type { VolumesBackend } from './backend.ts';
import { volumeHandlers } from './handlers.ts';

export type { VolumesBackend } from './backend.ts';

export function volumeRoutes(b: VolumesBackend): Route[] {
  const h = volumeHandlers(b);
  return [
    { method: 'GET', path: '/volumes', handler: h.getVolumes },
    { method: 'POST', path: '/volumes/create', handler: h.postVolumesCreate },
    { method: 'POST', path: '/volumes/prune', handler: h.postVolumesPrune, feature: 'volumePrune' },
    { method: 'GET', path: '/volumes/{name}', handler: h.getVolumesInspect },
    { method: 'PUT', path: '/volumes/{name}', handler: h.putVolumesUpdate, feature: 'clusterVolumes' },
    { method: 'DELETE', path: '/volumes/{name}', handler: h.deleteVolumes },
  ];
}
