// Builds the OCI runtime spec (config.json) of a container from its image config, the API's
// Config and HostConfig, the way dockerd does (moby daemon/oci_linux.go, oci/defaults.go,
// daemon/daemon_unix.go). Pure logic: the only I/O goes through injected functions (device
// stat, rootfs file reads), so every rule here is unit-tested without root.
import { posix } from 'node:path';
import { availableParallelism } from 'node:os';
import { invalidParameter, notImplemented, systemError, isErrno } from '../common/index.ts';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  DEFAULT_CGROUP_PARENT,
  DEFAULT_DEVICE_RULES,
  DEFAULT_INIT_PATH,
  DEFAULT_MASKED_PATHS,
  DEFAULT_NET_SYSCTLS,
  DEFAULT_PATH_ENV,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  DEFAULT_SYSTEMD_CGROUP_PARENT,
  IN_CONTAINER_INIT_PATH,
  MAX_CPU_SHARES,
  MIN_CPU_SHARES,
  MIN_MEMORY,
  NAMESPACED_SYSCTLS,
  NAMESPACED_SYSCTL_PREFIXES,
  PRIVILEGED_DEVICE_RULES,
  SYSTEMD_SCOPE_PREFIX,
  ULIMIT_NAMES,
  type DeviceCgroupRule,
} from './defaults.ts';
import {
  parseSeccompProfile,
  seccompForContainer,
  type LinuxSeccomp,
  type RawJson,
  type SeccompProfile,
} from './seccomp.ts';
import { resolveUser, type ReadRootfsFile, type ResolvedUser } from './user.ts';

// ---------------------------------------------------------------------------------------------
// Input: the parts of the Engine API objects that shape the spec

/** The `config` of an image config JSON. */
export interface ImageConfig {
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
}

