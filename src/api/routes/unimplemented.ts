// Every swagger route berth does not serve yet answers 501 naming it; swarm routes answer as a
// dockerd outside a swarm does, because clients call them during cleanup.
import type { Route } from '../router.ts';
import { notImplemented, unavailable } from '../../common/index.ts';
import { SWAGGER_ROUTES } from '../types/swagger-paths.generated.ts';

const SWARM_PREFIXES = ['/swarm', '/nodes', '/services', '/tasks', '/secrets', '/configs'];
const NOT_A_MANAGER = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

export function unimplementedRoutes(served: Route[]): Route[] {
  const have = new Set(served.map((r) => `${r.method} ${r.path.replace(/\{(\w+)(:[^}]*)?\}/g, '{}')}`));
  const out: Route[] = [];
  for (const [method, path] of SWAGGER_ROUTES) {
    if (have.has(`${method} ${path.replace(/\{\w+\}/g, '{}')}`)) continue;
    const swarm = SWARM_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
    // Image names contain slashes, so image paths match across them as the served ones do.
    const pattern = path.startsWith('/images/') || path.startsWith('/distribution/') || path.startsWith('/plugins/') ? path.replace('{name}', '{name:.*}') : path;
    out.push({
      method,
      path: pattern,
      handler: async () => {
        if (swarm) throw unavailable(NOT_A_MANAGER);
        throw notImplemented(`${method} ${path} is not implemented by berth yet`);
      },
    });
  }
  return out;
}
