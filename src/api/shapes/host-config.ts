// HostConfig as dockerd writes it in container inspect: every field of moby's Go struct
// (api/types/container HostConfig with its embedded Resources), in the struct's order, with
// Go's zero value for a field the container never set (null for slices, maps and pointers),
// and the `omitempty` fields only when set. A container created through the API with a
// two-field HostConfig thus inspects exactly like one made by the docker CLI, which sends them all.
import type { DeepReadonly } from '../../common/index.ts';
import type { HostConfig } from '../types/engine-api.generated.ts';

type Zero = null | '' | 0 | false | [0, 0];

/** moby's HostConfig fields in declaration order (Resources embedded where Go embeds it). */
const FIELDS: Array<[string, Zero | 'omitempty']> = [
  ['Binds', null], ['ContainerIDFile', ''], ['LogConfig', null], ['NetworkMode', ''], ['PortBindings', null],
  ['RestartPolicy', null], ['AutoRemove', false], ['VolumeDriver', ''], ['VolumesFrom', null], ['ConsoleSize', [0, 0]],
  ['Annotations', 'omitempty'],
  ['CapAdd', null], ['CapDrop', null], ['CgroupnsMode', ''], ['Dns', null], ['DnsOptions', null], ['DnsSearch', null],
  ['ExtraHosts', null], ['GroupAdd', null], ['IpcMode', ''], ['Cgroup', ''], ['Links', null], ['OomScoreAdj', 0],
  ['PidMode', ''], ['Privileged', false], ['PublishAllPorts', false], ['ReadonlyRootfs', false], ['SecurityOpt', null],
  ['StorageOpt', 'omitempty'], ['Tmpfs', 'omitempty'], ['UTSMode', ''], ['UsernsMode', ''], ['ShmSize', 0],
  ['Sysctls', 'omitempty'], ['Runtime', 'omitempty'],
  ['Isolation', ''],
  // Resources
  ['CpuShares', 0], ['Memory', 0], ['NanoCpus', 0], ['CgroupParent', ''], ['BlkioWeight', 0], ['BlkioWeightDevice', null],
  ['BlkioDeviceReadBps', null], ['BlkioDeviceWriteBps', null], ['BlkioDeviceReadIOps', null], ['BlkioDeviceWriteIOps', null],
  ['CpuPeriod', 0], ['CpuQuota', 0], ['CpuRealtimePeriod', 0], ['CpuRealtimeRuntime', 0], ['CpusetCpus', ''], ['CpusetMems', ''],
  ['Devices', null], ['DeviceCgroupRules', null], ['DeviceRequests', null], ['KernelMemory', 'omitempty'], ['KernelMemoryTCP', 'omitempty'],
  ['MemoryReservation', 0], ['MemorySwap', 0], ['MemorySwappiness', null], ['OomKillDisable', null], ['PidsLimit', null],
  ['Ulimits', null], ['CpuCount', 0], ['CpuPercent', 0], ['IOMaximumIOps', 0], ['IOMaximumBandwidth', 0],
  // end of Resources
  ['Mounts', 'omitempty'], ['MaskedPaths', null], ['ReadonlyPaths', null], ['Init', 'omitempty'],
];

const KNOWN = new Set(FIELDS.map(([k]) => k));

/** Go's omitempty: false, 0, "", nil, and empty slices and maps are left out. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** The container's stored HostConfig as dockerd's inspect shows it. */
export function toHostConfigWire(hc: DeepReadonly<HostConfig>): DeepReadonly<HostConfig> {
  const src = hc as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const [key, zero] of FIELDS) {
    const v = src[key];
    if (zero === 'omitempty') {
      if (!isEmpty(v)) out[key] = v;
      continue;
    }
    if (v !== undefined) out[key] = v;
    else if (key === 'LogConfig') out[key] = { Type: '', Config: null };
    else if (key === 'RestartPolicy') out[key] = { Name: '', MaximumRetryCount: 0 };
    else out[key] = Array.isArray(zero) ? [...zero] : zero;
  }
  // Fields this list does not know (a newer API's) are kept rather than lost.
  for (const [key, v] of Object.entries(src)) if (!KNOWN.has(key) && v !== undefined) out[key] = v;
  return out as DeepReadonly<HostConfig>;
}