/** The create request's `Config` (ContainerConfig). */
export interface ContainerConfig {
  Cmd?: string[] | null;
  /** null/absent: take the image's. `[]`: none, but the image Cmd still applies. `[""]`: none, and no image Cmd. */
  Entrypoint?: string[] | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Tty?: boolean;
  OpenStdin?: boolean;
  Hostname?: string;
  Domainname?: string;
  StopSignal?: string;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface WeightDevice {
  Path: string;
  Weight: number;
}

export interface ThrottleDevice {
  Path: string;
  Rate: number;
}

/** The create request's `HostConfig` (the fields that reach the spec). */
export interface HostConfig {
  Memory?: number;
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  NanoCpus?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  PidsLimit?: number | null;
  BlkioWeight?: number;
  BlkioWeightDevice?: WeightDevice[] | null;
  BlkioDeviceReadBps?: ThrottleDevice[] | null;
  BlkioDeviceWriteBps?: ThrottleDevice[] | null;
  BlkioDeviceReadIOps?: ThrottleDevice[] | null;
  BlkioDeviceWriteIOps?: ThrottleDevice[] | null;
  OomKillDisable?: boolean | null;
  OomScoreAdj?: number;
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  Init?: boolean | null;
  Ulimits?: Ulimit[] | null;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  GroupAdd?: string[] | null;
  NetworkMode?: string;
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  CgroupParent?: string;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
}

/**
 * The container's network namespace: the host's, a fresh empty one ('new'), or one to join by
 * path (`container: true` when it belongs to another container, i.e. `--network container:x`).
 */
export type NetworkNamespace = 'host' | 'new' | { path: string; container?: boolean };

/** A mount the caller resolved (volumes, binds, tmpfs): copied into the spec as given. */
export interface MountSpec {
  source: string;
  destination: string;
  type: string;
  options: string[];
}

/** Host paths of the per-container files bind-mounted over /etc. */
export interface EtcFiles {
  hosts?: string;
  hostname?: string;
  resolvConf?: string;
}

export interface DeviceNumbers {
  major: number;
  minor: number;
}

export interface SpecInput {
  id: string;
  /** Host path of the mounted rootfs. */
  rootfs: string;
  /** The image config. Give it with the create request's Config to merge them here; omit when
   *  `config` is already the result of mergeImageConfig (a stored container). */
  image?: ImageConfig | null;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** From resolveUser (user.ts); default root (0:0). generateOciSpec resolves it for you. */
  user?: ResolvedUser;
  network: NetworkNamespace;
  etcFiles?: EtcFiles;
  mounts?: MountSpec[];
  /** Daemon default cgroup parent (HostConfig.CgroupParent wins); default /berth or system.slice. */
  cgroupParent?: string;
  cgroupDriver?: 'cgroupfs' | 'systemd';
  /** Host path of the init binary for --init (default tini-static). */
  initPath?: string;
  /** daemon.json `init`: use the init when HostConfig.Init is null. */
  defaultInit?: boolean;
  /** daemon.json `no-new-privileges`. */
  noNewPrivileges?: boolean;
  /** daemon.json `default-ulimits` (the container's Ulimits win by name). */
  defaultUlimits?: Ulimit[];
  /** The capabilities this kernel knows (capabilitiesUpTo(cap_last_cap)); default all we know. */
  knownCapabilities?: readonly string[];
  /** The daemon's default seccomp profile, or 'unconfined' (daemon.json seccomp-profile). */
  seccompProfile?: SeccompProfile | 'unconfined';
  /** Host device path -> major:minor (for the blkio limits); throw ENOENT when missing. */
  statDevice?: (path: string) => DeviceNumbers;
  /** Native arch and kernel release for the seccomp filter; default this host's. */
  arch?: string;
  kernelVersion?: string;
  /** Initial terminal size [height, width] when Tty. */
  consoleSize?: [number, number];
  /** Set Docker's ping/unprivileged-port sysctls in a container's own netns (default true). */
  defaultNetSysctls?: boolean;
  /**
   * The container's interfaces have no IPv6 (IPv4-only networks): interfaces added to its netns
   * after creation (eth0...) come up without IPv6, as Docker's do; lo keeps ::1.
   */
  ipv4OnlyInterfaces?: boolean;
  /** Whether the kernel accounts swap (memory.memsw.*); when false MemorySwap is dropped. Default true. */
  swapLimit?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Output: the OCI runtime spec (the subset berth writes)

export interface SpecUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface SpecCapabilities {
  bounding: string[];
  effective: string[];
  inheritable: string[];
  permitted: string[];
  ambient: string[];
}

export interface SpecRlimit {
  type: string;
  hard: number | RawJson;
  soft: number | RawJson;
}

export interface SpecProcess {
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  user: SpecUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: SpecCapabilities;
  rlimits?: SpecRlimit[];
  noNewPrivileges: boolean;
  oomScoreAdj: number;
}

export interface SpecMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface SpecNamespace {
  type: 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';
  path?: string;
}

export interface SpecResources {
  devices: DeviceCgroupRule[];
  memory?: {
    limit?: number;
    reservation?: number;
    swap?: number;
    swappiness?: number;
    disableOOMKiller?: boolean;
  };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: {
    weight?: number;
    weightDevice?: { major: number; minor: number; weight: number }[];
    throttleReadBpsDevice?: { major: number; minor: number; rate: number }[];
    throttleWriteBpsDevice?: { major: number; minor: number; rate: number }[];
    throttleReadIOPSDevice?: { major: number; minor: number; rate: number }[];
    throttleWriteIOPSDevice?: { major: number; minor: number; rate: number }[];
  };
}

export interface SpecLinux {
  namespaces: SpecNamespace[];
  maskedPaths?: string[];
  readonlyPaths?: string[];
  resources: SpecResources;
  cgroupsPath: string;
  sysctl?: Record<string, string>;
  seccomp?: LinuxSeccomp;
  devices: never[];
}

export interface Spec {
  ociVersion: string;
  process: SpecProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: SpecMount[];
  linux: SpecLinux;
}

const OCI_VERSION = '1.0.2';

// ---------------------------------------------------------------------------------------------
// Image config + request config

/**
 * Docker's merge of the image config into the create request's Config (daemon/commit.go merge
 * + mergeAndVerifyConfig): user settings win, env is merged by key, an explicit Entrypoint drops
 * the image's Entrypoint and Cmd, `Entrypoint: [""]` means none. The result is what inspect shows.
 */
export function mergeImageConfig(image: ImageConfig | null | undefined, config: ContainerConfig): ContainerConfig {
  for (const c of [config, image ?? {}]) {
    checkStrings(c.Entrypoint, 'Entrypoint');
    checkStrings(c.Cmd, 'Cmd');
    checkStrings(c.Env, 'Env');
  }
  const out: ContainerConfig = { ...config };
  if (image) {
    if (!out.User) out.User = image.User ?? '';
    out.Env = mergeEnvLists(config.Env ?? [], image.Env ?? []);
    if (!out.Entrypoint || out.Entrypoint.length === 0) {
      if (!out.Cmd || out.Cmd.length === 0) out.Cmd = image.Cmd ? [...image.Cmd] : image.Cmd;
      if (out.Entrypoint === undefined || out.Entrypoint === null) {
        out.Entrypoint = image.Entrypoint ? [...image.Entrypoint] : image.Entrypoint;
      }
    }
    if (!out.WorkingDir) out.WorkingDir = image.WorkingDir ?? '';
    if (!out.StopSignal && image.StopSignal) out.StopSignal = image.StopSignal;
  }
  if (out.Entrypoint && out.Entrypoint.length === 1 && out.Entrypoint[0] === '') out.Entrypoint = null;
  if ((out.Entrypoint?.length ?? 0) === 0 && (out.Cmd?.length ?? 0) === 0) {
    throw invalidParameter('no command specified');
  }
  if (out.WorkingDir) {
    if (!out.WorkingDir.startsWith('/')) {
      throw invalidParameter(`the working directory '${out.WorkingDir}' is invalid, it needs to be an absolute path`);
    }
    out.WorkingDir = cleanPath(out.WorkingDir);
  }
  return out;
}

/** User env first, then the image env entries whose key the user did not set. */
function mergeEnvLists(user: readonly string[], image: readonly string[]): string[] {
  const keys = new Set(user.map(envKey));
  return [...user, ...image.filter((e) => !keys.has(envKey(e)))];
}

const envKey = (e: string) => {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
};

function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** The process args: Entrypoint + Cmd of a merged config. */
export function commandOf(config: ContainerConfig): string[] {
  const args = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (args.length === 0) throw invalidParameter('no command specified');
  return args;
}

/**
 * The process env (Docker's CreateDaemonEnvironment): PATH, HOSTNAME and TERM defaults that the
 * container's env overrides by key; a bare `KEY` (no '=') removes the key.
 */
export function processEnv(configEnv: readonly string[], hostname: string, tty: boolean): string[] {
  const env = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${hostname}`];
  if (tty) env.push('TERM=xterm');
  const index = new Map<string, number>();
  env.forEach((e, i) => index.set(envKey(e), i));
  const removed = new Set<number>();
  for (const e of configEnv) {
    const key = envKey(e);
    const i = index.get(key);
    if (!e.includes('=')) {
      if (i !== undefined) removed.add(i);
      continue;
    }
    if (i !== undefined) {
      env[i] = e;
      removed.delete(i);
    } else {
      index.set(key, env.length);
      env.push(e);
    }
  }
  return env.filter((_, i) => !removed.has(i));
}

// ---------------------------------------------------------------------------------------------
// Capabilities

/** Upper-cases and CAP_-prefixes CapAdd/CapDrop names; ALL stays ALL (moby NormalizeLegacyCapabilities). */
function normalizeCapabilities(
  caps: readonly string[] | null | undefined,
  known: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const out: string[] = [];
  for (const raw of caps ?? []) {
    let c = String(raw).toUpperCase();
    if (c === 'ALL') {
      out.push(c);
      continue;
    }
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!ALL_CAPABILITIES.includes(c)) throw invalidParameter(`unknown capability: ${goQuote(c)}`);
    if (!known.includes(c)) {
      throw invalidParameter(
        `capability not supported by your kernel or not available in the current environment: ${goQuote(c)}`,
      );
    }
    out.push(c);
  }
  return out;
}

/** The container's capability set (moby TweakCapabilities), without duplicates. */
export function tweakCapabilities(
  base: readonly string[],
  add: readonly string[] | null | undefined,
  drop: readonly string[] | null | undefined,
  privileged: boolean,
  known: readonly string[] = ALL_CAPABILITIES,
): string[] {
  if (privileged) return [...known];
  const capAdd = normalizeCapabilities(add, known);
  const capDrop = normalizeCapabilities(drop, known);
  let caps: string[];
  if (capAdd.includes('ALL')) caps = known.filter((c) => !capDrop.includes(c));
  else if (capDrop.includes('ALL')) caps = capAdd;
  else caps = [...base.filter((c) => !capDrop.includes(c)), ...capAdd];
  return [...new Set(caps)];
}

// ---------------------------------------------------------------------------------------------
// Security options

export interface SecurityOptions {
  noNewPrivileges?: boolean;
  /** '' (daemon default), 'builtin', 'unconfined', or a JSON profile. */
  seccomp: string;
  apparmor?: string;
  labels: string[];
  writableCgroups?: boolean;
}

/** Go's strconv.ParseBool. */
function parseGoBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

/** Go's %q for the strings we quote in messages (close enough: JSON's escapes). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** HostConfig.SecurityOpt, with Docker's parsing and error texts (daemon parseSecurityOpt). */
export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: '', labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    let sep = -1;
    if (opt.includes('=')) sep = opt.indexOf('=');
    else if (opt.includes(':')) sep = opt.indexOf(':'); // deprecated separator, still accepted
    if (sep < 0) throw invalidParameter(`invalid --security-opt 1: ${goQuote(opt)}`);
    const k = opt.slice(0, sep);
    const v = opt.slice(sep + 1);
    switch (k) {
      case 'label':
        out.labels.push(v);
        break;
      case 'apparmor':
        out.apparmor = v; // no AppArmor support: accepted and ignored
        break;
      case 'seccomp':
        out.seccomp = v;
        break;
      case 'no-new-privileges':
      case 'writable-cgroups': {
        const b = parseGoBool(v);
        if (b === undefined) throw invalidParameter(`invalid --security-opt 2: ${goQuote(opt)}`);
        if (k === 'no-new-privileges') out.noNewPrivileges = b;
        else out.writableCgroups = b;
        break;
      }
      default:
        throw invalidParameter(`invalid --security-opt 2: ${goQuote(opt)}`);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation (before anything is written)

export interface ValidateOptions {
  knownCapabilities?: readonly string[];
  /** Number of CPUs usable (the NanoCpus bound); default os.availableParallelism(). */
  numCpus?: number;
  /** The cpuset.cpus / cpuset.mems the daemon may use ("0-3"); availability skipped when absent. */
  availableCpus?: string;
  availableMems?: string;
  cgroupDriver?: 'cgroupfs' | 'systemd';
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

function checkCpuset(value: string | undefined, available: string | undefined, what: 'cpus' | 'mems'): void {
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

/** Sysctls a container may set: namespaced ones only; net.* only with its own network namespace. */
function validateSysctls(sysctls: Record<string, string> | null | undefined, hostNetwork: boolean): void {
  for (const [key, value] of Object.entries(sysctls ?? {})) {
    const namespaced =
      NAMESPACED_SYSCTLS.includes(key) || NAMESPACED_SYSCTL_PREFIXES.some((p) => key.startsWith(p));
    // runc writes /proc/sys/<key with . as />: a key with '/' or an empty part could climb out.
    const plain = /^[A-Za-z0-9_\-:@+]+(\.[A-Za-z0-9_\-:@+]+)*$/.test(key);
    if (!namespaced || !plain) throw invalidParameter(`sysctl '${key}' is not allowed`);
    if (typeof value !== 'string' || /[\0\n]/.test(value)) throw invalidParameter(`sysctl '${key}' has an invalid value`);
    if (hostNetwork && key.startsWith('net.')) {
      throw invalidParameter(`sysctl "${key}" not allowed in host network namespace`);
    }
  }
}

/**
 * Docker's create-time checks of a HostConfig (verifyPlatformContainerResources and friends),
 * with Docker's messages. Throws invalidParameter; returns Docker's warnings.
 */
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
  if (hc.OomKillDisable && memory === 0) {
    warnings.push(
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    );
  }

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
    if (!Number.isInteger(d.Weight) || d.Weight < 10 || d.Weight > 1000) {
      throw invalidParameter('Range of blkio weight is from 10 to 1000');
    }
  }
  for (const list of [hc.BlkioDeviceReadBps, hc.BlkioDeviceWriteBps, hc.BlkioDeviceReadIOps, hc.BlkioDeviceWriteIOps]) {
    for (const d of list ?? []) {
      checkDevicePath(d?.Path);
      if (!Number.isSafeInteger(d.Rate) || d.Rate < 0) throw invalidParameter(`invalid rate for device ${d.Path}`);
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
  return warnings;
}

function checkDevicePath(p: unknown): void {
  if (typeof p !== 'string' || !p.startsWith('/')) throw invalidParameter(`bad format for device path: ${String(p)}`);
}

/** Ulimit names as `ulimit -a` knows them, soft <= hard (go-units ParseUlimit's texts). */
function validateUlimits(ulimits: readonly Ulimit[] | null | undefined): void {
  for (const u of ulimits ?? []) {
    if (!u || typeof u.Name !== 'string' || !ULIMIT_NAMES.includes(u.Name)) {
      throw invalidParameter(`invalid ulimit type: ${u?.Name}`);
    }
    if (!Number.isSafeInteger(u.Soft) || !Number.isSafeInteger(u.Hard) || u.Soft < -1 || u.Hard < -1) {
      throw invalidParameter(`invalid ulimit value for ${u.Name}`);
    }
    if (u.Hard !== -1 && (u.Soft === -1 || u.Soft > u.Hard)) {
      throw invalidParameter(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The spec

const rawJson = (JSON as unknown as { rawJSON(text: string): RawJson }).rawJSON;
/** RLIM_INFINITY: Docker's -1 ulimit, as the uint64 runc reads. */
const RLIM_INFINITY = rawJson('18446744073709551615');

function rlimits(hc: HostConfig, defaults: readonly Ulimit[] | undefined): SpecRlimit[] {
  const list = [...(hc.Ulimits ?? [])];
  const names = new Set(list.map((u) => u.Name));
  for (const d of defaults ?? []) if (!names.has(d.Name)) list.push(d);
  return list.map((u) => ({
    type: `RLIMIT_${u.Name.toUpperCase()}`,
    hard: u.Hard < 0 ? RLIM_INFINITY : u.Hard,
    soft: u.Soft < 0 ? RLIM_INFINITY : u.Soft,
  }));
}

function defaultMounts(shmSize: number): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`],
    },
  ];
}

