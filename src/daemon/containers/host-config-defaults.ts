// The defaults dockerd writes into a new container's HostConfig, so that inspect echoes them
// (moby daemon/daemon_unix.go adaptContainerSettings, daemon/create.go, the create route's
// normalisations): Runtime, ShmSize, IpcMode, CgroupnsMode, OomKillDisable, MaskedPaths and
// ReadonlyPaths, a missing restart policy as "no", and "unlimited" PidsLimit and the CLI's
// "unset" MemorySwappiness (-1) as null.
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, DEFAULT_SHM_SIZE, cgroupV2Only } from '../../runtime/index.ts';
import type { HostConfig } from './record.ts';

/** moby config.DefaultIpcMode. */
const DEFAULT_IPC_MODE = 'private';

export interface HostConfigDefaults {
  defaultRuntime: string;
  /** The host has only the unified cgroup hierarchy (then dockerd gives containers their own cgroup namespace). */
  cgroupV2: boolean;
}

export function applyHostConfigDefaults(hc: HostConfig, d: HostConfigDefaults): void {
  if (!hc.Runtime) hc.Runtime = d.defaultRuntime;
  if (!hc.ShmSize) hc.ShmSize = DEFAULT_SHM_SIZE;
  if (!hc.IpcMode) hc.IpcMode = DEFAULT_IPC_MODE;
  if (!hc.CgroupnsMode) {
    // moby: privileged containers on cgroup v1 stay in the host's namespace; v2 unshares always.
    hc.CgroupnsMode = d.cgroupV2 ? 'private' : 'host';
  }
  if (hc.OomKillDisable === undefined || hc.OomKillDisable === null) hc.OomKillDisable = false;
  // Both 0 and -1 (and any negative) mean "unlimited": stored as no limit at all.
  if (typeof hc.PidsLimit === 'number' && hc.PidsLimit <= 0) hc.PidsLimit = null;
  // The docker CLI sends -1 for "not set"; dockerd stores no value.
  if (hc.MemorySwappiness === -1) hc.MemorySwappiness = null;
  if (!hc.Privileged) {
    if (hc.MaskedPaths === undefined || hc.MaskedPaths === null) hc.MaskedPaths = [...DEFAULT_MASKED_PATHS];
    if (hc.ReadonlyPaths === undefined || hc.ReadonlyPaths === null) hc.ReadonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  // moby generateSecurityOpt: SELinux labelling is off for privileged containers and those
  // sharing the host's IPC or PID namespace, unless the request names a label option itself.
  const secOpts = (hc.SecurityOpt ?? []) as string[];
  const hostNs = hc.IpcMode === 'host' || hc.PidMode === 'host';
  if ((hc.Privileged || hostNs) && !secOpts.some((o) => o.split('=')[0] === 'label')) hc.SecurityOpt = [...secOpts, 'label=disable'];
  // moby 25+ (daemon/create.go): a missing restart policy is stored as "no".
  const rp = hc.RestartPolicy as { Name?: string; MaximumRetryCount?: number } | null | undefined;
  if (!rp) hc.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
  // (moby keeps a count given with "", which older daemons accepted; it means nothing with "no".)
  else if (!rp.Name) hc.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
}

let cgroupV2: Promise<boolean> | undefined;

/** Whether this host is cgroup v2 only (asked once). */
export function hostIsCgroupV2(): Promise<boolean> {
  cgroupV2 ??= cgroupV2Only();
  return cgroupV2;
}
