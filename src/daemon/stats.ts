// GET /containers/{id}/stats: Docker's StatsResponse built from the container's cgroups, one
// sample a second with the previous sample's CPU figures as precpu_stats (moby daemon/stats.go).
// The reads of /proc and the cgroups are the runtime box's (sampleContainer); this is the logic.
import { totalmem } from 'node:os';
import { invalidParameter, formatRfc3339Nano, nowNs, ZERO_TIME } from '../common/index.ts';
import type { ReadonlyContainer } from './containers/index.ts';
import { sampleContainer, BLKIO_FIELDS, type FsRoots, type CgroupStats, type ContainerSample } from '../runtime/index.ts';

export interface StatsTarget {
  id: string;
  /** Docker's name with the leading slash: "/web". */
  name(): string;
  /** Read on every sample: the container may stop (or restart) while it is watched. */
  state(): { running: boolean; pid: number };
  /** False for --network host, whose interfaces are the host's (Docker reports none). */
  ownNetwork: boolean;
  /** True once the container is removed: the stream ends, as Docker's collector unsubscribes. */
  removed?(): boolean;
}

export interface StatsOptions {
  stream: boolean;
  oneShot: boolean;
  /** Sampling interval; Docker's collector ticks every second. */
  intervalMs?: number;
  /** Caps an unlimited memory limit, as Docker does; default os.totalmem(). */
  machineMemory?: number;
  roots?: FsRoots;
  /** Reads one sample of a process's usage; default the runtime's (over `roots`). */
  sampler?: (pid: number, ownNetwork: boolean) => Promise<ContainerSample | undefined>;
}

type CpuStats = Record<string, unknown>;

export type StatsResponse = Record<string, unknown> & { read: string; cpu_stats: CpuStats };

const ZERO_CPU: CpuStats = {
  cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
};

/** A managed container as stats sees it; name and state are read live. */
export function statsTargetOf(c: ReadonlyContainer, removed?: () => boolean): StatsTarget {
  return {
    id: c.rec.ID,
    name: () => c.rec.Name,
    state: () => ({ running: c.rec.State.Running && !c.rec.State.Restarting, pid: c.rec.State.Pid }),
    ownNetwork: c.hostConfig.NetworkMode !== 'host',
    removed,
  };
}

/** For the route backend: checks the options before any header is sent, then streams on run(). */
export function openStats(target: StatsTarget, opts: { stream: boolean; oneShot: boolean; signal: AbortSignal }): { run(write: (json: string) => Promise<void>): Promise<void> } {
  if (opts.stream && opts.oneShot) throw invalidParameter('cannot have stream=true and one-shot=true');
  return { run: (write) => streamStats(target, { stream: opts.stream, oneShot: opts.oneShot }, write, opts.signal) };
}

/** The stats of a container that is not running: everything zero, read at Go's zero time. */
export function zeroStats(id: string, name: string): StatsResponse {
  return {
    name, id, read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {},
    blkio_stats: Object.fromEntries(BLKIO_FIELDS.map((f) => [f, null])),
    num_procs: 0, storage_stats: {}, cpu_stats: ZERO_CPU, precpu_stats: ZERO_CPU, memory_stats: {},
  };
}

/** One sample of a running container (precpu_stats and preread left zero). */
async function sampleStats(target: StatsTarget, pid: number, opts: Pick<StatsOptions, 'machineMemory' | 'roots' | 'sampler'> = {}): Promise<StatsResponse | undefined> {
  const read = formatRfc3339Nano(nowNs());
  const sampled = await (opts.sampler ?? ((p, own) => sampleContainer(p, own, opts.roots)))(pid, target.ownNetwork);
  if (!sampled) return undefined;
  const { cgroup: cg, system: sys, networks } = sampled;
  const out: StatsResponse = {
    name: target.name(), id: target.id, read, preread: ZERO_TIME,
    pids_stats: omitZero({ current: cg.pids.current, limit: cg.pids.limit }),
    blkio_stats: cg.blkio,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(cg, sys),
    precpu_stats: ZERO_CPU,
    memory_stats: memoryStats(cg, opts.machineMemory ?? totalmem()),
  };
  if (Object.keys(networks).length) out.networks = networks;
  return out;
}

function cpuStats(cg: CgroupStats, sys: { systemUsage: number; onlineCpus: number }): CpuStats {
  const usage: Record<string, unknown> = { total_usage: cg.cpu.total };
  if (cg.cpu.perCpu?.length) usage.percpu_usage = cg.cpu.perCpu;
  usage.usage_in_kernelmode = cg.cpu.kernel;
  usage.usage_in_usermode = cg.cpu.user;
  return {
    cpu_usage: usage,
    ...omitZero({ system_cpu_usage: sys.systemUsage, online_cpus: sys.onlineCpus }),
    throttling_data: { periods: cg.cpu.throttling.periods, throttled_periods: cg.cpu.throttling.throttledPeriods, throttled_time: cg.cpu.throttling.throttledTime },
  };
}

function memoryStats(cg: CgroupStats, machineMemory: number): Record<string, unknown> {
  let limit = cg.memory.limit ?? Number.MAX_SAFE_INTEGER;
  // An unlimited cgroup reports a huge number; Docker shows the machine's memory instead.
  if (machineMemory > 0 && limit > machineMemory) limit = machineMemory;
  return omitZero({ usage: cg.memory.usage, max_usage: cg.memory.maxUsage, stats: cg.memory.stats, failcnt: cg.memory.failcnt, limit });
}

/** Go's omitempty for numbers: zero and absent fields are left out. */
function omitZero(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== 0));
}

/**
 * Writes stats as Docker's ContainerStats does: stream=true one JSON per interval until the
 * signal aborts; stream=false two samples and the second written (so precpu is filled), or with
 * one-shot a single sample; a stopped container with stream=false gets zeroed stats at once.
 */
export async function streamStats(target: StatsTarget, opts: StatsOptions, write: (json: string) => void | Promise<void>, signal: AbortSignal): Promise<void> {
  if (opts.stream && opts.oneShot) throw invalidParameter('cannot have stream=true and one-shot=true');
  const interval = opts.intervalMs ?? 1000;
  const sample = async (): Promise<StatsResponse> => {
    const st = target.state();
    const s = st.running && st.pid > 0 ? await sampleStats(target, st.pid, opts).catch(() => undefined) : undefined;
    return s ?? zeroStats(target.id, target.name());
  };
  const emit = (s: StatsResponse) => write(JSON.stringify(s) + '\n');

  if (!opts.stream && !target.state().running) return emit(zeroStats(target.id, target.name()));
  if (opts.oneShot) return emit(await sample());

  let pre: { cpu: CpuStats; read: string } = { cpu: ZERO_CPU, read: ZERO_TIME };
  let first = true;
  while (!signal.aborted && !target.removed?.()) {
    const s = await sample();
    s.preread = pre.read;
    s.precpu_stats = pre.cpu;
    pre = { cpu: s.cpu_stats, read: s.read };
    // Without streaming the first sample only primes precpu_stats.
    if (opts.stream || !first) {
      await emit(s);
      if (!opts.stream) return;
    }
    first = false;
    await sleep(interval, signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
