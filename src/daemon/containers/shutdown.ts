// Daemon shutdown (moby daemon.Shutdown): no more restarts; without live-restore every running
// container is stopped, each within the daemon's shutdown timeout.
import type { ContainerContext } from './context.ts';
import { DEFAULT_STOP_TIMEOUT, stopRunning } from './stop.ts';

export async function shutdownContainers(ctx: Pick<ContainerContext, 'store' | 'lifecycle' | 'runtime' | 'defaultRuntime' | 'events' | 'log'>, liveRestore: boolean, timeoutSeconds: number): Promise<void> {
  ctx.lifecycle.shuttingDown = true;
  for (const c of ctx.store.all()) if (c.restartTimer) clearTimeout(c.restartTimer);
  if (liveRestore) return;
  await Promise.all(
    ctx.store.all().filter((c) => c.state.running).map((c) =>
      stopRunning(ctx, c, { timeout: Math.min(c.rec.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT, timeoutSeconds) }).catch((err) =>
        ctx.log.warn('stop at shutdown failed', { id: c.rec.ID, err: String(err) }))),
  );
}
