import type { Route } from '../../router.ts';
import type { ContainersBackend } from './backend.ts';
import { containerHandlers } from './handlers.ts';
import { containerFsHandlers } from './fs-handlers.ts';
import { archiveHandlers } from './archive.ts';

export function containerRoutes(b: ContainersBackend): Route[] {
  const h = containerHandlers(b);
  const fs = containerFsHandlers(b);
  const a = archiveHandlers(b);
  return [
    { method: 'GET', path: '/containers/json', handler: h.getContainersJson },
    { method: 'POST', path: '/containers/create', handler: h.postContainersCreate },
    { method: 'POST', path: '/containers/prune', handler: h.postContainersPrune },
    { method: 'GET', path: '/containers/{id}/json', handler: h.getContainersInspect },
    { method: 'GET', path: '/containers/{id}/top', handler: h.getContainersTop },
    { method: 'GET', path: '/containers/{id}/logs', handler: h.getContainersLogs },
    { method: 'GET', path: '/containers/{id}/stats', handler: h.getContainersStats },
    { method: 'POST', path: '/containers/{id}/update', handler: h.postContainersUpdate },
    { method: 'POST', path: '/containers/{id}/start', handler: h.postContainersStart },
    { method: 'POST', path: '/containers/{id}/stop', handler: h.postContainersStop },
    { method: 'POST', path: '/containers/{id}/restart', handler: h.postContainersRestart },
    { method: 'POST', path: '/containers/{id}/kill', handler: h.postContainersKill },
    { method: 'POST', path: '/containers/{id}/wait', handler: h.postContainersWait },
    { method: 'POST', path: '/containers/{id}/rename', handler: h.postContainersRename },
    { method: 'POST', path: '/containers/{id}/pause', handler: h.postContainersPause },
    { method: 'POST', path: '/containers/{id}/unpause', handler: h.postContainersUnpause },
    { method: 'POST', path: '/containers/{id}/attach', handler: h.postContainersAttach },
    { method: 'GET', path: '/containers/{id}/attach/ws', handler: h.getContainersAttachWs },
    { method: 'POST', path: '/containers/{id}/resize', handler: h.postContainersResize },
    // {id:.*}: `docker rm --link /parent/alias` names a link (moby routes it the same way).
    { method: 'DELETE', path: '/containers/{id:.*}', handler: h.deleteContainers },
    { method: 'GET', path: '/containers/{id}/export', handler: fs.getContainersExport },
    { method: 'GET', path: '/containers/{id}/changes', handler: fs.getContainersChanges },
    { method: 'POST', path: '/commit', handler: fs.postCommit },
    { method: 'HEAD', path: '/containers/{id}/archive', handler: a.headContainersArchive },
    { method: 'GET', path: '/containers/{id}/archive', handler: a.getContainersArchive },
    { method: 'PUT', path: '/containers/{id}/archive', handler: a.putContainersArchive },
  ];
}
