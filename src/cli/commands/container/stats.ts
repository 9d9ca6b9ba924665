// `berth container stats`: one stats stream per container, Docker's CPU %/MEM % formulas, its
// table, and on a terminal the screen redrawn in place every half second (docker/cli
// cli/command/container/stats.go, stats_helpers.go, formatter_stats.go).
import type { ApiClient, CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { binarySize, humanSize } from '../../format/index.ts';
import { errorText, formatFlag, renderList, truncateId } from '../shared.ts';

export const STATS_TABLE_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

/** A received sample, in the parts the CLI uses. */
export interface StatsJson {
  name?: string;
  id?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  pids_stats?: { current?: number };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface StatsEntry {
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  isInvalid: boolean;
}

/** docker's calculateCPUPercentUnix. */
export function cpuPercent(v: StatsJson): number {
  const cur = v.cpu_stats ?? {};
  const pre = v.precpu_stats ?? {};
  const cpuDelta = (cur.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cur.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const online = cur.online_cpus || cur.cpu_usage?.percpu_usage?.length || 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

/** docker's calculateMemUsageUnixNoCache: usage minus inactive file pages (v1 total_inactive_file, v2 inactive_file). */
export function memUsageNoCache(mem: StatsJson['memory_stats'] = {}): number {
  const usage = mem.usage ?? 0;
  const stats = mem.stats ?? {};
  if ('total_inactive_file' in stats && stats.total_inactive_file < usage) return usage - stats.total_inactive_file;
  const v2 = stats.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

/** The table entry of one sample (docker's collect). */
export function statsEntry(container: string, v: StatsJson): StatsEntry {
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of v.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '')[0];
    if (op === 'r' || op === 'R') blockRead += e.value ?? 0;
    else if (op === 'w' || op === 'W') blockWrite += e.value ?? 0;
  }
  let networkRx = 0;
  let networkTx = 0;
  for (const n of Object.values(v.networks ?? {})) {
    networkRx += n.rx_bytes ?? 0;
    networkTx += n.tx_bytes ?? 0;
  }
  const memory = memUsageNoCache(v.memory_stats);
  const memoryLimit = v.memory_stats?.limit ?? 0;
  return {
    container, name: v.name ?? '', id: v.id ?? '', cpuPercentage: cpuPercent(v), memory, memoryLimit,
    memoryPercentage: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx, networkTx, blockRead, blockWrite, pidsCurrent: v.pids_stats?.current ?? 0, isInvalid: false,
  };
}

const percent = (n: number) => `${n.toFixed(2)}%`;

/** One row for the formatter, keys in the order of docker's `--format json`. */
export function statsRow(s: StatsEntry, trunc: boolean): object {
  const bad = s.isInvalid;
  return {
    BlockIO: bad ? '--' : `${humanSize(s.blockRead)} / ${humanSize(s.blockWrite)}`,
    CPUPerc: bad ? '--' : percent(s.cpuPercentage),
    Container: s.container,
    ID: trunc ? truncateId(s.id) : s.id,
    MemPerc: bad ? '--' : percent(s.memoryPercentage),
    MemUsage: bad ? '-- / --' : `${binarySize(s.memory)} / ${binarySize(s.memoryLimit)}`,
    Name: s.name.length > 1 ? s.name.slice(1) : '--',
    NetIO: bad ? '--' : `${humanSize(s.networkRx)} / ${humanSize(s.networkTx)}`,
    PIDs: bad ? '--' : String(s.pidsCurrent),
  };
}

const STATS_TIMEOUT_MS = 2000;

/** One container's stats stream (docker's collect): the latest entry, or the error that ended it. */
class Collector {
  entry: StatsEntry;
  error: unknown;
  readonly first: Promise<void>;
  private releaseFirst!: () => void;
  private readonly abort = new AbortController();

  constructor(container: string) {
    this.entry = { ...statsEntry(container, {}), isInvalid: false };
    this.first = new Promise((r) => (this.releaseFirst = r));
  }

  start(client: ApiClient, stream: boolean): void {
    void this.run(client, stream).finally(() => this.releaseFirst());
  }

  stop(): void {
    this.abort.abort();
  }

  private invalidate(err: unknown): void {
    this.error = err;
    this.entry = { ...statsEntry(this.entry.container, {}), name: this.entry.name, id: this.entry.id, isInvalid: true };
  }

  private async run(client: ApiClient, stream: boolean): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    // No sample within 2 s: the row shows "--" until one comes (and --no-stream stops waiting).
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.invalidate(new Error('timeout waiting for stats'));
        this.releaseFirst();
        if (!stream) this.abort.abort();
      }, STATS_TIMEOUT_MS);
    };
    try {
      arm();
      const res = await client.call('GET', `/containers/${encodeURIComponent(this.entry.container)}/stats`, {
        query: { stream: stream ? '1' : '0' }, signal: this.abort.signal,
      });
      let pending = '';
      for await (const chunk of res.body) {
        pending += String(chunk);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (!line) continue;
          this.entry = statsEntry(this.entry.container, JSON.parse(line) as StatsJson);
          this.error = undefined;
          this.releaseFirst();
          arm();
          if (!stream) return;
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.invalidate(err);
    } finally {
      clearTimeout(timer);
      if (!stream) this.abort.abort();
    }
  }
}

