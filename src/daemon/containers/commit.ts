// docker commit, the container side (moby daemon/commit.go CreateImageFromContainer): checks,
// pauses a running container (pause=true) for the time it takes, turns its RW layer into a layer
// tar (overlay2: the upper dir with whiteouts back as `.wh.` entries and opaque dirs as
// `.wh..wh..opq`; vfs: the changes against the parent), and hands it to the image box.
import type { Readable } from 'node:stream';
import { conflict, systemError } from '../../common/index.ts';
import { naiveChanges, tarChanges, tarTree } from '../../archive/index.ts';
import type { ImageRuntimeConfig } from '../../image/index.ts';
import { publish, type ContainerContext } from './context.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'layers' | 'images' | 'runtime' | 'defaultRuntime' | 'events' | 'dataRoot' | 'execRoot' | 'log'>;

export interface CommitRequest {
  /** The request body's config, if any. */
  config?: ImageRuntimeConfig;
  changes: string[];
  author: string;
  comment: string;
  pause: boolean;
  repo?: string;
  tag?: string;
}

/** The container's changes as a layer tar. */
async function layerTar(ctx: Ctx, id: string): Promise<Readable> {
  const src = await ctx.layers.rwDiffSource(id);
  if (src.kind === 'overlay') return tarTree(src.upper, '/', { name: '', overlayWhiteouts: true }).stream;
  return tarChanges(src.dir, await naiveChanges(src.dir, src.parentDir));
}

export async function commitContainer(ctx: Ctx, ref: string, req: CommitRequest): Promise<string> {
  const c = ctx.store.get(ref);
  if (c.rec.State.Dead) throw conflict(`You cannot commit container ${c.rec.ID} which is Dead`);
  if (c.state.removing) throw conflict(`You cannot commit container ${c.rec.ID} which is being removed`);
  if (!ctx.images.prepareCommit) throw systemError('committing images is not available');
  // A plain copy of the stored config (moby's container.Config), typed as an image config.
  const containerConfig: ImageRuntimeConfig = JSON.parse(JSON.stringify(c.rec.Config));
  const commit = ctx.images.prepareCommit({
    containerConfig, config: req.config, changes: req.changes, author: req.author, comment: req.comment,
    containerId: c.rec.ID, parentImageId: c.rec.Image, repo: req.repo, tag: req.tag,
  });
  // moby ignores a pause that fails (a container stopping meanwhile): the commit goes on.
  let paused = false;
  if (req.pause && c.state.running && !c.state.paused) {
    paused = await pauseContainer(ctx, c.rec.ID).then(() => true, (err) => {
      ctx.log.warn('pause before commit failed', { id: c.rec.ID, err: String(err) });
      return false;
    });
  }
  try {
    const result = await commit(await layerTar(ctx, c.rec.ID));
    // dockerd: pause, (image tag), commit, unpause.
    publish(ctx, c, 'commit', { comment: req.comment, imageID: result.id, imageRef: result.ref });
    return result.id;
  } finally {
    if (paused && c.state.paused) await unpauseContainer(ctx, c.rec.ID).catch((err) => ctx.log.warn('unpause after commit failed', { id: c.rec.ID, err: String(err) }));
  }
}
