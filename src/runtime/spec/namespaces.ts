// Namespaces, in Docker's order: mount, network, uts, pid, ipc, cgroup.
import type { SpecNamespace, SpecOpt } from './types.ts';

/**
 * The container's network namespace: the host's, a fresh empty one ('new'), or one to join by
 * path (`container: true` when it belongs to another container, i.e. `--network container:x`).
 */
export type NetworkNamespace = 'host' | 'new' | { path: string; container?: boolean };

export interface NamespacesInput {
  network: NetworkNamespace;
  /** Share the host's UTS, PID or IPC namespace instead of a private one. */
  hostUts?: boolean;
  hostPid?: boolean;
  hostIpc?: boolean;
  /** A cgroup namespace of the container's own (cgroupns=private); default the host's. */
  privateCgroup?: boolean;
}

export function withNamespaces(input: NamespacesInput): SpecOpt {
  return (spec) => {
    const ns: SpecNamespace[] = [{ type: 'mount' }];
    if (input.network !== 'host') {
      ns.push(input.network === 'new' ? { type: 'network' } : { type: 'network', path: input.network.path });
    }
    if (!input.hostUts) ns.push({ type: 'uts' });
    if (!input.hostPid) ns.push({ type: 'pid' });
    if (!input.hostIpc) ns.push({ type: 'ipc' });
    if (input.privateCgroup) ns.push({ type: 'cgroup' });
    spec.linux.namespaces = ns;
  };
}
