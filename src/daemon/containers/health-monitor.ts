// Healthchecks, the running part (moby daemon/health.go monitor, initHealthMonitor,
// updateHealthMonitor, stopHealthchecks). The container's own shim runs each probe on request
// (native/shim/berth-shim-health.c: no process is spawned by the daemon, which is what keeps 100
// containers probing every second cheap, see docs/health.md); here are the schedule, the exec
// events dockerd emits for each probe, the state machine (health.ts) and its persistence.
import { newId } from '../../common/index.ts';
import type { ShimHealth, ShimProbeResult } from '../../runtime/index.ts';
import { pathsOf, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { buildExecProcess } from './spec-inputs.ts';
import {
  applyProbeResult, execDieCode, healthTimings, logEntryOf, nextProbeDelayNs, probeAction, probeCommand, sinceNs, startingHealth,
  type HealthConfig, type HealthState, type HealthTimings,
} from './health.ts';

type Ctx = Pick<ContainerContext, 'runtime' | 'events' | 'locks' | 'store' | 'dataRoot' | 'execRoot' | 'log'>;

const NS_PER_MS = 1_000_000;
/** Wait before asking a shim that did not answer again. */
const RECONNECT_MS = 1000;
/** Beyond the probe's timeout, how long the shim may take to start and report it (its own start guard is 30 s). */
const ANSWER_SLACK_MS = 40_000;

const monitors = new WeakMap<Container, HealthMonitor>();

/** The probe's command for a container, or undefined when it has no healthcheck to run. */
export function containerProbe(c: Container): string[] | undefined {
  return probeCommand(c.rec.Config.Healthcheck as HealthConfig | undefined, c.rec.Config.Shell);
}

/**
 * A (re)started container (moby initHealthMonitor): health back to starting, the probe's
 * process written where the shim reads it. Call it under the container's lock, after the
 * runtime started it; the caller saves the record, publishes `start`, then calls updateHealth
 * (so no probe event comes before the start event).
 */
export async function initHealth(ctx: Ctx & Parameters<typeof buildExecProcess>[3], c: Container): Promise<void> {
  const cmd = containerProbe(c);
  if (!cmd) return;
  stopMonitor(c);
  c.rec.State.Health = startingHealth(c.rec.State.Health as HealthState | undefined);
  try {
    // Docker's probe exec: the container's user, working dir and environment, no tty, not privileged.
    const process = await buildExecProcess(c.rec, c.hostConfig, { Cmd: cmd, Tty: false, Privileged: false }, ctx);
    await ctx.runtime.writeHealthProcess(pathsOf(ctx, c.rec.ID).stateDir, process);
  } catch (err) {
    ctx.log.warn('cannot prepare the health check', { id: c.rec.ID, err: String(err) });
  }
}

/**
 * Probing runs while the container runs and is not paused (moby updateHealthMonitor). Stopping
 * it sets the status to unhealthy without an event, as dockerd does "for compatibility".
 */
export function updateHealth(ctx: Ctx, c: Container): void {
  const health = c.rec.State.Health as HealthState | undefined;
  if (!health) return;
  const cmd = containerProbe(c);
  const want = c.state.running && !c.state.paused && !c.state.restarting && cmd !== undefined;
  if (want) {
    if (!monitors.has(c)) {
      const m = new HealthMonitor(ctx, c, cmd, healthTimings(c.rec.Config.Healthcheck as HealthConfig));
      monitors.set(c, m);
      m.start();
    }
  } else if (stopMonitor(c)) {
    health.Status = 'unhealthy';
  }
}

/** Stops the probes; true when they were running. */
function stopMonitor(c: Container): boolean {
  const m = monitors.get(c);
  if (!m) return false;
  monitors.delete(c);
  m.stop();
  return true;
}

class HealthMonitor {
  readonly #ctx: Ctx;
  readonly #c: Container;
  readonly #action: string;
  readonly #t: HealthTimings;
  #conn: ShimHealth | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;
  #seq = 0;
  #inflight: { seq: number; execId: string } | undefined;

  constructor(ctx: Ctx, c: Container, cmd: string[], t: HealthTimings) {
    this.#ctx = ctx;
    this.#c = c;
    this.#action = probeAction(cmd);
    this.#t = t;
  }

  start(): void {
    this.#schedule(this.#delayNs() / NS_PER_MS);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#clearWatchdog();
    this.#inflight = undefined;
    this.#conn?.close();
    this.#conn = undefined;
  }

  #clearWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  #delayNs(): number {
    const h = this.#c.rec.State.Health as HealthState;
    return nextProbeDelayNs(this.#t, sinceNs(this.#c.rec.State.StartedAt), h.Status);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#fire(), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    this.#timer.unref?.();
  }

  async #fire(): Promise<void> {
    this.#timer = undefined;
    if (this.#stopped) return;
    if (!this.#conn) {
      try {
        const conn = await this.#ctx.runtime.connectHealth(pathsOf(this.#ctx, this.#c.rec.ID).stateDir);
        if (this.#stopped) {
          conn.close();
          return;
        }
        conn.on('result', (r: ShimProbeResult) => this.#onResult(r));
        conn.once('close', () => this.#onClose(conn));
        this.#conn = conn;
      } catch (err) {
        this.#ctx.log.debug('health socket unavailable', { id: this.#c.rec.ID, err: String(err) });
        this.#schedule(RECONNECT_MS);
        return;
      }
    }
    const execId = newId();
    this.#inflight = { seq: ++this.#seq, execId };
    publish(this.#ctx, this.#c, `exec_create: ${this.#action}`, { execID: execId });
    publish(this.#ctx, this.#c, `exec_start: ${this.#action}`, { execID: execId });
    this.#conn.run(this.#seq, this.#t.timeoutNs / NS_PER_MS);
    // A shim that never answers (hung, or the answer lost) must not stop the probing.
    const conn = this.#conn;
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      if (this.#stopped || this.#inflight?.execId !== execId) return;
      this.#ctx.log.warn('no answer from the health check', { id: this.#c.rec.ID });
      conn.close();
    }, Math.min(this.#t.timeoutNs / NS_PER_MS + ANSWER_SLACK_MS, 2 ** 31 - 1));
    this.#watchdog.unref?.();
  }

  #onClose(conn: ShimHealth): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    // The shim went away (its container is ending: the exit stops this monitor) or dropped us.
    if (this.#inflight && !this.#stopped) {
      this.#inflight = undefined;
      this.#clearWatchdog();
      this.#schedule(RECONNECT_MS);
    }
  }

  #onResult(r: ShimProbeResult): void {
    const inflight = this.#inflight;
    if (this.#stopped || !inflight || r.seq !== inflight.seq) return;
    this.#inflight = undefined;
    this.#clearWatchdog();
    const c = this.#c;
    if (r.error === undefined) publish(this.#ctx, c, 'exec_die', { execID: inflight.execId, exitCode: execDieCode(r) });
    const h = c.rec.State.Health as HealthState;
    const changed = applyProbeResult(h, logEntryOf(r, this.#t.timeoutNs), this.#t, c.rec.State.StartedAt);
    if (changed) {
      publish(this.#ctx, c, `health_status: ${h.Status}`);
      // Persisted on each change of status (dockerd keeps probe results in memory until its next
      // checkpoint); under the lock, so it never overtakes a verb's save.
      void this.#ctx.locks.run(c.rec.ID, async () => {
        if (this.#ctx.store.has(c)) await save(this.#ctx, c);
      }).catch((err) => this.#ctx.log.warn('saving health failed', { id: c.rec.ID, err: String(err) }));
    }
    this.#schedule(this.#delayNs() / NS_PER_MS);
  }
}

/**
 * The container's process ended (moby stopHealthchecks): no more probes, and unhealthy.
 * `whileDown`: it ended while no daemon probed it (found dead at daemon start), and is
 * unhealthy as if the daemon had seen it stop.
 */
export function stopHealth(c: Container, whileDown = false): void {
  const health = c.rec.State.Health as HealthState | undefined;
  if ((stopMonitor(c) || whileDown) && health) health.Status = 'unhealthy';
}
