// Docker's create-time checks of a HostConfig (verifyPlatformContainerResources and friends),
// with Docker's messages. Throws invalidParameter; returns Docker's warnings.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { invalidParameter } from '../../common/index.ts';
import { MIN_MEMORY, ULIMIT_NAMES, normalizeCapabilities, parseSeccompProfile, validateSysctls } from '../../runtime/index.ts';
import { checkDeviceCgroupRules, containerDevices, type DeviceFs } from './devices.ts';
import { containerMounts } from './mounts.ts';
import { parseSecurityOpts } from './security-opts.ts';
import { refuseUnsupported } from './unsupported.ts';
import type { HostConfig, Ulimit } from './types.ts';

export interface ValidateOptions {
  knownCapabilities?: readonly string[];
  /** Number of CPUs usable (the NanoCpus bound); default os.availableParallelism(). */
  numCpus?: number;
  /** The cpuset.cpus / cpuset.mems the daemon may use ("0-3"); availability skipped when absent. */
  availableCpus?: string;
  availableMems?: string;
  cgroupDriver?: 'cgroupfs' | 'systemd';
  /** Whether a host path exists (bind sources); default the real filesystem. */
  exists?: (hostPath: string) => boolean;
  /** The host filesystem for --device; default the real one. */
  deviceFs?: DeviceFs;
}

/** moby parsers.ParseUintListMaximum: "0-2,4" -> {0,1,2,4}. */
function parseCpuList(val: string, maximum = 0): Set<number> {
  const out = new Set<number>();
  if (val === '') return out;
  const bad = () => new Error(`invalid format: ${val}`);
  const atoi = (s: string) => {
    if (!/^[+-]?\d+$/.test(s)) throw bad();
    return Number(s);
  };
  for (const r of val.split(',')) {
    let lo: number;
    let hi: number;
    if (!r.includes('-')) {
      lo = hi = atoi(r);
    } else {
      const i = r.indexOf('-');
      lo = atoi(r.slice(0, i));
      hi = atoi(r.slice(i + 1));
      if (hi < lo) throw bad();
    }
    if (maximum !== 0 && hi > maximum) throw new Error(`value of out range, maximum is ${maximum}`);
    if (hi - lo > 1 << 16) throw bad(); // bound the loop below; no machine has that many CPUs
    for (let n = lo; n <= hi; n++) out.add(n);
  }
  return out;
}

function checkCpuset(value: string | null | undefined, available: string | undefined, what: 'cpus' | 'mems'): void {
  if (!value) return;
  let availableSet: Set<number> | undefined;
  let maximum = 8192;
  if (available !== undefined) {
    availableSet = parseCpuList(available);
    for (const n of availableSet) maximum = Math.max(maximum, n);
  }
  let provided: Set<number>;
  try {
    provided = parseCpuList(value, maximum);
  } catch (err) {
    throw invalidParameter(`Invalid value ${value} for cpuset ${what}: ${(err as Error).message}`);
  }
  if (availableSet && [...provided].some((n) => !availableSet.has(n))) {
    throw invalidParameter(
      what === 'cpus'
        ? `Requested CPUs are not available - requested ${value}, available: ${available}`
        : `Requested memory nodes are not available - requested ${value}, available: ${available}`,
    );
  }
}

export function checkDevicePath(p: unknown): asserts p is string {
  if (typeof p !== 'string' || !p.startsWith('/')) throw invalidParameter(`bad format for device path: ${String(p)}`);
}

/** Ulimit names as `ulimit -a` knows them, soft <= hard (go-units ParseUlimit's texts). */
function validateUlimits(ulimits: readonly Ulimit[] | null | undefined): void {
  for (const u of ulimits ?? []) {
    if (!u || typeof u.Name !== 'string' || !ULIMIT_NAMES.includes(u.Name)) {
      throw invalidParameter(`invalid ulimit type: ${u?.Name}`);
    }
    const soft = u.Soft ?? Number.NaN;
    const hard = u.Hard ?? Number.NaN;
    if (!Number.isSafeInteger(soft) || !Number.isSafeInteger(hard) || soft < -1 || hard < -1) {
      throw invalidParameter(`invalid ulimit value for ${u.Name}`);
    }
    if (hard !== -1 && (soft === -1 || soft > hard)) {
      throw invalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    }
  }
}

