// Daemon start-up reconciliation (moby daemon/daemon.go restore): load every record, re-adopt
// containers whose shim is alive (live-restore) or kill them (without it), record exits that
// happened while the daemon was down, finish interrupted removals, remove half-made
// containers, then let each container's restart policy decide whether it starts again.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatRfc3339Nano, nowNs } from '../../common/index.ts';
import { childrenFirst } from './links.ts';
import { loadRecord } from './record.ts';
import { newContainer, pathsOf, runtimeOf, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { execDurationSeconds } from './monitor.ts';
import { containerStart } from './start.ts';
import { removeLocked } from './delete.ts';
import { removeLeftoverProcess, waitShimGone } from './leftover-process.ts';
import { volumeNames } from './mount-points.ts';
import { clearStaging } from './subpath-staging.linux.ts';
import { stopHealth, updateHealth } from './health-monitor.ts';

export async function restoreContainers(ctx: ContainerContext, liveRestore: boolean): Promise<void> {
  const root = join(ctx.dataRoot, 'containers');
  await mkdir(root, { recursive: true });
  // Volume subpaths staged by a daemon that died while starting a container.
  clearStaging(join(ctx.execRoot, 'subpaths'));
  const toStart: Container[] = [];
  const keepMounted = new Set<string>();
  /** Volume name -> the running containers that have it mounted. */
  const mountedBy = new Map<string, string[]>();
  for (const id of await readdir(root)) {
    const loaded = await loadRecord(ctx.dataRoot, id).catch(() => undefined);
    if (!loaded) {
      ctx.log.warn('removing half-made container', { id });
      await ctx.layers.removeRW(id).catch(() => {});
      await rm(join(root, id), { recursive: true, force: true });
      continue;
    }
    const c = newContainer(loaded.rec, loaded.hostConfig);
    ctx.store.add(c);
    // The volume store keeps references in memory: every container's volumes are referenced again.
    for (const name of volumeNames(c)) ctx.volumes.ref(name, id);
    const s = c.state;
    const { stateDir } = pathsOf(ctx, id);
    if (s.removingOrDead) {
      // A removal that was interrupted: finish it.
      s.setDead();
      await removeLocked(ctx, c).catch(() => {});
      continue;
    }
    if (s.running || s.restarting) {
      if (s.running && (await ctx.runtime.isAlive(stateDir))) {
        if (liveRestore) {
          try {
            c.hub.connect(await ctx.runtime.attach(stateDir));
            keepMounted.add(id);
            for (const name of volumeNames(c)) mountedBy.set(name, [...(mountedBy.get(name) ?? []), id]);
            await ctx.networking.readopt(c.rec).catch((err) => ctx.log.warn('cannot re-adopt network endpoints', { id, err: String(err) }));
            ctx.watchExit(c);
            updateHealth(ctx, c);
            ctx.log.info('re-adopted running container', { id });
            continue;
          } catch (err) {
            ctx.log.warn('cannot re-attach to container', { id, err: String(err) });
          }
        }
        // Not live-restoring: the container is killed, then its restart policy decides.
        await ctx.runtime.kill(id, runtimeOf(c, ctx.defaultRuntime), 9, true).catch(() => {});
        await waitShimGone(ctx.runtime, stateDir);
      }
      const exit = (await ctx.runtime.readExit(stateDir)) ?? { exitCode: s.restarting ? s.exitCode : 255, signal: 0, exitedAt: formatRfc3339Nano(nowNs()) };
      await ctx.runtime.delete(id, runtimeOf(c, ctx.defaultRuntime)).catch(() => {});
      await ctx.networking.detach(c.rec).catch(() => {});
      const startedMs = Date.parse(s.fields.StartedAt);
      s.setStopped({ exitCode: exit.exitCode, exitedAt: exit.exitedAt });
      stopHealth(c, true);
      await rm(stateDir, { recursive: true, force: true });
      await save(ctx, c);
      publish(ctx, c, 'die', { exitCode: String(exit.exitCode), execDuration: execDurationSeconds(startedMs, exit.exitedAt) });
      if (shouldRestart(c, Date.parse(s.fields.FinishedAt) - startedMs)) {
        toStart.push(c);
      } else if (c.hostConfig.AutoRemove) {
        await removeLocked(ctx, c, true).catch(() => {});
      }
      continue;
    }
    // Not running: a shim and `runc init` left by a daemon that died while starting it go.
    if (await removeLeftoverProcess(ctx.runtime, id, runtimeOf(c, ctx.defaultRuntime), stateDir)) {
      ctx.log.info('removed the process left by an interrupted start', { id });
    }
    if (c.rec.HasBeenStartedBefore && s.status === 'exited' && shouldRestart(c, 0)) {
      // A container that had stopped on its own before the daemon went down (Docker restarts
      // `always` ones at daemon start unless they were stopped by hand).
      toStart.push(c);
    }
  }
  await ctx.layers.reconcile(keepMounted);
  // Volumes left mounted by a daemon that died stay mounted for the containers still running; the rest are unmounted.
  await ctx.volumes.reconcile(mountedBy).catch((err) => ctx.log.warn('volume reconcile failed', { err: String(err) }));
  for (const c of childrenFirst(toStart)) {
    await ctx.locks.run(c.rec.ID, () => containerStart(ctx, c)).catch((err) => ctx.log.warn('restart at boot failed', { id: c.rec.ID, err: String(err) }));
  }
}

/** The restart policy's decision for the container's last exit; its backoff does not apply at boot. */
function shouldRestart(c: Container, ranForMs: number): boolean {
  return c.restart.shouldRestart(c.state.exitCode, c.rec.HasBeenManuallyStopped, Number.isFinite(ranForMs) ? ranForMs : 0).restart;
}