const depth = (dest: string) => (cleanPath(dest).match(/\//g) ?? []).length;

function checkMount(m: MountSpec): void {
  if (!m || typeof m.destination !== 'string' || !m.destination.startsWith('/')) {
    throw invalidParameter(`invalid mount destination: ${String(m?.destination)}`);
  }
  if (
    typeof m.source !== 'string' ||
    typeof m.type !== 'string' ||
    !Array.isArray(m.options) ||
    !m.options.every((o) => typeof o === 'string')
  ) {
    throw invalidParameter(`invalid mount for ${m.destination}`);
  }
}

function devices(
  list: readonly (WeightDevice | ThrottleDevice)[] | null | undefined,
  stat: SpecInput['statDevice'],
): { path: string; dev: DeviceNumbers; d: WeightDevice | ThrottleDevice }[] {
  const out: { path: string; dev: DeviceNumbers; d: WeightDevice | ThrottleDevice }[] = [];
  for (const d of list ?? []) {
    checkDevicePath(d.Path);
    if (!stat) throw systemError('no device stat function for blkio device limits');
    let dev: DeviceNumbers;
    try {
      dev = stat(d.Path);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw invalidParameter(`stat ${d.Path}: no such file or directory`, err);
      throw systemError(`stat ${d.Path}: ${(err as Error).message}`, err);
    }
    out.push({ path: d.Path, dev, d });
  }
  return out;
}

function resources(input: SpecInput, privileged: boolean): SpecResources {
  const hc = input.hostConfig;
  const res: SpecResources = { devices: (privileged ? PRIVILEGED_DEVICE_RULES : DEFAULT_DEVICE_RULES).map((r) => ({ ...r })) };

  const memory: NonNullable<SpecResources['memory']> = {};
  const mem = hc.Memory ?? 0;
  if (mem > 0) memory.limit = mem;
  if ((hc.MemoryReservation ?? 0) > 0) memory.reservation = hc.MemoryReservation;
  if (mem > 0 && input.swapLimit !== false) {
    // Docker stores MemorySwap 0 as twice the memory at create; -1 means unlimited (left unset).
    const swap = hc.MemorySwap ?? 0;
    if (swap === 0) memory.swap = mem * 2;
    else if (swap > 0) memory.swap = swap;
  }
  if (hc.MemorySwappiness !== undefined && hc.MemorySwappiness !== null && hc.MemorySwappiness !== -1) {
    memory.swappiness = hc.MemorySwappiness;
  }
  if (hc.OomKillDisable !== undefined && hc.OomKillDisable !== null) memory.disableOOMKiller = hc.OomKillDisable;
  if (Object.keys(memory).length > 0) res.memory = memory;

  const cpu: NonNullable<SpecResources['cpu']> = {};
  const shares = hc.CpuShares ?? 0;
  if (shares > 0) cpu.shares = Math.min(MAX_CPU_SHARES, Math.max(MIN_CPU_SHARES, shares));
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0) {
    cpu.period = 100000;
    cpu.quota = Number((BigInt(nano) * 100000n) / 1_000_000_000n);
  }
  if ((hc.CpuPeriod ?? 0) !== 0) cpu.period = hc.CpuPeriod;
  if ((hc.CpuQuota ?? 0) !== 0) cpu.quota = hc.CpuQuota;
  if (Object.keys(cpu).length > 0) res.cpu = cpu;

  if (hc.PidsLimit !== undefined && hc.PidsLimit !== null) {
    res.pids = { limit: hc.PidsLimit <= 0 ? -1 : hc.PidsLimit };
  }

  const blockIO: NonNullable<SpecResources['blockIO']> = {};
  if ((hc.BlkioWeight ?? 0) > 0) blockIO.weight = hc.BlkioWeight;
  const weightDevs = devices(hc.BlkioWeightDevice, input.statDevice);
  if (weightDevs.length) {
    blockIO.weightDevice = weightDevs.map(({ dev, d }) => ({ ...dev, weight: (d as WeightDevice).Weight }));
  }
  const throttle = (list: ThrottleDevice[] | null | undefined) =>
    devices(list, input.statDevice).map(({ dev, d }) => ({ ...dev, rate: (d as ThrottleDevice).Rate }));
  const rb = throttle(hc.BlkioDeviceReadBps);
  const wb = throttle(hc.BlkioDeviceWriteBps);
  const ri = throttle(hc.BlkioDeviceReadIOps);
  const wi = throttle(hc.BlkioDeviceWriteIOps);
  if (rb.length) blockIO.throttleReadBpsDevice = rb;
  if (wb.length) blockIO.throttleWriteBpsDevice = wb;
  if (ri.length) blockIO.throttleReadIOPSDevice = ri;
  if (wi.length) blockIO.throttleWriteIOPSDevice = wi;
  if (Object.keys(blockIO).length > 0) res.blockIO = blockIO;
  return res;
}

function cgroupsPath(input: SpecInput): string {
  const parentOverride = input.hostConfig.CgroupParent || input.cgroupParent;
  if (input.cgroupDriver === 'systemd') {
    return `${parentOverride || DEFAULT_SYSTEMD_CGROUP_PARENT}:${SYSTEMD_SCOPE_PREFIX}:${input.id}`;
  }
  // Joined under / and cleaned, so "../.." cannot leave the cgroup root.
  return posix.join('/', parentOverride || DEFAULT_CGROUP_PARENT, input.id);
}

/** Strings from API bodies and image configs reach execve: no non-strings, no NUL bytes. */
function checkStrings(list: readonly unknown[] | null | undefined, what: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw invalidParameter(`invalid ${what}: must be a list of strings`);
  for (const v of list) {
    if (typeof v !== 'string') throw invalidParameter(`invalid ${what}: must be a list of strings`);
    if (v.includes('\0')) throw invalidParameter(`invalid ${what}: contains a NUL byte`);
  }
}

function unsupportedMode(kind: string, mode: string): never {
  throw notImplemented(`${kind} mode ${mode} is not supported yet`);
}

/** The OCI runtime spec of a container (see SpecInput). Throws invalidParameter on bad input. */
export function buildOciSpec(input: SpecInput): Spec {
  if (!/^[0-9a-f]{64}$/.test(input.id) && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(input.id)) {
    throw invalidParameter(`invalid container id: ${input.id}`);
  }
  if (!input.rootfs.startsWith('/')) throw invalidParameter(`rootfs must be an absolute path: ${input.rootfs}`);
  const hc = input.hostConfig;
  const hostNetwork = input.network === 'host';
  const known = input.knownCapabilities ?? ALL_CAPABILITIES;
  // input.network is the truth about the netns; HostConfig.NetworkMode may name a network.
  validateHostConfig(
    { ...hc, NetworkMode: hostNetwork ? 'host' : 'default' },
    { knownCapabilities: known, cgroupDriver: input.cgroupDriver },
  );
  const config = input.image !== undefined ? mergeImageConfig(input.image, input.config) : input.config;
  checkStrings(config.Entrypoint, 'Entrypoint');
  checkStrings(config.Cmd, 'Cmd');
  checkStrings(config.Env, 'Env');
  const privileged = hc.Privileged === true;
  const sec = parseSecurityOpts(hc.SecurityOpt);
  const ipcMode = hc.IpcMode || 'private';
  const pidMode = hc.PidMode || 'private';
  const utsMode = hc.UTSMode || 'private';
  if (ipcMode.startsWith('container:')) unsupportedMode('IPC', ipcMode);
  if (pidMode.startsWith('container:')) unsupportedMode('PID', pidMode);

  // Process
  const hostname = config.Hostname || input.id.slice(0, 12);
  const tty = config.Tty === true;
  let args = commandOf(config);
  const useInit = pidMode === 'private' && (hc.Init ?? input.defaultInit ?? false);
  if (useInit) args = [IN_CONTAINER_INIT_PATH, '--', ...args];
  const caps = tweakCapabilities(DEFAULT_CAPABILITIES, hc.CapAdd, hc.CapDrop, privileged, known);
  const user = input.user ?? { uid: 0, gid: 0, additionalGids: [0], home: '' };
  const process: SpecProcess = {
    terminal: tty,
    user: { uid: user.uid, gid: user.gid, additionalGids: [...user.additionalGids] },
    args,
    env: processEnv(config.Env ?? [], hostname, tty),
    cwd: config.WorkingDir ? cleanPath(config.WorkingDir) : '/',
    capabilities: { bounding: caps, effective: [...caps], inheritable: [], permitted: [...caps], ambient: [] },
    noNewPrivileges: sec.noNewPrivileges ?? input.noNewPrivileges ?? false,
    oomScoreAdj: hc.OomScoreAdj ?? 0,
  };
  if (tty && input.consoleSize && input.consoleSize[0] > 0 && input.consoleSize[1] > 0) {
    process.consoleSize = { height: input.consoleSize[0], width: input.consoleSize[1] };
  }
  const rl = rlimits(hc, input.defaultUlimits);
  if (rl.length > 0) process.rlimits = rl;

  // Mounts: the defaults, minus those a user mount replaces, then the init, then user mounts by depth.
  const readonly = hc.ReadonlyRootfs === true;
  const userMounts: SpecMount[] = [];
  for (const m of input.mounts ?? []) {
    checkMount(m);
    userMounts.push({ destination: m.destination, type: m.type, source: m.source, options: [...m.options] });
  }
  if (ipcMode === 'host' && !userMounts.some((m) => m.destination === '/dev/shm')) {
    userMounts.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  }
  const etc: [string | undefined, string][] = [
    [input.etcFiles?.resolvConf, '/etc/resolv.conf'],
    [input.etcFiles?.hostname, '/etc/hostname'],
    [input.etcFiles?.hosts, '/etc/hosts'],
  ];
  for (const [source, destination] of etc) {
    if (!source || userMounts.some((m) => m.destination === destination)) continue;
    if (!source.startsWith('/')) throw invalidParameter(`invalid path for ${destination}: ${source}`);
    // Docker: writable unless the rootfs is read-only.
    const options = readonly ? ['rbind', 'ro', 'rprivate'] : ['rbind', 'rprivate'];
    userMounts.push({ destination, type: 'bind', source, options });
  }
  const userDest = new Set(userMounts.map((m) => cleanPath(m.destination)));
  const userDev = userDest.has('/dev');
  let mounts = defaultMounts(hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE);
  if (useInit) {
    mounts.push({
      destination: IN_CONTAINER_INIT_PATH,
      type: 'bind',
      source: input.initPath ?? DEFAULT_INIT_PATH,
      options: ['bind', 'ro'],
    });
  }
  mounts = mounts.filter((m) => {
    if (userDest.has(m.destination)) return false;
    if (userDev && m.destination.startsWith('/dev/')) return false;
    if (m.destination === '/dev/shm' && ipcMode === 'none') return false;
    return true;
  });
  if (readonly) {
    const keepRw = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);
    for (const m of mounts) if (!keepRw.has(m.destination) && !m.options.includes('ro')) m.options.push('ro');
  }
  const writableCgroups = privileged || sec.writableCgroups === true;
  for (const m of mounts) {
    if ((privileged && m.destination === '/sys') || (writableCgroups && m.type === 'cgroup')) {
      m.options = m.options.filter((o) => o !== 'ro');
    }
  }
  const sorted = userMounts.map((m, i) => ({ m, i, d: depth(m.destination) }));
  sorted.sort((a, b) => a.d - b.d || a.i - b.i);
  mounts.push(...sorted.map((s) => s.m));

  // Namespaces, in Docker's order.
  const namespaces: SpecNamespace[] = [{ type: 'mount' }];
  if (input.network !== 'host') {
    namespaces.push(input.network === 'new' ? { type: 'network' } : { type: 'network', path: input.network.path });
  }
  if (utsMode !== 'host') namespaces.push({ type: 'uts' });
  if (pidMode !== 'host') namespaces.push({ type: 'pid' });
  if (ipcMode !== 'host') namespaces.push({ type: 'ipc' });

  // Sysctls: domainname, Docker's net defaults in a private netns, then the user's.
  const sysctl: Record<string, string> = {};
  if (config.Domainname && utsMode !== 'host') sysctl['kernel.domainname'] = config.Domainname;
  const privateNet = input.network === 'new' || (typeof input.network === 'object' && !input.network.container);
  if (privateNet && input.defaultNetSysctls !== false) Object.assign(sysctl, DEFAULT_NET_SYSCTLS);
  if (privateNet && input.ipv4OnlyInterfaces) sysctl['net.ipv6.conf.default.disable_ipv6'] = '1';
  Object.assign(sysctl, hc.Sysctls ?? {});

  const linux: SpecLinux = {
    namespaces,
    resources: resources(input, privileged),
    cgroupsPath: cgroupsPath(input),
    devices: [],
  };
  if (!privileged) {
    linux.maskedPaths = [...DEFAULT_MASKED_PATHS];
    linux.readonlyPaths = [...DEFAULT_READONLY_PATHS];
  }
  if (hc.MaskedPaths) linux.maskedPaths = [...hc.MaskedPaths];
  if (hc.ReadonlyPaths) linux.readonlyPaths = [...hc.ReadonlyPaths];
  if (Object.keys(sysctl).length > 0) linux.sysctl = sysctl;
  const seccomp = seccompFor(input, sec.seccomp, privileged, caps);
  if (seccomp) linux.seccomp = seccomp;

  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process,
    root: { path: input.rootfs, readonly },
    mounts,
    linux,
  };
  if (utsMode !== 'host') spec.hostname = hostname;
  return spec;
}

