// What moby's create route changes in a request by API version (router/container
// postContainersCreate) before the daemon sees it.
import type { ContainerCreateRequest } from '../../types/engine-api.generated.ts';
import { hasFeature } from '../../version.ts';

export function adaptCreateForVersion(body: ContainerCreateRequest, version: string): void {
  const hc = body.HostConfig;
  if (!hc || typeof hc !== 'object') return;
  // API 1.24 and before: the client removes the container itself.
  if (!hasFeature(version, 'autoRemoveByDaemon')) hc.AutoRemove = false;
  if (!hasFeature(version, 'privateIpcDefault')) {
    // Older clients expect the default IPC mode to be shareable; KernelMemoryTCP came with 1.40.
    if (!hc.IpcMode) hc.IpcMode = 'shareable';
    (hc as Record<string, unknown>).KernelMemoryTCP = 0;
  }
  // KernelMemory is ignored from API 1.42 on.
  if (hasFeature(version, 'kernelMemoryIgnored')) (hc as Record<string, unknown>).KernelMemory = 0;
}
