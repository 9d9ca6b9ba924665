// The running container's processes, for `docker top`, and its TTY size (moby daemon/top_unix.go,
// resize.go).
import { conflict } from '../../common/index.ts';
import { runtimeOf } from './container.ts';
import type { ContainerContext } from './context.ts';

export async function containerPids(ctx: Pick<ContainerContext, 'store' | 'runtime' | 'defaultRuntime'>, ref: string): Promise<number[]> {
  const c = ctx.store.get(ref);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  if (c.state.restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
  return ctx.runtime.ps(c.rec.ID, runtimeOf(c, ctx.defaultRuntime));
}

export function resizeContainer(ctx: Pick<ContainerContext, 'store'>, ref: string, rows: number, cols: number): void {
  const c = ctx.store.get(ref);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  c.hub.resize(rows, cols);
}
