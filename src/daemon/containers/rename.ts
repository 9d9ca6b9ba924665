// docker rename (moby daemon/rename.go): the new name reserved first, the record saved, then
// the old name freed; a failed save gives the old name back.
import { invalidParameter } from '../../common/index.ts';
import { canonicalName, validateContainerName } from './names.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { renameLinks } from './links.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'events' | 'dataRoot'>;

export async function renameContainer(ctx: Ctx, ref: string, newName: string): Promise<void> {
  const c = ctx.store.get(ref);
  if (!newName) throw invalidParameter('Neither old nor new names may be empty');
  validateContainerName(newName);
  if (canonicalName(newName) === c.rec.Name) throw invalidParameter(`Renaming a container with the same name as its current name`);
  await ctx.locks.run(c.rec.ID, async () => {
    const old = c.rec.Name;
    const oldLinks = (c.rec.Links ?? []).map((l) => ({ ...l }));
    const full = ctx.store.reserveName(newName, c.rec.ID);
    let releaseOldLinks: () => void;
    try {
      releaseOldLinks = renameLinks(ctx.store, c.rec, full);
    } catch (err) {
      ctx.store.releaseName(full);
      throw err;
    }
    c.rec.Name = full;
    try {
      await save(ctx, c);
    } catch (err) {
      c.rec.Name = old;
      for (const l of c.rec.Links ?? []) ctx.store.releaseName(l.Name);
      if (c.rec.Links) c.rec.Links = oldLinks;
      ctx.store.releaseName(full);
      throw err;
    }
    ctx.store.releaseName(old);
    releaseOldLinks();
    publish(ctx, c, 'rename', { oldName: old });
  });
}
