// Gives memory back after request bursts. V8 collects only when JavaScript allocates, so the
// garbage of a burst (hundreds of MB of response strings) stays in the heap while the daemon is
// idle, and glibc keeps the pages its arenas freed. Every few seconds this checks whether the
// event loop was idle and the RSS grew by more than a threshold; if so it runs one full
// collection and malloc_trim. At steady state it does nothing.
import { performance } from 'node:perf_hooks';

export interface TrimHooks {
  residentBytes(): number;
  /** The loop's busy fraction since the previous call (0..1). */
  busySinceLastCheck(): number;
  collectGarbage(): boolean;
  mallocTrim(): boolean;
  /** Once, with the trim after start-up: give back pages only start-up used (the executable's). Returns bytes advised. */
  releaseStartupPages?(): number;
}

export interface IdleTrimOptions {
  /** RSS growth since the last trim (or start) that is worth a trim. */
  growthBytes: number;
  /** Busy fraction of the event loop under which the daemon counts as idle. */
  idleBelow: number;
  /** Trim once at the first idle check after start: start-up leaves garbage (parsing, restore) behind. */
  trimAfterStart?: boolean;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

// 4 MB: a trim of an idle daemon (one full collection of a ~15 MB heap and malloc_trim) costs
// milliseconds, and growth of a few MB after a burst is most of what it holds (bench/idle-memory.ts).
export const DEFAULT_IDLE_TRIM: IdleTrimOptions = { growthBytes: 4 << 20, idleBelow: 0.05, trimAfterStart: true };

/**
 * The decision and the trim, one step (called from a timer; pure over its hooks, for tests).
 * It trims when the loop was idle, the RSS is `growthBytes` above the lowest size seen, and
 * the RSS moved by as much since the last trim: a trim that could not help (live data, or a
 * trim in the middle of a slow burst) is not repeated until the memory changes again.
 */
export class IdleTrim {
  private floor: number;
  private lastAfter: number;
  private startTrimPending: boolean;
  private readonly hooks: TrimHooks;
  private readonly opts: IdleTrimOptions;

  constructor(hooks: TrimHooks, opts: IdleTrimOptions = DEFAULT_IDLE_TRIM) {
    this.hooks = hooks;
    this.opts = opts;
    this.floor = hooks.residentBytes();
    this.lastAfter = this.floor;
    this.startTrimPending = opts.trimAfterStart === true;
  }

  /** Returns true when it trimmed. */
  check(): boolean {
    const busy = this.hooks.busySinceLastCheck();
    const rss = this.hooks.residentBytes();
    this.floor = Math.min(this.floor, rss);
    const grown = rss - this.floor >= this.opts.growthBytes;
    const moved = Math.abs(rss - this.lastAfter) >= this.opts.growthBytes;
    if (busy >= this.opts.idleBelow) return false;
    if (!this.startTrimPending && (!grown || !moved)) return false;
    const atStart = this.startTrimPending;
    this.startTrimPending = false;
    const gc = this.hooks.collectGarbage();
    const trimmed = this.hooks.mallocTrim();
    if (atStart) this.hooks.releaseStartupPages?.();
    const after = this.hooks.residentBytes();
    this.lastAfter = after;
    this.floor = Math.min(this.floor, after);
    this.opts.log?.('memory trimmed after a burst', { rssBefore: rss, rssAfter: after, gc, trimmed });
    return true;
  }
}

/** The loop's busy fraction between calls, from Node's event loop utilization. */
function loopBusyMeter(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/** Starts the periodic check; the timer never keeps the process alive. */
export function startIdleTrim(hooks: Omit<TrimHooks, 'busySinceLastCheck'>, opts: IdleTrimOptions = DEFAULT_IDLE_TRIM, everyMs = 2000): () => void {
  const t = new IdleTrim({ ...hooks, busySinceLastCheck: loopBusyMeter() }, opts);
  const timer = setInterval(() => {
    try {
      t.check();
    } catch {
      // a failed trim changes nothing the daemon relies on
    }
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
