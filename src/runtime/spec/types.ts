// The OCI runtime spec (config.json): the subset berth writes, and the option type that
// builds it. Key order is part of the output: the base spec fixes it (see build.ts).
import type { DeviceCgroupRule } from '../defaults.ts';
import type { RawJson } from '../../common/index.ts';
import type { LinuxSeccomp } from '../seccomp.ts';

export const OCI_VERSION = '1.0.2';

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

/** A device node runc creates in the container's /dev. */
export interface SpecDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface SpecLinux {
  namespaces: SpecNamespace[];
  /** Propagation of the container's `/` (runc's default: rslave); shared or rslave for shared/slave binds. */
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  resources: SpecResources;
  cgroupsPath: string;
  sysctl?: Record<string, string>;
  seccomp?: LinuxSeccomp;
  devices: SpecDevice[];
}

export interface Spec {
  ociVersion: string;
  process: SpecProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: SpecMount[];
  linux: SpecLinux;
  annotations?: Record<string, string>;
}

/**
 * What options share while a spec is built: the mounts the caller asked for, kept apart from
 * the defaults until withMountOrder places them (they replace defaults at the same path).
 */
export interface SpecContext {
  userMounts: SpecMount[];
}

/** One concern applied to the spec (containerd's oci.SpecOpts): throws invalidParameter on bad input. */
export type SpecOpt = (spec: Spec, ctx: SpecContext) => void;
