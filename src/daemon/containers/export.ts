// docker export (moby daemon/export.go): the container's root filesystem as a tar, streamed, for
// a running or a stopped container. Only the container's own filesystem: the walk stays on the
// root's filesystem, so nothing mounted below it on the host (a volume, a bind) is read.
import type { Readable } from 'node:stream';
import { finished } from 'node:stream';
import { conflict } from '../../common/index.ts';
import { tarTree } from '../../archive/index.ts';
import { publish, type ContainerContext } from './context.ts';
import { acquireRootfs } from './rootfs-use.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'layers' | 'log' | 'events'>;

/** Checks the container (404/409 before any byte), then returns the archive; the export event follows its end. */
export async function exportContainer(ctx: Ctx, ref: string): Promise<Readable> {
  const c = ctx.store.get(ref);
  if (c.rec.State.Dead) throw conflict(`You cannot export container ${c.rec.ID} which is Dead`);
  if (c.state.removing) throw conflict(`You cannot export container ${c.rec.ID} which is being removed`);
  const { rootfs, release } = await acquireRootfs(ctx, c);
  let stream: Readable;
  try {
    stream = tarTree(rootfs, '/', { name: '', oneFileSystem: true }).stream;
  } catch (err) {
    await release();
    throw err;
  }
  let ended = false;
  stream.once('end', () => {
    ended = true;
  });
  finished(stream, () => {
    void release().then(() => {
      if (ended) publish(ctx, c, 'export');
    });
  });
  return stream;
}
