// The Engine API's create settings (image config, Config, HostConfig) as the runtime's spec
// input (moby daemon/oci_linux.go: HostConfig mapped onto spec options). The runtime knows
// nothing of the Engine API; this is the one place that translates.
import { existsSync } from 'node:fs';
import { notImplemented, systemError } from '../../common/index.ts';
import {
  ALL_CAPABILITIES, DEFAULT_INIT_PATH, buildOciSpec, parseSeccompProfile, resolveUser,
  type ContainerSpecInput, type EtcFiles, type MountSpec, type NetworkNamespace, type ReadRootfsFile,
  type ResolvedUser, type SeccompProfile, type Spec,
} from '../../runtime/index.ts';
import { containerDevices, type DeviceFs } from './devices.ts';
import { checkProcessStrings, commandOf, mergeImageConfig } from './merge-image-config.ts';
import { tmpfsOf, toMountSpec } from './mounts.ts';
import { resourcesOf, type StatDevice } from './resources.ts';
import { parseSecurityOpts } from './security-opts.ts';
import type { ContainerConfig, HostConfig, ImageConfig, Ulimit } from './types.ts';
import { validateHostConfig } from './validate.ts';

export interface EngineSpecInput {
  id: string;
  /** Host path of the mounted rootfs. */
  rootfs: string;
  /** The image config. Give it with the create request's Config to merge them here; omit when
   *  `config` is already the result of mergeImageConfig (a stored container). */
  image?: ImageConfig | null;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** From resolveUser; default root (0:0). generateContainerSpec resolves it for you. */
  user?: ResolvedUser;
  network: NetworkNamespace;
  etcFiles?: EtcFiles;
  /** The container's binds, volumes and --mount tmpfs, resolved from its MountPoints; HostConfig.Tmpfs is added here. */
  mounts?: MountSpec[];
  /** linux.rootfsPropagation for shared and slave binds (mount-points.ts). */
  rootfsPropagation?: string;
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
  /** The capabilities this host can grant; default all we know. */
  knownCapabilities?: readonly string[];
  /** The daemon's default seccomp profile, or 'unconfined' (daemon.json seccomp-profile). */
  seccompProfile?: SeccompProfile | 'unconfined';
  /** Host device path -> major:minor (blkio limits). */
  statDevice?: StatDevice;
  /** Host paths for binds and --device; default the real filesystem. */
  exists?: (hostPath: string) => boolean;
  deviceFs?: DeviceFs;
  /** Native arch and kernel release for the seccomp filter; default this host's. */
  arch?: string;
  kernelVersion?: string;
  /** Initial terminal size [height, width] when Tty. */
  consoleSize?: [number, number];
  /** Set Docker's ping/unprivileged-port sysctls in a container's own netns (default true). */
  defaultNetSysctls?: boolean;
  /** IPv4-only networks: interfaces added later come up without IPv6. */
  ipv4OnlyInterfaces?: boolean;
  /** Whether the kernel accounts swap (memory.memsw.*); when false MemorySwap is dropped. Default true. */
  swapLimit?: boolean;
}

function seccompOf(input: EngineSpecInput, opt: string, privileged: boolean): ContainerSpecInput['seccomp'] {
  if (opt === 'unconfined' || privileged) return undefined;
  const host = { arch: input.arch, kernelVersion: input.kernelVersion };
  if (opt !== '' && opt !== 'builtin') return { profile: parseSeccompProfile(opt), ...host };
  const profile = input.seccompProfile;
  if (profile === 'unconfined' && opt === '') return undefined;
  if (!profile || profile === 'unconfined') throw systemError('the default seccomp profile is not loaded');
  return { profile, ...host };
}

