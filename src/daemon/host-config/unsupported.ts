// HostConfig and Config fields berth does not act on. Each is refused with a clear 400 or,
// where Docker itself accepts and discards the setting, accepted with a warning in the create
// response: never accepted silently.
import { invalidParameter } from '../../common/index.ts';
import type { HostConfig } from './types.ts';

/** The Engine fields of this file, beyond those the spec uses. */
export interface UnsupportedFields {
  Cgroup?: string | null;
  CgroupnsMode?: string | null;
  CpuCount?: number | null;
  CpuPercent?: number | null;
  CpuRealtimePeriod?: number | null;
  CpuRealtimeRuntime?: number | null;
  DeviceRequests?: unknown[] | null;
  IOMaximumBandwidth?: number | null;
  IOMaximumIOps?: number | null;
  Isolation?: string | null;
  KernelMemoryTCP?: number | null;
  StorageOpt?: Record<string, string> | null;
  UsernsMode?: string | null;
}

const set = (v: unknown) => v !== undefined && v !== null && v !== '' && v !== 0;
const nonEmpty = (v: unknown) =>
  set(v) && (Array.isArray(v) ? v.length > 0 : typeof v === 'object' ? Object.keys(v as object).length > 0 : true);
const shown = (v: unknown) => String(v).slice(0, 64);

/** Throws for what cannot be accepted (Docker's message where dockerd refuses it too). */
export function refuseUnsupported(hc: HostConfig & UnsupportedFields): void {
  if (set(hc.Cgroup)) throw invalidParameter(`--cgroup ${shown(hc.Cgroup)} (sharing another container's cgroup) is not supported by berth`);
  if (set(hc.CgroupnsMode) && hc.CgroupnsMode !== 'host' && hc.CgroupnsMode !== 'private') {
    throw invalidParameter(`invalid cgroup namespace mode: ${shown(hc.CgroupnsMode)}`);
  }
  if (set(hc.CpuRealtimePeriod) || set(hc.CpuRealtimeRuntime)) {
    throw invalidParameter('CPU real-time period and runtime are not supported by berth');
  }
  if (nonEmpty(hc.DeviceRequests)) throw invalidParameter('device requests (--gpus) are not supported by berth');
  if (set(hc.IOMaximumBandwidth) || set(hc.IOMaximumIOps)) {
    throw invalidParameter('Invalid QoS settings: linux does not support Maximum IO Bandwidth or Maximum IO IOps');
  }
  if (set(hc.Isolation) && hc.Isolation !== 'default') {
    throw invalidParameter(`Invalid isolation: ${JSON.stringify(shown(hc.Isolation))} - linux only supports 'default'`);
  }
  if (nonEmpty(hc.StorageOpt)) throw invalidParameter('--storage-opt is not supported by berth (no per-container storage quota)');
  if (set(hc.UsernsMode) && hc.UsernsMode !== 'host') {
    throw invalidParameter(`--userns ${shown(hc.UsernsMode)} is not supported by berth (no user namespace remapping)`);
  }
}

/** Docker's warnings for settings a Linux engine discards; berth discards the same ones. */
export function unsupportedWarnings(hc: HostConfig & UnsupportedFields): string[] {
  const out: string[] = [];
  if (set(hc.CpuPercent)) out.push('linux does not support CPU percent. Percent discarded.');
  if (set(hc.CpuCount)) out.push('linux does not support CPU count. Count discarded.');
  if (set(hc.KernelMemoryTCP)) out.push('berth does not support kernel memory TCP limits. Limitation discarded.');
  return out;
}
