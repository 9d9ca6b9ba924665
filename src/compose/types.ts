// The compose project model: what the loader produces and every other part of the box consumes.
// Its shape is the canonical form `docker compose config --format json` prints (compose-go's
// types, snake_case keys as in the compose spec): every short syntax is already expanded to its
// long form, paths are absolute, variables are interpolated, `extends`/`include` are resolved,
// and services outside the active profiles are moved to `disabled_services`.
// Durations stay Go duration strings ('10s', '1m30s'), as compose-go keeps them; byte sizes are
// numbers of bytes. Optional fields are absent when the file does not set them.

export interface Project {
  /** The project name (lower-case, [a-z0-9_-], starts with a letter or digit). */
  name: string;
  /** The project directory (absolute): relative paths in the files resolve against it. */
  working_dir: string;
  /** The files loaded, in order, absolute ('-' for stdin). */
  compose_files: string[];
  services: Record<string, ServiceConfig>;
  /** Services not in the active profiles (kept for `depends_on` checks and `config --profiles`). */
  disabled_services: Record<string, ServiceConfig>;
  networks: Record<string, NetworkConfig>;
  volumes: Record<string, VolumeConfig>;
  secrets: Record<string, SecretConfig>;
  configs: Record<string, SecretConfig>;
  /** The active profiles (from --profile / COMPOSE_PROFILES). */
  profiles: string[];
  /** The environment interpolation used: the process environment over the .env / --env-file values. */
  environment: Record<string, string>;
  /** The .env / --env-file files read, absolute, in order (com.docker.compose.project.environment_file); absent when none. */
  env_files?: string[];
  /** Top-level `x-*` extension fields. */
  extensions?: Record<string, unknown>;
}

export interface ServiceConfig {
  /** The service's key in `services` (not part of the JSON output; set by the loader). */
  name: string;
  profiles?: string[];
  image?: string;
  build?: BuildConfig;
  command?: string[] | null;
  entrypoint?: string[] | null;
  /** null: the variable is taken from the environment of `run` / left unset (`- NAME`). */
  environment?: Record<string, string | null>;
  /** The env_file entries after they were read (their values are merged into `environment`). */
  env_file?: { path: string; required: boolean }[];
  ports?: PortConfig[];
  expose?: string[];
  volumes?: ServiceVolumeConfig[];
  tmpfs?: string[];
  depends_on?: Record<string, DependsOnConfig>;
  healthcheck?: HealthcheckConfig;
  /** Absent when the service sets network_mode. A null value: attached with no options. */
  networks?: Record<string, ServiceNetworkConfig | null>;
  network_mode?: string;
  restart?: string;
  deploy?: DeployConfig;
  mem_limit?: number;
  mem_reservation?: number;
  memswap_limit?: number;
  cpus?: number;
  cpu_shares?: number;
  cpu_quota?: number;
  cpu_period?: number;
  cpuset?: string;
  pids_limit?: number;
  container_name?: string;
  hostname?: string;
  domainname?: string;
  mac_address?: string;
  user?: string;
  working_dir?: string;
  labels?: Record<string, string>;
  secrets?: ServiceFileReference[];
  configs?: ServiceFileReference[];
  init?: boolean;
  tty?: boolean;
  stdin_open?: boolean;
  stop_signal?: string;
  stop_grace_period?: string;
  cap_add?: string[];
  cap_drop?: string[];
  privileged?: boolean;
  read_only?: boolean;
  ulimits?: Record<string, { soft: number; hard: number } | { single: number }>;
  sysctls?: Record<string, string>;
  /** 'host:ip' entries, as compose-go keeps them. */
  extra_hosts?: string[];
  dns?: string[];
  dns_search?: string[];
  dns_opt?: string[];
  logging?: { driver?: string; options?: Record<string, string> };
  pid?: string;
  ipc?: string;
  security_opt?: string[];
  shm_size?: number;
  devices?: { source: string; target: string; permissions: string }[];
  pull_policy?: 'always' | 'never' | 'missing' | 'build' | 'if_not_present' | string;
  scale?: number;
  links?: string[];
  external_links?: string[];
  group_add?: string[];
  runtime?: string;
  platform?: string;
  userns_mode?: string;
  cgroup_parent?: string;
  oom_score_adj?: number;
  oom_kill_disable?: boolean;
  annotations?: Record<string, string>;
  attach?: boolean;
  // Added by the convert part (cmp-convert): service keys docker compose maps to the create body.
  /** 'service:<name>[:ro|rw]', 'container:<name>[:ro|rw]' or '<service>[:ro|rw]'. */
  volumes_from?: string[];
  uts?: string;
  cgroup?: string;
  isolation?: string;
  mem_swappiness?: number;
  cpu_count?: number;
  cpu_percent?: number;
  cpu_rt_period?: number;
  cpu_rt_runtime?: number;
  device_cgroup_rules?: string[];
  storage_opt?: Record<string, string>;
  volume_driver?: string;
  develop?: DevelopConfig;
  /** `x-*` extension fields of the service. */
  extensions?: Record<string, unknown>;
}

