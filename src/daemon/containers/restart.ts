// docker restart (moby daemon/restart.go): stop as `docker stop` does, then start under the
// lock, so a restart policy does not bring it back in between.
import { cancelRestart } from './container.ts';
import { publish, type ContainerContext } from './context.ts';
import { containerStart, type StartContext } from './start.ts';
import { stopRunning, type StopOptions } from './stop.ts';

export async function restartContainer(ctx: StartContext & Pick<ContainerContext, 'store' | 'locks'>, ref: string, opts: StopOptions): Promise<void> {
  const c = ctx.store.get(ref);
  cancelRestart(c);
  c.rec.HasBeenManuallyStopped = true;
  await stopRunning(ctx, c, opts);
  await ctx.locks.run(c.rec.ID, async () => {
    c.rec.HasBeenManuallyStopped = false;
    if (!c.state.running) await containerStart(ctx, c);
    publish(ctx, c, 'restart');
  });
}