interface EventMessage {
  Action?: string;
  status?: string;
  Actor?: { ID?: string };
  id?: string;
}

export const statsCommand: CommandSpec = {
  name: 'stats',
  usage: '[OPTIONS] [CONTAINER...]',
  short: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Show all containers (default shows just running)' },
    formatFlag(),
    { name: 'no-stream', type: 'bool', usage: 'Disable streaming stats and only pull the first result' },
    { name: 'no-trunc', type: 'bool', usage: 'Do not truncate output' },
  ],
  async run(ctx, flags, args) {
    const all = flags.bool('all');
    const noStream = flags.bool('no-stream');
    const trunc = !flags.bool('no-trunc');
    const showAll = args.length === 0;
    const collectors = new Map<string, Collector>();
    const add = (container: string): void => {
      if (collectors.has(container)) return;
      const c = new Collector(container);
      collectors.set(container, c);
      c.start(ctx.client, !noStream);
    };
    const remove = (container: string): void => {
      collectors.get(container)?.stop();
      collectors.delete(container);
    };
    const events = new AbortController();
    let eventError: unknown;
    try {
      if (showAll) {
        // Subscribed before listing, so a container started in between is not missed.
        const res = await ctx.client.call('GET', '/events', { query: { filters: { type: { container: true } } }, signal: events.signal });
        void followEvents(res.body, (e) => {
          const id = (e.Actor?.ID ?? e.id ?? '').slice(0, 12);
          const action = e.Action ?? e.status;
          if (!id) return;
          if (action === 'start' || (action === 'create' && all)) add(id);
          else if (action === 'die' && !all) remove(id);
        }).catch((err) => {
          if (!events.signal.aborted) eventError = err;
        });
        const list = await ctx.client.json<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: all ? '1' : undefined } });
        for (const c of list) add(c.Id.slice(0, 12));
        await Promise.all([...collectors.values()].map((c) => c.first));
      } else {
        for (const a of args) add(a);
        await Promise.all([...collectors.values()].map((c) => c.first));
        const failed = [...collectors.values()].filter((c) => c.error !== undefined).map((c) => c.error);
        if (failed.length === 1) throw failed[0];
        if (failed.length) throw new StatusError(1, failed.map(errorText).join('\n'));
      }

      const format = flags.string('format') || ctx.config.statsFormat || 'table';
      const render = (): string => renderList([...collectors.values()].map((c) => statsRow(c.entry, trunc)), {
        format, defaultFormat: STATS_TABLE_FORMAT, headers: STATS_HEADERS, rowType: '*container.statsContext',
      });
      if (noStream) {
        if (collectors.size) ctx.stdout.write(render());
        return;
      }
      const tty = Boolean(ctx.stdout.isTTY);
      for (;;) {
        await new Promise((r) => setTimeout(r, 500));
        if (eventError !== undefined) throw eventError;
        const text = render();
        // On a terminal the table is redrawn in place: home, each line cleared to its end, the rest below erased.
        ctx.stdout.write(tty ? `\x1b[H${text.split('\n').map((l) => `${l}\x1b[K`).join('\n')}\x1b[J` : text);
        if (collectors.size === 0 && !showAll) return;
      }
    } finally {
      events.abort();
      for (const c of collectors.values()) c.stop();
    }
  },
};

async function followEvents(body: NodeJS.ReadableStream, on: (e: EventMessage) => void): Promise<void> {
  let pending = '';
  for await (const chunk of body) {
    pending += String(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (line) on(JSON.parse(line) as EventMessage);
    }
  }
}