export interface BuildConfig {
  /** Absolute path, or a URL kept as written. */
  context: string;
  /** Relative to the context, as written ('Dockerfile' when unset and no dockerfile_inline). */
  dockerfile?: string;
  dockerfile_inline?: string;
  args?: Record<string, string | null>;
  target?: string;
  labels?: Record<string, string>;
  network?: string;
  extra_hosts?: string[];
  shm_size?: number;
  cache_from?: string[];
  cache_to?: string[];
  no_cache?: boolean;
  pull?: boolean;
  platforms?: string[];
  tags?: string[];
  secrets?: ServiceFileReference[];
  ssh?: string[];
}

export interface PortConfig {
  /** 'ingress' (compose-go's default) or 'host'. */
  mode: string;
  host_ip?: string;
  target: number;
  /** A port or a range ('8080', '8080-8090'); absent: an ephemeral port. */
  published?: string;
  protocol: 'tcp' | 'udp' | 'sctp' | string;
  app_protocol?: string;
  name?: string;
}

export interface ServiceVolumeConfig {
  type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  /** bind: an absolute host path; volume: the volume's key in `volumes` (absent: anonymous). */
  source?: string;
  target: string;
  read_only?: boolean;
  consistency?: string;
  bind?: { propagation?: string; create_host_path?: boolean; selinux?: string };
  volume?: { nocopy?: boolean; subpath?: string };
  tmpfs?: { size?: number; mode?: number };
}

export interface DependsOnConfig {
  condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  restart?: boolean;
  required: boolean;
}

export interface HealthcheckConfig {
  /** ['NONE'], ['CMD', ...], ['CMD-SHELL', cmd]. */
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface ServiceNetworkConfig {
  aliases?: string[];
  ipv4_address?: string;
  ipv6_address?: string;
  link_local_ips?: string[];
  mac_address?: string;
  driver_opts?: Record<string, string>;
  priority?: number;
  gw_priority?: number;
}

export interface DeployConfig {
  mode?: string;
  replicas?: number;
  labels?: Record<string, string>;
  resources?: {
    limits?: { cpus?: string; memory?: number; pids?: number };
    reservations?: { cpus?: string; memory?: number; devices?: unknown[] };
  };
  restart_policy?: { condition?: string; delay?: string; max_attempts?: number; window?: string };
  update_config?: unknown;
  rollback_config?: unknown;
  placement?: unknown;
  endpoint_mode?: string;
}

export interface ServiceFileReference {
  /** The key in the top-level `secrets` / `configs`. */
  source: string;
  /** Absent: /run/secrets/<source> for secrets, /<source> for configs. */
  target?: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface DevelopConfig {
  watch?: { path: string; action: 'sync' | 'rebuild' | 'sync+restart' | 'restart' | 'sync+exec' | string; target?: string; ignore?: string[]; initial_sync?: boolean }[];
}

export interface NetworkConfig {
  /** The engine's name: `<project>_<key>` unless `name` or external. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  ipam?: { driver?: string; config?: { subnet?: string; ip_range?: string; gateway?: string; aux_addresses?: Record<string, string> }[]; options?: Record<string, string> };
  external?: boolean;
  internal?: boolean;
  attachable?: boolean;
  enable_ipv4?: boolean;
  enable_ipv6?: boolean;
  labels?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

export interface VolumeConfig {
  /** The engine's name: `<project>_<key>` unless `name` or external. */
  name: string;
  driver?: string;
  driver_opts?: Record<string, string>;
  external?: boolean;
  labels?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** A top-level secret or config: from a file (absolute path), the environment, or inline content. */
export interface SecretConfig {
  name: string;
  file?: string;
  environment?: string;
  content?: string;
  external?: boolean;
  labels?: Record<string, string>;
  extensions?: Record<string, unknown>;
}
