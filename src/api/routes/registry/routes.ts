import type { Route } from '../../router.ts';
import type { RegistryBackend } from './backend.ts';
import { registryHandlers } from './handlers.ts';

export function registryRoutes(b: RegistryBackend): Route[] {
  const h = registryHandlers(b);
  return [
    { method: 'POST', path: '/auth', handler: h.postAuth },
    { method: 'GET', path: '/images/search', handler: h.getImagesSearch },
    { method: 'POST', path: '/images/{name:.*}/push', handler: h.postImagesPush },
  ];
}
