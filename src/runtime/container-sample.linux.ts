// One sample of a running container's usage for `docker stats`: its cgroups, the host's CPU
// time taken right after them (so the two deltas cover the same time), and its interfaces.
import { locateCgroups, readCgroupStats, readNetworkStats, readSystemCpu, type CgroupStats, type FsRoots, type NetworkStats } from './cgroup-stats.ts';

export interface ContainerSample {
  cgroup: CgroupStats;
  system: { systemUsage: number; onlineCpus: number };
  /** Empty when the container has no network namespace of its own. */
  networks: Record<string, NetworkStats>;
}

/** Undefined when the process has gone (or its cgroups cannot be found). */
export async function sampleContainer(pid: number, ownNetwork: boolean, roots: FsRoots = {}): Promise<ContainerSample | undefined> {
  const loc = await locateCgroups(pid, roots);
  if (!loc) return undefined;
  const cgroup = await readCgroupStats(loc);
  const system = await readSystemCpu(roots);
  const networks = ownNetwork ? await readNetworkStats(pid, roots) : {};
  return { cgroup, system, networks };
}
