// Builds a container's OCI runtime spec from the runtime's own input by applying one option
// per concern (containerd's pkg/oci spec opts are the shape). Pure: no I/O, every rule is
// unit-tested beside its option. A new concern (volumes, health, IPv6) is a new option file
// and one line here.
import { invalidParameter } from '../../common/index.ts';
import { DEFAULT_NET_SYSCTLS } from '../defaults.ts';
import type { ResolvedUser } from '../user.ts';
import { withAnnotations } from './annotations.ts';
import { withCapabilities } from './capabilities.ts';
import { withCgroupsPath, type CgroupInput } from './cgroups.ts';
import { withDefaultDeviceRules, withDeviceCgroupRules, withDevices, type DeviceInput } from './devices.ts';
import { withEtcFiles, type EtcFiles } from './etc-files.ts';
import { withHostname } from './hostname.ts';
import { withInit } from './init.ts';
import { withIpcShm, type IpcShm } from './ipc.ts';
import { withMaskedPaths } from './masked-paths.ts';
import { withDefaultMounts, withMountOrder, withUserMounts, type MountSpec } from './mounts.ts';
import { withNamespaces, type NamespacesInput } from './namespaces.ts';
import { withProcess, type ProcessInput } from './process.ts';
import { withBlockIO, withCpu, withMemory, withPids } from './resources.ts';
import { withRlimits, type RlimitInput } from './rlimits.ts';
import { withReadonlyRootfs } from './rootfs.ts';
import { withSeccomp, type SeccompInput } from './seccomp.ts';
import { validateSysctls, withSysctls } from './sysctls.ts';
import { withUser } from './user.ts';
import { withWritableCgroups, withWritableSysfs } from './writable-kernel-fs.ts';
import { OCI_VERSION, type Spec, type SpecContext, type SpecOpt, type SpecResources } from './types.ts';

/** Everything that shapes a container's spec, in the runtime's terms. */
export interface ContainerSpecInput {
  id: string;
  /** Host path of the mounted rootfs. */
  rootfs: string;
  process: ProcessInput;
  /** Default root (0:0). */
  user?: ResolvedUser;
  /** Host path of an init binary to run as PID 1 (--init). */
  init?: string;
  privileged?: boolean;
  readonlyRootfs?: boolean;
  /** A writable cgroupfs without privileges (security-opt writable-cgroups). */
  writableCgroups?: boolean;
  capabilities?: { add?: readonly string[] | null; drop?: readonly string[] | null; known?: readonly string[] };
  /** Omitted: no seccomp filter. */
  seccomp?: SeccompInput;
  rlimits?: readonly RlimitInput[];
  namespaces: NamespacesInput;
  /** /dev/shm: the host's, none, or a private one (default) of shmSize bytes. */
  ipcShm?: IpcShm;
  shmSize?: number;
  /** The UTS hostname; omitted with the host's UTS namespace. */
  hostname?: string;
  /** Set as the kernel.domainname sysctl (with a private UTS namespace). */
  domainname?: string;
  mounts?: readonly MountSpec[];
  /** linux.rootfsPropagation (moby sets it for shared and slave binds); omitted: the runtime's default. */
  rootfsPropagation?: string;
  etcFiles?: EtcFiles;
  cgroup?: Omit<CgroupInput, 'id'>;
  memory?: NonNullable<SpecResources['memory']>;
  cpu?: NonNullable<SpecResources['cpu']>;
  pidsLimit?: number;
  blockIO?: NonNullable<SpecResources['blockIO']>;
  devices?: readonly DeviceInput[];
  deviceCgroupRules?: readonly string[];
  /** The user's sysctls (checked: namespaced only). */
  sysctls?: Readonly<Record<string, string>>;
  /** Docker's ping/unprivileged-port sysctls in a network namespace of the container's own (default true). */
  defaultNetSysctls?: boolean;
  /** Interfaces added to the netns later (eth0...) come up without IPv6; lo keeps ::1. */
  ipv4OnlyInterfaces?: boolean;
  /** Replace Docker's masked / read-only paths (default: Docker's, none when privileged). */
  maskedPaths?: readonly string[];
  readonlyPaths?: readonly string[];
  annotations?: Readonly<Record<string, string>>;
}

