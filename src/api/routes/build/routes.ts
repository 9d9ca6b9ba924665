import type { Route } from '../../router.ts';
import type { BuildBackend } from './backend.ts';
import { buildHandlers } from './handlers.ts';

export function buildRoutes(b: BuildBackend): Route[] {
  const h = buildHandlers(b);
  return [
    { method: 'POST', path: '/build', handler: h.postBuild },
    { method: 'POST', path: '/build/prune', handler: h.postBuildPrune },
    { method: 'POST', path: '/build/cancel', handler: h.postBuildCancel },
  ];
}