/** Validates the HostConfig (Docker's checks) and maps everything to the runtime's input. */
function toSpecInput(input: EngineSpecInput): ContainerSpecInput {
  const hc = input.hostConfig;
  const hostNetwork = input.network === 'host';
  const known = input.knownCapabilities ?? ALL_CAPABILITIES;
  const exists = input.exists ?? existsSync;
  // input.network is the truth about the netns; HostConfig.NetworkMode may name a network.
  validateHostConfig(
    { ...hc, NetworkMode: hostNetwork ? 'host' : 'default' },
    { knownCapabilities: known, cgroupDriver: input.cgroupDriver, exists, deviceFs: input.deviceFs },
  );
  const config = input.image !== undefined ? mergeImageConfig(input.image, input.config) : input.config;
  checkProcessStrings(config);
  const privileged = hc.Privileged === true;
  const sec = parseSecurityOpts(hc.SecurityOpt);
  const ipcMode = hc.IpcMode || 'private';
  const pidMode = hc.PidMode || 'private';
  const utsMode = hc.UTSMode || 'private';
  if (ipcMode.startsWith('container:')) throw notImplemented(`IPC mode ${ipcMode} is not supported yet`);
  if (pidMode.startsWith('container:')) throw notImplemented(`PID mode ${pidMode} is not supported yet`);

  const hostname = config.Hostname || input.id.slice(0, 12);
  const useInit = pidMode === 'private' && (hc.Init ?? input.defaultInit ?? false);
  const ulimits = [...(hc.Ulimits ?? [])];
  const named = new Set(ulimits.map((u) => u.Name));
  for (const d of input.defaultUlimits ?? []) if (!named.has(d.Name)) ulimits.push(d);

  return {
    id: input.id,
    rootfs: input.rootfs,
    process: {
      args: commandOf(config),
      env: config.Env ?? [],
      hostname,
      cwd: config.WorkingDir || undefined,
      terminal: config.Tty === true,
      consoleSize: input.consoleSize,
      noNewPrivileges: sec.noNewPrivileges ?? input.noNewPrivileges ?? false,
      oomScoreAdj: hc.OomScoreAdj ?? 0,
    },
    user: input.user,
    init: useInit ? (input.initPath ?? DEFAULT_INIT_PATH) : undefined,
    privileged,
    readonlyRootfs: hc.ReadonlyRootfs === true,
    writableCgroups: sec.writableCgroups === true,
    capabilities: { add: hc.CapAdd, drop: hc.CapDrop, known },
    seccomp: seccompOf(input, sec.seccomp, privileged),
    // validateHostConfig checked every ulimit: the fallbacks are never used.
    rlimits: ulimits.map((u) => ({ name: u.Name ?? '', soft: u.Soft ?? 0, hard: u.Hard ?? 0 })),
    namespaces: {
      network: input.network, hostUts: utsMode === 'host', hostPid: pidMode === 'host', hostIpc: ipcMode === 'host',
      privateCgroup: hc.CgroupnsMode === 'private',
    },
    ipcShm: ipcMode === 'host' ? 'host' : ipcMode === 'none' ? 'none' : 'private',
    shmSize: hc.ShmSize ?? undefined,
    hostname: utsMode === 'host' ? undefined : hostname,
    domainname: config.Domainname ?? undefined,
    mounts: [...(input.mounts ?? []), ...tmpfsOf(hc).map((m) => toMountSpec(m))],
    rootfsPropagation: input.rootfsPropagation,
    etcFiles: input.etcFiles,
    cgroup: { parent: hc.CgroupParent || input.cgroupParent, driver: input.cgroupDriver },
    ...resourcesOf(hc, input.statDevice, input.swapLimit !== false),
    devices: containerDevices(hc, input.deviceFs),
    deviceCgroupRules: hc.DeviceCgroupRules ?? [],
    sysctls: hc.Sysctls ?? {},
    defaultNetSysctls: input.defaultNetSysctls,
    ipv4OnlyInterfaces: input.ipv4OnlyInterfaces,
    maskedPaths: hc.MaskedPaths ?? undefined,
    readonlyPaths: hc.ReadonlyPaths ?? undefined,
    annotations: hc.Annotations ?? undefined,
  };
}

/** The OCI spec of a container from its Engine settings. Throws invalidParameter on bad input. */
export function containerSpec(input: EngineSpecInput): Spec {
  return buildOciSpec(toSpecInput(input));
}

/** containerSpec after resolving Config.User and GroupAdd in the rootfs (through readRootfsFile). */
export async function generateContainerSpec(
  input: Omit<EngineSpecInput, 'user'> & { readRootfsFile: ReadRootfsFile },
): Promise<Spec> {
  const config = input.image !== undefined ? mergeImageConfig(input.image, input.config) : input.config;
  const user = await resolveUser(config.User ?? undefined, input.hostConfig.GroupAdd, input.readRootfsFile);
  const { readRootfsFile: _unused, ...rest } = input;
  return containerSpec({ ...rest, image: undefined, config, user });
}