function seccompFor(input: SpecInput, opt: string, privileged: boolean, caps: string[]): LinuxSeccomp | undefined {
  if (opt === 'unconfined' || privileged) return undefined;
  const convert = { capabilities: caps, arch: input.arch, kernelVersion: input.kernelVersion };
  if (opt !== '' && opt !== 'builtin') return seccompForContainer(parseSeccompProfile(opt), convert);
  const profile = input.seccompProfile;
  if (profile === 'unconfined' && opt === '') return undefined;
  if (!profile || profile === 'unconfined') throw systemError('the default seccomp profile is not loaded');
  return seccompForContainer(profile, convert);
}

/** buildOciSpec after resolving Config.User and GroupAdd in the rootfs (through readRootfsFile). */
export async function generateOciSpec(
  input: Omit<SpecInput, 'user'> & { readRootfsFile: ReadRootfsFile },
): Promise<Spec> {
  const config = input.image !== undefined ? mergeImageConfig(input.image, input.config) : input.config;
  const user = await resolveUser(config.User, input.hostConfig.GroupAdd, input.readRootfsFile);
  const { readRootfsFile: _unused, ...rest } = input;
  return buildOciSpec({ ...rest, image: undefined, config, user });
}

/** Linux dev_t (Node's stat rdev) -> major:minor, for statDevice. */
export function splitDevNumber(rdev: number | bigint): DeviceNumbers {
  const d = BigInt(rdev);
  // glibc's gnu_dev_major/gnu_dev_minor (32-bit major and minor split across the 64-bit dev_t).
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & 0xfffff000n);
  const minor = (d & 0xffn) | ((d >> 12n) & 0xffffff00n);
  return { major: Number(major), minor: Number(minor) };
}
