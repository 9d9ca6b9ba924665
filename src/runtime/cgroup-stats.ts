// Reads a container's resource usage from its cgroups (v1 per controller, or the v2 unified
// tree) and /proc, in the units Docker reports: nanoseconds of CPU, bytes, counts. The roots are
// parameters so tests run on fake trees without root.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface FsRoots {
  /** Where the cgroup filesystems are mounted; default /sys/fs/cgroup. */
  cgroupRoot?: string;
  /** Default /proc. */
  procRoot?: string;
}

/** Where one container's cgroups are: the v2 directory, or one directory per v1 controller. */
export type CgroupLocation = { version: 2; dir: string } | { version: 1; dirs: Record<string, string> };

export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CgroupStats {
  version: 1 | 2;
  cpu: {
    total: number;
    /** v1 only (cpuacct.usage_percpu). */
    perCpu?: number[];
    user: number;
    kernel: number;
    throttling: { periods: number; throttledPeriods: number; throttledTime: number };
  };
  memory: {
    usage: number;
    /** v1 only. */
    maxUsage?: number;
    /** Undefined when unlimited. */
    limit?: number;
    failcnt?: number;
    /** memory.stat with the keys Docker reports for this cgroup version. */
    stats: Record<string, number>;
  };
  pids: { current: number; /** 0 when unlimited */ limit: number };
  /** Docker's blkio_stats field names; v2 fills io_service_bytes_recursive only. */
  blkio: Record<string, BlkioEntry[] | null>;
}

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'] as const;
/** USER_HZ: the unit of cpuacct.stat and /proc/stat (Docker assumes 100 as well). */
const CLOCK_TICKS = 100;
const NS_PER_TICK = 1e9 / CLOCK_TICKS;

// moby daemon/stats_unix.go statsV1: the memory.stat keys Docker reports on cgroup v1.
export const V1_MEMORY_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit',
  'hierarchical_memsw_limit', 'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty',
  'total_writeback', 'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon',
  'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
] as const;

// statsV2: the keys on cgroup v2.
export const V2_MEMORY_KEYS = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
] as const;

