// Healthchecks, the pure part (moby daemon/health.go): the probe's command, Docker's create-time
// checks of a HealthConfig, the state machine a probe result drives (streaks, retries, the start
// period), the 5-entry log, the output as dockerd stores it, and when the next probe runs.
// health-monitor.ts runs it against a container's shim.
import { invalidParameter, parseRfc3339Nano } from '../../common/index.ts';
import type { ShimProbeResult } from '../../runtime/index.ts';

/** A container's Config.Healthcheck (durations in ns, as the Engine API). */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number | null;
  Timeout?: number | null;
  StartPeriod?: number | null;
  StartInterval?: number | null;
  Retries?: number | null;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe in State.Health.Log (moby HealthcheckResult). */
export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health, persisted in config.v2.json with the rest of the state, as moby does. */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

const MS = 1_000_000;
const SECOND = 1000 * MS;
const HEALTH_DEFAULTS = {
  intervalNs: 30 * SECOND,
  timeoutNs: 30 * SECOND,
  startPeriodNs: 0,
  startIntervalNs: 5 * SECOND,
  retries: 3,
};
// The output is capped at 4096 bytes by the shim (HEALTH_OUTPUT_MAX), "..." marks a cut.
const MAX_LOG_ENTRIES = 5;
/** moby container.MinimumDuration (1ms), as its errors print it. */
const MINIMUM_DURATION_NS = MS;

/** The probe's command line, or undefined when there is none to run (no Test, NONE, unknown type). */
export function probeCommand(h: HealthConfig | null | undefined, shell: string[] | null | undefined): string[] | undefined {
  const test = h?.Test;
  if (!test || test.length === 0) return undefined;
  const args = test.slice(1);
  switch (test[0]) {
    case 'CMD':
      return args.length ? args : undefined;
    case 'CMD-SHELL':
      return [...(shell && shell.length ? shell : ['/bin/sh', '-c']), ...args];
    default:
      return undefined;
  }
}

/** The exec_create / exec_start action's text: dockerd's Entrypoint + " " + Args (so "true " for CMD true). */
export function probeAction(cmd: string[]): string {
  return `${cmd[0]} ${cmd.slice(1).join(' ')}`;
}

/** moby validateHealthCheck, word for word. */
export function validateHealthConfig(h: unknown): void {
  if (h === undefined || h === null || typeof h !== 'object') return;
  const c = h as Record<string, unknown>;
  const num = (k: string): number => (typeof c[k] === 'number' ? (c[k] as number) : 0);
  const below = (k: string) => num(k) !== 0 && num(k) < MINIMUM_DURATION_NS;
  if (below('Interval')) throw invalidParameter('Interval in Healthcheck cannot be less than 1ms');
  if (below('Timeout')) throw invalidParameter('Timeout in Healthcheck cannot be less than 1ms');
  if (num('Retries') < 0) throw invalidParameter('Retries in Healthcheck cannot be negative');
  if (below('StartPeriod')) throw invalidParameter('StartPeriod in Healthcheck cannot be less than 1ms');
  if (below('StartInterval')) throw invalidParameter('StartInterval in Healthcheck cannot be less than 1ms');
}

/** The image's healthcheck under the container's, field by field (moby daemon/commit.go merge). */
export function mergeHealthConfig(user: HealthConfig | null | undefined, image: HealthConfig | null | undefined): HealthConfig | undefined {
  if (!image) return user ?? undefined;
  if (!user) return { ...image };
  const out: HealthConfig = { ...user };
  if (!out.Test || out.Test.length === 0) out.Test = image.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!out[k] && image[k]) out[k] = image[k];
  }
  return out;
}

export interface HealthTimings {
  intervalNs: number;
  timeoutNs: number;
  startPeriodNs: number;
  startIntervalNs: number;
  retries: number;
}

/** The config's timings with Docker's defaults for zero (or absent) values. */
export function healthTimings(h: HealthConfig): HealthTimings {
  const d = (v: number | null | undefined, dflt: number) => (v && v > 0 ? v : dflt);
  return {
    intervalNs: d(h.Interval, HEALTH_DEFAULTS.intervalNs),
    timeoutNs: d(h.Timeout, HEALTH_DEFAULTS.timeoutNs),
    startPeriodNs: d(h.StartPeriod, HEALTH_DEFAULTS.startPeriodNs),
    startIntervalNs: d(h.StartInterval, HEALTH_DEFAULTS.startIntervalNs),
    retries: d(h.Retries, HEALTH_DEFAULTS.retries),
  };
}

/** A freshly (re)started container's health: starting, streak 0, the old log kept (moby initHealthMonitor). */
export function startingHealth(prev: HealthState | undefined): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: prev?.Log ?? [] };
}

