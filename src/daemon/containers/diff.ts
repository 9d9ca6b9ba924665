// docker diff (moby daemon/changes.go): the container's changes from its RW layer, read without
// mounting it (overlay2's upper dir against its lower layers; vfs's copy against its parent's).
import { naiveChanges, overlayChanges, type Change } from '../../archive/index.ts';
import type { ContainerContext } from './context.ts';

type Ctx = Pick<ContainerContext, 'store' | 'layers'>;

export async function containerChanges(ctx: Ctx, ref: string): Promise<Change[]> {
  const c = ctx.store.get(ref);
  const src = await ctx.layers.rwDiffSource(c.rec.ID);
  return src.kind === 'overlay' ? overlayChanges(src.upper, src.lowers) : naiveChanges(src.dir, src.parentDir);
}