/** The empty spec: fixes the key order of the JSON written (every option fills it in place). */
export function baseSpec(_id: string, rootfs: string): Spec {
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0, additionalGids: [0] },
      args: [],
      env: [],
      cwd: '/',
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      noNewPrivileges: false,
      oomScoreAdj: 0,
    },
    root: { path: rootfs, readonly: false },
    mounts: [],
    linux: { namespaces: [], resources: { devices: [] }, cgroupsPath: '', devices: [] },
  };
}

export function applySpecOpts(spec: Spec, opts: readonly (SpecOpt | false | undefined)[]): Spec {
  const ctx: SpecContext = { userMounts: [] };
  for (const opt of opts) if (opt) opt(spec, ctx);
  return spec;
}

/** The OCI runtime spec of a container. Throws invalidParameter on bad input. */
export function buildOciSpec(input: ContainerSpecInput): Spec {
  if (!/^[0-9a-f]{64}$/.test(input.id) && !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(input.id)) {
    throw invalidParameter(`invalid container id: ${input.id}`);
  }
  if (!input.rootfs.startsWith('/')) throw invalidParameter(`rootfs must be an absolute path: ${input.rootfs}`);
  const privileged = input.privileged === true;
  const ns = input.namespaces;
  validateSysctls({ ...input.sysctls }, ns.network === 'host');
  // Docker's network sysctls go where the container owns the network namespace.
  const privateNet = ns.network === 'new' || (typeof ns.network === 'object' && !ns.network.container);
  const sysctls: Record<string, string> = {};
  if (input.domainname && !ns.hostUts) sysctls['kernel.domainname'] = input.domainname;
  if (privateNet && input.defaultNetSysctls !== false) Object.assign(sysctls, DEFAULT_NET_SYSCTLS);
  if (privateNet && input.ipv4OnlyInterfaces) sysctls['net.ipv6.conf.default.disable_ipv6'] = '1';
  Object.assign(sysctls, input.sysctls ?? {});
  const masked = input.maskedPaths ?? (privileged ? null : undefined);
  const readonlyPaths = input.readonlyPaths ?? (privileged ? null : undefined);

  return applySpecOpts(baseSpec(input.id, input.rootfs), [
    withDefaultMounts(input.shmSize),
    withProcess(input.process),
    input.init !== undefined && withInit(input.init),
    withUser(input.user),
    withCapabilities({ ...input.capabilities, privileged }),
    withRlimits(input.rlimits ?? []),
    withUserMounts(input.mounts ?? []),
    withIpcShm(input.ipcShm ?? 'private'),
    withEtcFiles(input.etcFiles ?? {}, input.readonlyRootfs === true),
    input.readonlyRootfs === true && withReadonlyRootfs(),
    privileged && withWritableSysfs(),
    (privileged || input.writableCgroups === true) && withWritableCgroups(),
    withMountOrder(),
    withNamespaces(ns),
    withDefaultDeviceRules(privileged),
    withMemory(input.memory ?? {}),
    withCpu(input.cpu ?? {}),
    withPids(input.pidsLimit),
    withBlockIO(input.blockIO ?? {}),
    withDevices(input.devices ?? []),
    withDeviceCgroupRules(input.deviceCgroupRules ?? []),
    withCgroupsPath({ id: input.id, ...input.cgroup }),
    withMaskedPaths(masked, readonlyPaths),
    withSysctls(sysctls),
    !privileged && input.seccomp !== undefined && withSeccomp(input.seccomp),
    !ns.hostUts && input.hostname !== undefined && withHostname(input.hostname),
    withAnnotations(input.annotations ?? {}),
    input.rootfsPropagation !== undefined && ((spec) => {
      spec.linux.rootfsPropagation = input.rootfsPropagation;
    }),
  ]);
}