/**
 * moby handleProbeResult: appends to the log (the last five kept), then a success is healthy
 * with no streak; a failure counts unless the container is starting and the probe began within
 * the start period, and `retries` counted failures make it unhealthy. Returns whether the
 * status changed (then dockerd emits health_status).
 */
export function applyProbeResult(h: HealthState, entry: HealthLogEntry, t: Pick<HealthTimings, 'retries' | 'startPeriodNs'>, startedAt: string): boolean {
  const old = h.Status;
  h.Log = [...h.Log, entry].slice(-MAX_LOG_ENTRIES);
  if (entry.ExitCode === 0) {
    h.FailingStreak = 0;
    h.Status = 'healthy';
  } else {
    let counts = true;
    if (h.Status === 'starting') {
      const since = elapsedNs(startedAt, entry.Start);
      if (since !== undefined && since < t.startPeriodNs) counts = false;
    }
    if (counts) {
      h.FailingStreak++;
      if (h.FailingStreak >= t.retries) h.Status = 'unhealthy';
    }
  }
  return h.Status !== old;
}

/**
 * The wait before the next probe (moby monitor's getInterval): the interval once the start
 * period is over; within it, what is left of it when that is shorter than the interval, else
 * the start interval while starting.
 */
export function nextProbeDelayNs(t: HealthTimings, sinceStartNs: number, status: HealthStatus): number {
  if (sinceStartNs >= t.startPeriodNs) return t.intervalNs;
  const remaining = t.startPeriodNs - sinceStartNs;
  if (remaining < t.intervalNs) return remaining;
  return status === 'starting' ? t.startIntervalNs : t.intervalNs;
}

/** What the shim reports of one probe run. */
export type ProbeOutcome = Omit<ShimProbeResult, 'seq'>;

/** The log entry dockerd records for an outcome (its exit code -1 and messages for a timeout and a failed start). */
export function logEntryOf(o: ProbeOutcome, timeoutNs: number): HealthLogEntry {
  if (o.error !== undefined) {
    const output = o.error.startsWith('timed out starting health check') ? o.error : `OCI runtime exec failed: ${o.error}: unknown`;
    return { Start: o.start, End: o.end, ExitCode: -1, Output: output };
  }
  const out = (o.output ?? '') + (o.truncated ? '...' : '');
  if (o.timedOut) {
    const msg = `Health check exceeded timeout (${formatGoDuration(timeoutNs)})`;
    return { Start: o.start, End: o.end, ExitCode: -1, Output: out ? `${msg}: ${out}` : msg };
  }
  return { Start: o.start, End: o.end, ExitCode: o.exitCode ?? -1, Output: out };
}

/**
 * exec_die's exitCode for a probe: dockerd forgets a probe exec it killed at its timeout
 * before the exit arrives, and then reports 127 (seen on a real dockerd).
 */
export function execDieCode(o: ProbeOutcome): string {
  return o.timedOut ? '127' : String(o.exitCode ?? -1);
}

function elapsedNs(from: string, to: string): number | undefined {
  const a = parseRfc3339Nano(from);
  const b = parseRfc3339Nano(to);
  return a === undefined || b === undefined ? undefined : Number(b - a);
}

/** ns between an RFC 3339 time and now (0 when it does not parse). */
export function sinceNs(from: string, nowMs: number = Date.now()): number {
  const a = parseRfc3339Nano(from);
  return a === undefined ? 0 : Math.max(0, nowMs * MS - Number(a));
}

/** Go's time.Duration.String ("500ms", "1.5s", "1m30s", "1h0m0s"). */
export function formatGoDuration(nsNumber: number): string {
  let ns = BigInt(Math.trunc(nsNumber));
  if (ns === 0n) return '0s';
  const sign = ns < 0n ? '-' : '';
  if (ns < 0n) ns = -ns;
  const frac = (v: bigint, unit: bigint, digits: number): string => {
    const whole = v / unit;
    const rem = v % unit;
    if (rem === 0n) return String(whole);
    return `${whole}.${rem.toString().padStart(digits, '0').replace(/0+$/, '')}`;
  };
  if (ns < 1000n) return `${sign}${ns}ns`;
  if (ns < 1_000_000n) return `${sign}${frac(ns, 1000n, 3)}µs`;
  if (ns < 1_000_000_000n) return `${sign}${frac(ns, 1_000_000n, 6)}ms`;
  const h = ns / 3_600_000_000_000n;
  const m = (ns % 3_600_000_000_000n) / 60_000_000_000n;
  const s = `${frac(ns % 60_000_000_000n, 1_000_000_000n, 9)}s`;
  if (h > 0n) return `${sign}${h}h${m}m${s}`;
  if (m > 0n) return `${sign}${m}m${s}`;
  return `${sign}${s}`;
}
