import type { Route } from '../../router.ts';
import type { ImagesBackend } from './backend.ts';
import { imageHandlers } from './handlers.ts';

export function imageRoutes(b: ImagesBackend): Route[] {
  const h = imageHandlers(b);
  return [
    { method: 'GET', path: '/images/json', handler: h.getImagesJson },
    { method: 'POST', path: '/images/load', handler: h.postImagesLoad },
    { method: 'GET', path: '/images/get', handler: h.getImagesGet },
    { method: 'POST', path: '/images/create', handler: h.postImagesCreate },
    { method: 'POST', path: '/images/prune', handler: h.postImagesPrune },
    { method: 'GET', path: '/images/{name:.*}/json', handler: h.getImagesInspect },
    { method: 'GET', path: '/images/{name:.*}/history', handler: h.getImagesHistory },
    { method: 'GET', path: '/images/{name:.*}/get', handler: h.getImagesGet },
    { method: 'POST', path: '/images/{name:.*}/tag', handler: h.postImagesTag },
    { method: 'DELETE', path: '/images/{name:.*}', handler: h.deleteImages },
  ];
}
