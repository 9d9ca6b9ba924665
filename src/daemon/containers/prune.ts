// docker container prune (moby daemon/prune.go): every stopped container the filter keeps is
// removed; one that fails is logged and skipped.
import type { Container } from './container.ts';
import type { ContainerContext } from './context.ts';
import { removeLocked } from './delete.ts';

type Ctx = Pick<ContainerContext, 'store' | 'execs' | 'locks' | 'runtime' | 'defaultRuntime' | 'layers' | 'events' | 'dataRoot' | 'execRoot' | 'log' | 'volumes'>;

export async function pruneContainers(ctx: Ctx, keep: (c: Container) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
  const deleted: string[] = [];
  let space = 0;
  for (const c of ctx.store.all()) {
    if (c.state.running || c.state.paused || c.state.restarting || !keep(c)) continue;
    const size = await ctx.layers.rwSize(c.rec.ID).catch(() => 0);
    try {
      await ctx.locks.run(c.rec.ID, () => removeLocked(ctx, c));
      deleted.push(c.rec.ID);
      space += size;
    } catch (err) {
      ctx.log.warn('prune: remove failed', { id: c.rec.ID, err: String(err) });
    }
  }
  ctx.events.publish({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(space) } } });
  return { ContainersDeleted: deleted, SpaceReclaimed: space };
}
