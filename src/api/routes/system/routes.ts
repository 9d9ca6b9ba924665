import type { Route } from '../../router.ts';
import type { SystemBackend } from './backend.ts';
import { systemHandlers } from './handlers.ts';

export function systemRoutes(b: SystemBackend): Route[] {
  const h = systemHandlers(b);
  return [
    { method: 'GET', path: '/_ping', handler: h.getPing },
    { method: 'HEAD', path: '/_ping', handler: h.getPing },
    { method: 'GET', path: '/version', handler: h.getVersion },
    { method: 'GET', path: '/info', handler: h.getInfo },
    { method: 'GET', path: '/system/df', handler: h.getSystemDf },
    { method: 'GET', path: '/events', handler: h.getEvents },
  ];
}
