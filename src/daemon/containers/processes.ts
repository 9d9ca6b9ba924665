// The running container's processes, for `docker top`, and its TTY size (moby daemon/top_unix.go,
// resize.go).
import { conflict } from '../../common/index.ts';
import { runtimeOf } from './container.ts';
import { publish, type ContainerContext } from './context.ts';

/** The container's PIDs for `top`; the top event is published as dockerd does, once ps is about to run. */
export async function containerPids(ctx: Pick<ContainerContext, 'store' | 'runtime' | 'defaultRuntime' | 'events'>, ref: string): Promise<number[]> {
  const c = ctx.store.get(ref);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  if (c.state.restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
  const pids = await ctx.runtime.ps(c.rec.ID, runtimeOf(c, ctx.defaultRuntime));
  publish(ctx, c, 'top');
  return pids;
}

export function resizeContainer(ctx: Pick<ContainerContext, 'store' | 'events'>, ref: string, rows: number, cols: number): void {
  const c = ctx.store.get(ref);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  c.hub.resize(rows, cols);
  publish(ctx, c, 'resize', { height: String(rows), width: String(cols) });
}
