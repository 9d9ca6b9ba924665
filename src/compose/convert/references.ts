// `service:<name>` references resolved to containers, as docker compose v2 does before it creates
// a container (convergence.go resolveServiceReferences: resolveVolumeFrom, resolveSharedNamespaces):
// network_mode, ipc and pid `service:x` become `container:<id of x's first container>`;
// volumes_from `x` / `service:x` becomes that ID, `container:name` becomes `name` (an `:ro`/`:rw`
// suffix is kept, which docker compose drops).
import type { ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

export interface ResolvedReferences {
  networkMode?: string;
  ipc?: string;
  pid?: string;
  volumesFrom?: string[];
}

type Resolver = ((service: string) => string | undefined) | undefined;

export function resolveServiceReferences(services: Record<string, unknown>, service: ServiceConfig, resolve: Resolver): ResolvedReferences {
  const known = (name: string, key: string): void => {
    if (!(name in services)) throw new ComposeError(`service "${service.name}" refers to undefined service ${name} in ${key}: invalid compose project`);
  };
  const shared = (value: string | undefined, key: string, what: string): string | undefined => {
    if (!value?.startsWith('service:')) return value;
    const name = value.slice('service:'.length);
    known(name, key);
    const id = resolve?.(name);
    if (!id) throw new ComposeError(`cannot share ${what} namespace with service ${name}: container missing`);
    return `container:${id}`;
  };
  const volumesFrom = service.volumes_from?.map((entry) => {
    const parts = entry.split(':');
    if (parts[0] === 'container') return parts.slice(1).join(':');
    const [name, mode] = parts[0] === 'service' ? [parts[1], parts[2]] : [parts[0], parts[1]];
    known(name, 'volumes_from');
    const id = resolve?.(name);
    if (!id) throw new ComposeError(`cannot share volume with service ${name}: container missing`);
    return mode ? `${id}:${mode}` : id;
  });
  return {
    networkMode: shared(service.network_mode, 'network_mode', 'network'),
    ipc: shared(service.ipc, 'ipc', 'IPC'),
    pid: shared(service.pid, 'pid', 'PID'),
    volumesFrom,
  };
}
