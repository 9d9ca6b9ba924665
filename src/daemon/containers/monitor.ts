// A started container's exit (moby daemon/monitor.go): wait for the shim to report it, tear
// down what the start set up, record the exit, then let the restart policy decide between a
// restart after its backoff, an auto-remove, or nothing.
import { rm } from 'node:fs/promises';
import type { ShimExit } from '../../runtime/index.ts';
import { pathsOf, runtimeOf, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { publishNetwork } from './endpoints.ts';
import { containerStart } from './start.ts';
import { removeLocked } from './delete.ts';
import { waitForExit } from './exit-watch.ts';
import { rootfsInUse } from './rootfs-use.ts';
import { unmountVolumes } from './mount-points.ts';
import { stopHealth } from './health-monitor.ts';

/** Waits for the running init process to end, then records the exit. */
export async function watchExit(ctx: ContainerContext, c: Container): Promise<void> {
  const exit = await waitForExit(ctx.runtime, pathsOf(ctx, c.rec.ID).stateDir, c.hub);
  await ctx.locks.run(c.rec.ID, () => handleExit(ctx, c, exit));
}

/** Records an exit; call it under the container's lock. */
async function handleExit(ctx: ContainerContext, c: Container, exit: ShimExit): Promise<void> {
  const runtime = runtimeOf(c, ctx.defaultRuntime);
  stopHealth(c);
  const oom = exit.exitCode === 137 && (await ctx.oomKilled(`${ctx.cgroupParent}/${c.rec.ID}`));
  await ctx.runtime.delete(c.rec.ID, runtime).catch((err) => ctx.log.warn('runtime delete failed', { id: c.rec.ID, err: String(err) }));
  // A daemon-side use (export, cp) unmounts it when it is done.
  if (!rootfsInUse(ctx, c.rec.ID)) await ctx.layers.unmountRW(c.rec.ID).catch((err) => ctx.log.warn('unmount failed', { id: c.rec.ID, err: String(err) }));
  const startedMs = Date.parse(c.state.fields.StartedAt);
  // dockerd's order: oom, die (exitCode, execDuration in whole seconds), then the network and volume teardown events.
  if (oom) publish(ctx, c, 'oom');
  publish(ctx, c, 'die', { exitCode: String(exit.exitCode), execDuration: execDurationSeconds(startedMs, exit.exitedAt) });
  publishNetwork(ctx, c, 'disconnect');
  await ctx.networking.detach(c.rec).catch((err) => ctx.log.warn('network teardown failed', { id: c.rec.ID, err: String(err) }));
  await unmountVolumes(ctx, c);
  await rm(pathsOf(ctx, c.rec.ID).stateDir, { recursive: true, force: true });
  c.hub.finish();
  // Execs die with their container.
  for (const execId of c.execIds) {
    const e = ctx.execs.find(execId);
    if (e?.running) e.hub.finish();
  }

  // Decided before the waiters wake: a stop in progress (c.stopping) forbids a restart.
  const decision = ctx.lifecycle.shuttingDown || c.stopping
    ? { restart: false, delayMs: 0 }
    : c.restart.shouldRestart(exit.exitCode, c.rec.HasBeenManuallyStopped, Date.now() - startedMs);
  const status = { exitCode: exit.exitCode, exitedAt: exit.exitedAt, oomKilled: oom };
  if (decision.restart) {
    c.state.setRestarting(status);
    await save(ctx, c);
    c.restartTimer = setTimeout(() => void restartAfterBackoff(ctx, c), decision.delayMs);
    return;
  }
  c.state.setStopped(status);
  await save(ctx, c);
  if (c.hostConfig.AutoRemove) {
    // --rm takes the anonymous volumes with it, as Docker's auto-remove does.
    await removeLocked(ctx, c, true).catch((err) => ctx.log.warn('auto-remove failed', { id: c.rec.ID, err: String(err) }));
  }
}

async function restartAfterBackoff(ctx: ContainerContext, c: Container): Promise<void> {
  c.restartTimer = undefined;
  if (!ctx.store.has(c) || ctx.lifecycle.shuttingDown) return;
  await ctx.locks.run(c.rec.ID, async () => {
    if (!c.state.restarting) return;
    c.rec.RestartCount = c.restart.restartCount;
    try {
      await containerStart(ctx, c);
      publish(ctx, c, 'restart');
    } catch (err) {
      ctx.log.warn('restart failed', { id: c.rec.ID, err: String(err) });
      c.state.setRestartCanceled();
      await save(ctx, c);
    }
  }).catch((err) => ctx.log.warn('restart failed', { id: c.rec.ID, err: String(err) }));
}

/** moby's execDuration: exit time minus start time, in whole seconds. */
export function execDurationSeconds(startedMs: number, exitedAt: string): string {
  const exitedMs = Date.parse(exitedAt);
  const ms = (Number.isNaN(exitedMs) ? Date.now() : exitedMs) - startedMs;
  return String(Number.isNaN(ms) ? 0 : Math.max(0, Math.trunc(ms / 1000)));
}