export function oomKillWarnings(hc: HostConfig): string[] {
  if (!hc.OomKillDisable || (hc.Memory ?? 0) !== 0) return [];
  return ['OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.'];
}

export function validateHostConfig(hc: HostConfig, opts: ValidateOptions = {}): string[] {
  const warnings: string[] = [];
  const memory = hc.Memory ?? 0;
  const swap = hc.MemorySwap ?? 0;
  const reservation = hc.MemoryReservation ?? 0;
  for (const [name, v] of Object.entries({
    Memory: hc.Memory,
    MemorySwap: hc.MemorySwap,
    MemoryReservation: hc.MemoryReservation,
    NanoCpus: hc.NanoCpus,
    CpuShares: hc.CpuShares,
    CpuPeriod: hc.CpuPeriod,
    CpuQuota: hc.CpuQuota,
    BlkioWeight: hc.BlkioWeight,
    ShmSize: hc.ShmSize,
    OomScoreAdj: hc.OomScoreAdj,
  })) {
    if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isSafeInteger(v))) {
      throw invalidParameter(`invalid ${name}: must be an integer`);
    }
  }

  // JSON bodies are hostile: a string where a list belongs must not be iterated char by char.
  const lists = {
    CapAdd: hc.CapAdd,
    CapDrop: hc.CapDrop,
    SecurityOpt: hc.SecurityOpt,
    GroupAdd: hc.GroupAdd,
    Ulimits: hc.Ulimits,
    BlkioWeightDevice: hc.BlkioWeightDevice,
    BlkioDeviceReadBps: hc.BlkioDeviceReadBps,
    BlkioDeviceWriteBps: hc.BlkioDeviceWriteBps,
    BlkioDeviceReadIOps: hc.BlkioDeviceReadIOps,
    BlkioDeviceWriteIOps: hc.BlkioDeviceWriteIOps,
    MaskedPaths: hc.MaskedPaths,
    ReadonlyPaths: hc.ReadonlyPaths,
  };
  for (const [name, v] of Object.entries(lists)) {
    if (v !== undefined && v !== null && !Array.isArray(v)) throw invalidParameter(`invalid ${name}: must be a list`);
  }
  for (const name of ['CapAdd', 'CapDrop', 'SecurityOpt', 'GroupAdd', 'MaskedPaths', 'ReadonlyPaths'] as const) {
    if ((hc[name] ?? []).some((x) => typeof x !== 'string')) throw invalidParameter(`invalid ${name}: must be a list of strings`);
  }
  for (const [name, map] of [['Sysctls', hc.Sysctls], ['Annotations', hc.Annotations]] as const) {
    if (map === undefined || map === null) continue;
    if (typeof map !== 'object' || Array.isArray(map)) throw invalidParameter(`invalid ${name}: must be an object`);
    if (name === 'Annotations' && Object.entries(map).some(([k, v]) => k === '' || typeof v !== 'string')) {
      throw invalidParameter('invalid Annotations: keys must not be empty and values must be strings');
    }
  }
  const sysctls = hc.Sysctls;
  if (sysctls !== undefined && sysctls !== null && (typeof sysctls !== 'object' || Array.isArray(sysctls))) {
    throw invalidParameter('invalid Sysctls: must be an object');
  }

  if (memory !== 0 && memory < MIN_MEMORY) throw invalidParameter('Minimum memory limit allowed is 6MB');
  if (memory > 0 && swap > 0 && swap < memory) {
    throw invalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (memory === 0 && swap > 0) {
    throw invalidParameter('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1) {
    if (!Number.isInteger(swappiness) || swappiness < 0 || swappiness > 100) {
      throw invalidParameter(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
    }
  }
  if (reservation > 0 && reservation < MIN_MEMORY) throw invalidParameter('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > 0 && memory < reservation) {
    throw invalidParameter('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  warnings.push(...oomKillWarnings(hc));

  const nano = hc.NanoCpus ?? 0;
  const period = hc.CpuPeriod ?? 0;
  const quota = hc.CpuQuota ?? 0;
  if (nano > 0 && period > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && quota > 0) throw invalidParameter('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  const numCpus = opts.numCpus ?? availableParallelism();
  if (nano < 0 || nano > numCpus * 1e9) {
    throw invalidParameter(`Range of CPUs is from 0.01 to ${numCpus}.00, as there are only ${numCpus} CPUs available`);
  }
  if ((hc.CpuShares ?? 0) < 0) throw invalidParameter('shares: invalid argument');
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw invalidParameter('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (quota > 0 && quota < 1000) throw invalidParameter('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  checkCpuset(hc.CpusetCpus, opts.availableCpus, 'cpus');
  checkCpuset(hc.CpusetMems, opts.availableMems, 'mems');

  const weight = hc.BlkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000)) throw invalidParameter('Range of blkio weight is from 10 to 1000');
  for (const d of hc.BlkioWeightDevice ?? []) {
    checkDevicePath(d?.Path);
    const w = d.Weight ?? Number.NaN;
    if (!Number.isInteger(w) || w < 10 || w > 1000) {
      throw invalidParameter('Range of blkio weight is from 10 to 1000');
    }
  }
  for (const list of [hc.BlkioDeviceReadBps, hc.BlkioDeviceWriteBps, hc.BlkioDeviceReadIOps, hc.BlkioDeviceWriteIOps]) {
    for (const d of list ?? []) {
      checkDevicePath(d?.Path);
      const rate = d.Rate ?? Number.NaN;
      if (!Number.isSafeInteger(rate) || rate < 0) throw invalidParameter(`invalid rate for device ${d.Path}`);
    }
  }

  if ((hc.ShmSize ?? 0) < 0) throw invalidParameter('SHM size can not be less than 0');
  const oom = hc.OomScoreAdj ?? 0;
  if (oom < -1000 || oom > 1000) {
    throw invalidParameter(`Invalid value ${oom}, range for oom score adj is [-1000, 1000]`);
  }
  if (hc.CgroupParent && opts.cgroupDriver === 'systemd') {
    if (hc.CgroupParent.length <= 6 || !hc.CgroupParent.endsWith('.slice')) {
      throw invalidParameter('cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"');
    }
  }

  normalizeCapabilities(hc.CapAdd, opts.knownCapabilities);
  normalizeCapabilities(hc.CapDrop, opts.knownCapabilities);
  const sec = parseSecurityOpts(hc.SecurityOpt);
  if (sec.seccomp !== '' && sec.seccomp !== 'unconfined' && sec.seccomp !== 'builtin') {
    parseSeccompProfile(sec.seccomp);
  }
  validateSysctls(hc.Sysctls, hc.NetworkMode === 'host');
  validateUlimits(hc.Ulimits);
  const ipc = hc.IpcMode ?? '';
  const isContainerRef = (m: string) => m.startsWith('container:') && m.length > 'container:'.length;
  if (!['', 'host', 'private', 'shareable', 'none'].includes(ipc) && !isContainerRef(ipc)) {
    throw invalidParameter(`invalid IPC mode: ${ipc}`);
  }
  const pid = hc.PidMode ?? '';
  if (pid !== '' && pid !== 'host' && !isContainerRef(pid)) throw invalidParameter(`invalid PID mode: ${pid}`);
  const uts = hc.UTSMode ?? '';
  if (uts !== '' && uts !== 'host') throw invalidParameter(`invalid UTS mode: ${uts}`);

  refuseUnsupported(hc);
  containerMounts(hc, opts.exists ?? existsSync);
  containerDevices(hc, opts.deviceFs);
  checkDeviceCgroupRules(hc);
  return warnings;
}
