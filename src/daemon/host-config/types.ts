// The parts of the Engine API's create request that shape a container's OCI spec: the
// request's Config (ContainerConfig), the image's config and the HostConfig. Wire names, as
// the API sends them; src/daemon/host-config/spec-input.ts maps them to the runtime's input.

/** The `config` of an image config JSON. */
export interface ImageConfig {
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
}

/** The create request's `Config` (ContainerConfig): the process fields. */
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
  /** Anonymous volumes (`-v /path`, the image's VOLUMEs). */
  Volumes?: Record<string, unknown> | null;
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

/** HostConfig.Mounts[] (`--mount`). */
export interface EngineMount {
  Type?: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: {
    Propagation?: string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  } | null;
  VolumeOptions?: unknown;
  ImageOptions?: unknown;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null;
}

/** HostConfig.Devices[] (`--device`). */
export interface DeviceMapping {
  PathOnHost?: string;
  PathInContainer?: string;
  CgroupPermissions?: string;
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
  Binds?: string[] | null;
  Mounts?: EngineMount[] | null;
  Tmpfs?: Record<string, string> | null;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  VolumesFrom?: string[] | null;
  VolumeDriver?: string;
  /** host (berth's default, Docker's on cgroup v1) or private. */
  CgroupnsMode?: string;
  Annotations?: Record<string, string> | null;
}