// v1 blkio files (CFQ/BFQ accounting first, as containerd reads them) and their Docker names.
const V1_BLKIO_CFQ: Array<[string, string]> = [
  ['sectors_recursive', 'sectors_recursive'],
  ['io_service_bytes_recursive', 'io_service_bytes_recursive'],
  ['io_serviced_recursive', 'io_serviced_recursive'],
  ['io_queued_recursive', 'io_queue_recursive'],
  ['io_service_time_recursive', 'io_service_time_recursive'],
  ['io_wait_time_recursive', 'io_wait_time_recursive'],
  ['io_merged_recursive', 'io_merged_recursive'],
  ['time_recursive', 'io_time_recursive'],
];
const V1_BLKIO_THROTTLE: Array<[string, string]> = [
  ['throttle.io_serviced_recursive', 'io_serviced_recursive'],
  ['throttle.io_service_bytes_recursive', 'io_service_bytes_recursive'],
];
export const BLKIO_FIELDS = [
  'io_service_bytes_recursive', 'io_serviced_recursive', 'io_queue_recursive', 'io_service_time_recursive',
  'io_wait_time_recursive', 'io_merged_recursive', 'io_time_recursive', 'sectors_recursive',
] as const;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A number file; "max" (v2 unlimited) and missing files are undefined. */
async function readNumber(path: string): Promise<number | undefined> {
  const t = (await readText(path))?.trim();
  if (t === undefined || t === '' || t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events). */
function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v, extra] = line.trim().split(/\s+/);
    if (!k || v === undefined || extra !== undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

/**
 * Finds the cgroups of a process from /proc/<pid>/cgroup. A root with cgroup.controllers is a
 * pure v2 host; otherwise (v1 or hybrid) the v1 controllers are used, as runc puts limits there.
 */
export async function locateCgroups(pid: number, roots: FsRoots = {}): Promise<CgroupLocation | undefined> {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const cgroupRoot = roots.cgroupRoot ?? '/sys/fs/cgroup';
  const text = await readText(join(roots.procRoot ?? '/proc', String(pid), 'cgroup'));
  if (text === undefined) return undefined;
  const lines = text.split('\n').filter(Boolean).map((l) => {
    const a = l.indexOf(':');
    const b = l.indexOf(':', a + 1);
    return { controllers: l.slice(a + 1, b), path: l.slice(b + 1) };
  });
  if (await exists(join(cgroupRoot, 'cgroup.controllers'))) {
    const unified = lines.find((l) => l.controllers === '');
    return unified ? { version: 2, dir: join(cgroupRoot, unified.path) } : undefined;
  }
  const dirs: Record<string, string> = {};
  for (const l of lines) {
    if (!l.controllers || l.controllers.startsWith('name=')) continue;
    const names = l.controllers.split(',');
    for (const c of names) {
      if (!(CONTROLLERS as readonly string[]).includes(c)) continue;
      // Combined mounts ("cpu,cpuacct") usually have per-controller symlinks; use the mount name if not.
      const single = join(cgroupRoot, c);
      dirs[c] = join((await exists(single)) ? single : join(cgroupRoot, l.controllers), l.path);
    }
  }
  return Object.keys(dirs).length ? { version: 1, dirs } : undefined;
}

export async function readCgroupStats(loc: CgroupLocation): Promise<CgroupStats> {
  return loc.version === 2 ? readV2(loc.dir) : readV1(loc.dirs);
}

async function readV1(dirs: Record<string, string>): Promise<CgroupStats> {
  const at = (c: string, file: string) => join(dirs[c] ?? '/nonexistent', file);
  const perCpuText = await readText(at('cpuacct', 'cpuacct.usage_percpu'));
  const ticks = parseKeyValues((await readText(at('cpuacct', 'cpuacct.stat'))) ?? '');
  const cpuStat = parseKeyValues((await readText(at('cpu', 'cpu.stat'))) ?? '');
  const memStat = parseKeyValues((await readText(at('memory', 'memory.stat'))) ?? '');
  const stats: Record<string, number> = {};
  for (const k of V1_MEMORY_KEYS) stats[k] = memStat[k] ?? 0;
  const limit = await readNumber(at('memory', 'memory.limit_in_bytes'));
  return {
    version: 1,
    cpu: {
      total: (await readNumber(at('cpuacct', 'cpuacct.usage'))) ?? 0,
      perCpu: perCpuText?.trim() ? perCpuText.trim().split(/\s+/).map(Number) : undefined,
      user: (ticks.user ?? 0) * NS_PER_TICK,
      kernel: (ticks.system ?? 0) * NS_PER_TICK,
      throttling: { periods: cpuStat.nr_periods ?? 0, throttledPeriods: cpuStat.nr_throttled ?? 0, throttledTime: cpuStat.throttled_time ?? 0 },
    },
    memory: {
      usage: (await readNumber(at('memory', 'memory.usage_in_bytes'))) ?? 0,
      maxUsage: (await readNumber(at('memory', 'memory.max_usage_in_bytes'))) ?? 0,
      limit,
      failcnt: (await readNumber(at('memory', 'memory.failcnt'))) ?? 0,
      stats,
    },
    pids: { current: (await readNumber(at('pids', 'pids.current'))) ?? 0, limit: (await readNumber(at('pids', 'pids.max'))) ?? 0 },
    blkio: await readV1Blkio(dirs.blkio),
  };
}

async function readV1Blkio(dir: string | undefined): Promise<Record<string, BlkioEntry[] | null>> {
  const out: Record<string, BlkioEntry[] | null> = Object.fromEntries(BLKIO_FIELDS.map((f) => [f, null]));
  if (!dir) return out;
  let total = 0;
  // CFQ accounting when the kernel has it; devices outside CFQ only show in the throttle files.
  if (await exists(join(dir, 'blkio.io_serviced_recursive'))) {
    for (const [file, field] of V1_BLKIO_CFQ) {
      const entries = parseBlkio((await readText(join(dir, `blkio.${file}`))) ?? '');
      out[field] = entries.length ? entries : null;
      total += entries.length;
    }
  }
  if (total > 0) return out;
  for (const [file, field] of V1_BLKIO_THROTTLE) {
    const entries = parseBlkio((await readText(join(dir, `blkio.${file}`))) ?? '');
    out[field] = entries.length ? entries : null;
  }
  return out;
}

/** "8:0 Read 4096" lines (and "8:0 123" for time/sectors); the final "Total N" line is skipped. */
export function parseBlkio(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const [op, value] = f.length >= 3 ? [f[1], f[2]] : ['', f[1]];
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n)) continue;
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), op, value: n });
  }
  return out;
}

