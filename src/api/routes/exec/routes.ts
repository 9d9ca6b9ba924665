import type { Route } from '../../router.ts';
import type { ExecBackend } from './backend.ts';
import { execHandlers } from './handlers.ts';

export function execRoutes(b: ExecBackend): Route[] {
  const h = execHandlers(b);
  return [
    { method: 'POST', path: '/containers/{id}/exec', handler: h.postContainersExec },
    { method: 'POST', path: '/exec/{id}/start', handler: h.postExecStart },
    { method: 'POST', path: '/exec/{id}/resize', handler: h.postExecResize },
    { method: 'GET', path: '/exec/{id}/json', handler: h.getExecJson },
  ];
}
