// The daemon's own use of a container's root filesystem (export, `docker cp`, commit): the RW
// layer is mounted for the time of the use if it was not (a created or stopped container) and
// unmounted after, unless the container runs by then or another use still holds it; the exit of
// a container leaves it mounted while a use holds it (moby's refcounted daemon.Mount/Unmount).
import type { ContainerContext } from './context.ts';
import type { Container } from './container.ts';

type Ctx = Pick<ContainerContext, 'locks' | 'layers' | 'log'>;

const users = new WeakMap<object, Map<string, number>>();

function countsOf(ctx: Ctx): Map<string, number> {
  const key = ctx.layers;
  let m = users.get(key);
  if (!m) users.set(key, (m = new Map()));
  return m;
}

/** Whether a daemon-side use holds the container's root filesystem (its exit must not unmount it). */
export function rootfsInUse(ctx: Ctx, id: string): boolean {
  return (countsOf(ctx).get(id) ?? 0) > 0;
}

/**
 * acquireRootfs for a caller that already holds the container's lock (cp holds it for its whole
 * operation, as moby does); the returned release must be called under that lock too.
 */
export async function acquireRootfsLocked(ctx: Ctx, c: Container): Promise<{ rootfs: string; releaseLocked: () => Promise<void> }> {
  const id = c.rec.ID;
  const counts = countsOf(ctx);
  const rootfs = await ctx.layers.mountRW(id);
  counts.set(id, (counts.get(id) ?? 0) + 1);
  let released = false;
  const releaseLocked = async () => {
    if (released) return;
    released = true;
    const n = (counts.get(id) ?? 1) - 1;
    if (n > 0) {
      counts.set(id, n);
      return;
    }
    counts.delete(id);
    if (c.state.running || c.state.removed) return;
    await ctx.layers.unmountRW(id).catch((err) => ctx.log.warn('unmount failed', { id, err: String(err) }));
  };
  return { rootfs, releaseLocked };
}

/** Mounts (if needed) and holds the root filesystem; call the returned release once when done. */
export async function acquireRootfs(ctx: Ctx, c: Container): Promise<{ rootfs: string; release: () => Promise<void> }> {
  const id = c.rec.ID;
  const { rootfs, releaseLocked } = await ctx.locks.run(id, () => acquireRootfsLocked(ctx, c));
  return { rootfs, release: () => ctx.locks.run(id, releaseLocked) };
}
