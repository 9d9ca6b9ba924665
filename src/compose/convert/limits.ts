// HostConfig's resource fields as docker compose v2 fills them (create.go getDeployResources,
// setLimits, setReservations, toUlimits): the service keys first (mem_limit, cpus, pids_limit,
// ...), then deploy.resources.limits (memory, cpus, pids) and reservations (memory, devices) over
// them; devices that name a CDI device become a `cdi` DeviceRequest.
import type { ServiceConfig } from '../types.ts';
import { ComposeError } from '../errors.ts';

// vendor.com/class=name (tags.cncf.io/container-device-interface parser.IsQualifiedName).
const CDI_NAME = /^[a-zA-Z0-9][a-zA-Z0-9._-]*\/[a-zA-Z0-9][a-zA-Z0-9._-]*=[a-zA-Z0-9_.:-]+$/;

export function hostResources(service: ServiceConfig): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  const set = (k: string, v: unknown): void => {
    if (v !== undefined && v !== 0 && v !== '' && v !== null) r[k] = v;
  };
  set('CgroupParent', service.cgroup_parent);
  set('Memory', service.mem_limit);
  set('MemorySwap', service.memswap_limit);
  set('MemorySwappiness', service.mem_swappiness);
  set('MemoryReservation', service.mem_reservation);
  if (service.oom_kill_disable !== undefined) r.OomKillDisable = service.oom_kill_disable;
  set('CpuCount', service.cpu_count);
  set('CpuPeriod', service.cpu_period);
  set('CpuQuota', service.cpu_quota);
  set('CpuRealtimePeriod', service.cpu_rt_period);
  set('CpuRealtimeRuntime', service.cpu_rt_runtime);
  set('CpuShares', service.cpu_shares);
  if (service.cpus !== undefined) set('NanoCpus', nanoCpus(service, String(service.cpus)));
  set('CpuPercent', service.cpu_percent ? Math.trunc(service.cpu_percent * 100) : undefined);
  set('CpusetCpus', service.cpuset);
  if (service.device_cgroup_rules?.length) r.DeviceCgroupRules = service.device_cgroup_rules;
  set('PidsLimit', service.pids_limit);

  const limits = service.deploy?.resources?.limits;
  if (limits) {
    set('Memory', limits.memory);
    if (limits.cpus !== undefined) set('NanoCpus', nanoCpus(service, String(limits.cpus)));
    if (limits.pids !== undefined && limits.pids > 0) r.PidsLimit = limits.pids;
  }
  const reservations = service.deploy?.resources?.reservations;
  const deviceRequests: Record<string, unknown>[] = [];
  if (reservations) {
    set('MemoryReservation', reservations.memory);
    for (const d of (reservations.devices ?? []) as Record<string, unknown>[]) {
      deviceRequests.push(dropEmpty({
        Driver: d.driver,
        Count: d.count === 'all' ? -1 : d.count,
        DeviceIDs: d.device_ids,
        Capabilities: [Array.isArray(d.capabilities) ? d.capabilities : []],
        Options: d.options,
      }));
    }
  }

  const devices: Record<string, string>[] = [];
  const cdi: string[] = [];
  for (const d of service.devices ?? []) {
    if (d.source === d.target && CDI_NAME.test(d.source)) cdi.push(d.source);
    else devices.push({ PathOnHost: d.source, PathInContainer: d.target, CgroupPermissions: d.permissions || 'rwm' });
  }
  if (devices.length) r.Devices = devices;
  if (cdi.length) deviceRequests.push({ Driver: 'cdi', DeviceIDs: cdi });
  if (deviceRequests.length) r.DeviceRequests = deviceRequests;

  const ulimits = toUlimits(service.ulimits);
  if (ulimits.length) r.Ulimits = ulimits;
  return r;
}

/** cpus as a float, ×1e9 (NanoCPUs). */
function nanoCpus(service: ServiceConfig, cpus: string): number {
  const n = Number(cpus);
  if (cpus.trim() === '' || !Number.isFinite(n) || n < 0) throw new ComposeError(`service "${service.name}": invalid cpus value "${cpus}"`);
  return Math.round(n * 1e9);
}

function toUlimits(m: ServiceConfig['ulimits']): { Name: string; Soft: number; Hard: number }[] {
  return Object.keys(m ?? {})
    .sort()
    .map((name) => {
      const u = m![name] as { soft?: number; hard?: number; single?: number };
      const soft = u.soft || u.single || 0;
      const hard = u.hard || u.single || 0;
      return { Name: name, Soft: soft, Hard: hard };
    });
}

function dropEmpty(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}
