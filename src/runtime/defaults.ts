// Docker's security and runtime defaults for Linux containers (moby oci/defaults.go,
// oci/caps, daemon/config). Kept as data so the spec generator and its tests share one source.

/** Docker's default capability set: what a non-privileged container gets without --cap-add/--cap-drop. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability Linux defines, indexed by its number (0 .. CAP_CHECKPOINT_RESTORE = 40). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/**
 * The capabilities a kernel knows, given /proc/sys/kernel/cap_last_cap. Names past our table
 * (a newer kernel) are left out: runc could not name them either.
 */
export function capabilitiesUpTo(lastCap: number): string[] {
  if (!Number.isInteger(lastCap) || lastCap < 0) return [...ALL_CAPABILITIES];
  return ALL_CAPABILITIES.slice(0, lastCap + 1);
}

/**
 * The capabilities in a mask such as the CapBnd line of /proc/self/status ("000001fffeffffff").
 * Docker's --privileged and CapAdd ALL use the daemon's own bounding set, not every cap the
 * kernel knows: asking runc for one the daemon lacks fails with EPERM.
 */
export function capabilitiesFromMask(mask: string | bigint): string[] {
  const bits = typeof mask === 'bigint' ? mask : BigInt(`0x${mask.trim() || '0'}`);
  return ALL_CAPABILITIES.filter((_, i) => (bits >> BigInt(i)) & 1n);
}

/** Docker's masked /proc and /sys paths (runc bind-mounts /dev/null or an empty tmpfs over them). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Docker's read-only /proc paths. */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export interface DeviceCgroupRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  /** Omitted: any major (the `*` of a device cgroup rule). */
  major?: number;
  minor?: number;
  access?: string;
}

/**
 * Device cgroup rules of a non-privileged container: deny everything, then the usual
 * allow list (mknod of anything; null, random, full, tty, zero, urandom, console, pts,
 * ptmx, tun).
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceCgroupRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

/** A privileged container may use every device. */
export const PRIVILEGED_DEVICE_RULES: readonly DeviceCgroupRule[] = [{ allow: true, access: 'rwm' }];

export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** /dev/shm size when none is given (Docker's config.DefaultShmSize, 64 MiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Docker's linuxMinMemory: below this a container cannot even start reliably. */
export const MIN_MEMORY = 6 * 1024 * 1024;

/** Where `--init` puts the init binary inside the container (Docker's path, so scripts that look for it work). */
export const IN_CONTAINER_INIT_PATH = '/sbin/docker-init';

/** The host's init binary for `--init` (Debian's tini-static). */
export const DEFAULT_INIT_PATH = '/usr/bin/tini-static';

/** cgroupfs parent of every container's cgroup (Docker's is /docker). */
export const DEFAULT_CGROUP_PARENT = '/berth';

/** systemd-driver parent slice and scope prefix (`system.slice:berth:<id>`). */
export const DEFAULT_SYSTEMD_CGROUP_PARENT = 'system.slice';
export const SYSTEMD_SCOPE_PREFIX = 'berth';

/** The rlimits a Ulimit name may map to (`RLIMIT_` + upper-cased name). */
export const ULIMIT_NAMES: readonly string[] = [
  'as',
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
];

/** Sysctls that live in a namespace the container owns (Docker's and runc's allow list). */
export const NAMESPACED_SYSCTLS: readonly string[] = [
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
];
export const NAMESPACED_SYSCTL_PREFIXES: readonly string[] = ['fs.mqueue.', 'net.'];

/**
 * Sysctls Docker sets in every container with its own network namespace: ping without
 * CAP_NET_RAW, and binding ports below 1024 without CAP_NET_BIND_SERVICE.
 */
export const DEFAULT_NET_SYSCTLS: Readonly<Record<string, string>> = {
  'net.ipv4.ping_group_range': '0 2147483647',
  'net.ipv4.ip_unprivileged_port_start': '0',
};