async function readV2(dir: string): Promise<CgroupStats> {
  const cpuStat = parseKeyValues((await readText(join(dir, 'cpu.stat'))) ?? '');
  const memStat = parseKeyValues((await readText(join(dir, 'memory.stat'))) ?? '');
  const events = parseKeyValues((await readText(join(dir, 'memory.events'))) ?? '');
  const stats: Record<string, number> = {};
  for (const k of V2_MEMORY_KEYS) stats[k] = memStat[k] ?? 0;
  const io = parseIoStat((await readText(join(dir, 'io.stat'))) ?? '');
  const blkio: Record<string, BlkioEntry[] | null> = Object.fromEntries(BLKIO_FIELDS.map((f) => [f, null]));
  blkio.io_service_bytes_recursive = io.length ? io : null;
  return {
    version: 2,
    cpu: {
      total: (cpuStat.usage_usec ?? 0) * 1000,
      user: (cpuStat.user_usec ?? 0) * 1000,
      kernel: (cpuStat.system_usec ?? 0) * 1000,
      throttling: { periods: cpuStat.nr_periods ?? 0, throttledPeriods: cpuStat.nr_throttled ?? 0, throttledTime: (cpuStat.throttled_usec ?? 0) * 1000 },
    },
    memory: {
      usage: (await readNumber(join(dir, 'memory.current'))) ?? 0,
      limit: await readNumber(join(dir, 'memory.max')),
      // Docker reports memory.events' "oom" counter as failcnt on v2.
      failcnt: events.oom,
      stats,
    },
    pids: { current: (await readNumber(join(dir, 'pids.current'))) ?? 0, limit: (await readNumber(join(dir, 'pids.max'))) ?? 0 },
    blkio,
  };
}

/** v2 io.stat ("8:0 rbytes=1 wbytes=2 ...") as Docker's read/write entries. */
function parseIoStat(text: string): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const kv = Object.fromEntries(f.slice(1).map((p) => p.split('=')).filter((p) => p.length === 2).map(([k, v]) => [k, Number(v)]));
    const major = Number(dev[1]);
    const minor = Number(dev[2]);
    out.push({ major, minor, op: 'read', value: kv.rbytes ?? 0 }, { major, minor, op: 'write', value: kv.wbytes ?? 0 });
  }
  return out;
}

/**
 * The host's CPU time in nanoseconds as Docker computes it (the first 7 fields of /proc/stat's
 * "cpu" line, in USER_HZ) and the number of CPUs listed there.
 */
export async function readSystemCpu(roots: FsRoots = {}): Promise<{ systemUsage: number; onlineCpus: number }> {
  const text = (await readText(join(roots.procRoot ?? '/proc', 'stat'))) ?? '';
  let systemUsage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu' && f.length >= 8) {
      systemUsage = f.slice(1, 8).reduce((sum, v) => sum + (Number(v) || 0), 0) * NS_PER_TICK;
    } else if (/^cpu\d+$/.test(f[0] ?? '')) {
      onlineCpus++;
    }
  }
  return { systemUsage, onlineCpus };
}

/** The interfaces of the process's network namespace but lo, from /proc/<pid>/net/dev. */
export async function readNetworkStats(pid: number, roots: FsRoots = {}): Promise<Record<string, NetworkStats>> {
  const out: Record<string, NetworkStats> = {};
  const text = await readText(join(roots.procRoot ?? '/proc', String(pid), 'net', 'dev'));
  if (text === undefined) return out;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name === 'lo') continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (v.length < 16 || v.some((n) => !Number.isFinite(n))) continue;
    out[name] = {
      rx_bytes: v[0], rx_packets: v[1], rx_errors: v[2], rx_dropped: v[3],
      tx_bytes: v[8], tx_packets: v[9], tx_errors: v[10], tx_dropped: v[11],
    };
  }
  return out;
}
