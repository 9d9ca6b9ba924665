// docker pause / unpause (moby daemon/pause.go, unpause.go): the runtime freezes or thaws the
// container's cgroup; the state follows once it did.
import { conflict } from '../../common/index.ts';
import { runtimeOf } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { updateHealth } from './health-monitor.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'runtime' | 'defaultRuntime' | 'events' | 'dataRoot' | 'execRoot' | 'log'>;

export async function pauseContainer(ctx: Ctx, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.locks.run(c.rec.ID, async () => {
    if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
    if (c.state.paused) throw conflict(`Container ${c.rec.ID} is already paused`);
    if (c.state.restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
    await ctx.runtime.pause(c.rec.ID, runtimeOf(c, ctx.defaultRuntime));
    c.state.setPaused();
    updateHealth(ctx, c);
    await save(ctx, c);
    publish(ctx, c, 'pause');
  });
}

export async function unpauseContainer(ctx: Ctx, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.locks.run(c.rec.ID, async () => {
    if (!c.state.paused) throw conflict(`Container ${c.rec.ID} is not paused`);
    await ctx.runtime.resume(c.rec.ID, runtimeOf(c, ctx.defaultRuntime));
    c.state.setUnpaused();
    updateHealth(ctx, c);
    await save(ctx, c);
    publish(ctx, c, 'unpause');
  });
}
