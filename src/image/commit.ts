// `docker commit`, the image side (moby daemon/commit.go and daemon/images/image_commit.go):
// the config is the request's (or the container's) with the `changes` applied, then merged with
// the container's (merge()); the container's layer tar is registered on the parent image's top
// layer; the new config is the parent's (NewChildImage) with that layer appended, unless it is
// empty, and a history entry naming the container's command. The layer tar is also kept as a
// blob, so `save` and `push` of the new image need no re-export.
import { PassThrough, Readable } from 'node:stream';
import { formatRfc3339Nano, nowNs, notFound } from '../common/index.ts';
import { applyChanges } from './changes.ts';
import type { ImageContext } from './context.ts';
import type { HistoryEntry, ImageConfigFile, ImageRuntimeConfig } from './image-config.ts';
import { familiarString, repoTagReference, type NamedReference } from './reference.ts';
import { MEDIA_TYPE } from './types.ts';

/** The diff ID of a tar with no entries (two zero blocks): moby's layer.EmptyLayer. */
const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

export interface CommitOptions {
  /** The container's config (moby container.Config): the base of the merge, kept as container_config. */
  containerConfig: ImageRuntimeConfig;
  /** The request body's config, when one was sent; otherwise the container's is the start. */
  config?: ImageRuntimeConfig;
  /** Dockerfile instructions (`-c`), as import takes them. */
  changes: string[];
  author: string;
  comment: string;
  containerId: string;
  /** The container's image; its layers and history are the new image's base. */
  parentImageId: string;
  /** Tag the result `repo[:tag]` (the API's query), when repo is given. */
  repo?: string;
  tag?: string;
}

export interface CommitPlan {
  config: ImageRuntimeConfig;
  ref: NamedReference | undefined;
}

/** Everything that can be refused before any work: the changes and the reference (moby's order of errors). */
export function planCommit(opts: CommitOptions): CommitPlan {
  const config = applyChanges(opts.config ?? opts.containerConfig, opts.changes);
  mergeContainerConfig(config, opts.containerConfig);
  return { config, ref: opts.repo ? repoTagReference(opts.repo, opts.tag) : undefined };
}

/** moby daemon/commit.go merge(): fills what the user config leaves out from the container's. */
function mergeContainerConfig(user: ImageRuntimeConfig, base: ImageRuntimeConfig): void {
  if (!user.User) user.User = base.User ?? '';
  if (!user.ExposedPorts || Object.keys(user.ExposedPorts).length === 0) user.ExposedPorts = base.ExposedPorts ?? null;
  else if (base.ExposedPorts) for (const p of Object.keys(base.ExposedPorts)) user.ExposedPorts[p] ??= {};
  if (!user.Env || user.Env.length === 0) user.Env = base.Env ?? null;
  else {
    const keyOf = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);
    const have = new Set(user.Env.map(keyOf));
    for (const e of base.Env ?? []) if (!have.has(keyOf(e))) user.Env.push(e);
  }
  user.Labels = { ...(base.Labels ?? {}), ...(user.Labels ?? {}) };
  if (!user.Entrypoint || user.Entrypoint.length === 0) {
    if (!user.Cmd || user.Cmd.length === 0) user.Cmd = base.Cmd ?? null;
    if (user.Entrypoint === undefined || user.Entrypoint === null) user.Entrypoint = base.Entrypoint ?? null;
  }
  const bh = base.Healthcheck;
  if (bh) {
    if (!user.Healthcheck) user.Healthcheck = bh;
    else {
      const h = user.Healthcheck;
      if ((!h.Test || h.Test.length === 0) && bh.Test) h.Test = bh.Test;
      for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
        if (!h[k] && bh[k] !== undefined) h[k] = bh[k];
      }
    }
  }
  if (!user.WorkingDir) user.WorkingDir = base.WorkingDir ?? '';
  if (!user.Volumes || Object.keys(user.Volumes).length === 0) user.Volumes = base.Volumes ?? null;
  else Object.assign(user.Volumes, base.Volumes ?? {});
  if (!user.StopSignal) user.StopSignal = base.StopSignal ?? '';
}

/** Two readers of one stream, each read at the pace of the slower (stream.pipe's backpressure). */
function tee(src: AsyncIterable<Uint8Array>): [PassThrough, PassThrough] {
  const r = src instanceof Readable ? src : Readable.from(src);
  const a = new PassThrough();
  const b = new PassThrough();
  const fail = (err: Error) => {
    r.destroy(err);
    a.destroy(err);
    b.destroy(err);
  };
  r.on('error', fail);
  a.on('error', fail);
  b.on('error', fail);
  r.pipe(a);
  r.pipe(b);
  return [a, b];
}

/**
 * Registers `layerTar` (the container's changes as a layer tar) on the parent image and stores
 * the new image; `lock` runs the store's metadata changes. Returns the image ID and the
 * familiar name it was tagged with ('' when not tagged).
 */
export async function commitImage(
  layerTar: AsyncIterable<Uint8Array>,
  opts: CommitOptions,
  plan: CommitPlan,
  ctx: ImageContext,
  lock: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<{ id: string; ref: string }> {
  const parent = ctx.store.byId(opts.parentImageId);
  if (!parent) throw notFound(`No such image: ${opts.parentImageId}`);
  const parentChain = parent.chainIds.at(-1) ?? null;

  const [toLayer, toBlob] = tee(layerTar);
  const [layer, blobDigest] = await Promise.all([
    ctx.layers.register(toLayer, parentChain),
    ctx.content.writeBlob(toBlob),
  ]).catch(async (err) => {
    toLayer.destroy();
    toBlob.destroy();
    throw err;
  });
  const empty = layer.diffId === EMPTY_LAYER_DIFF_ID;

  const created = formatRfc3339Nano(nowNs());
  const history: HistoryEntry = {
    created,
    ...(opts.author ? { author: opts.author } : {}),
    created_by: (opts.containerConfig.Cmd ?? []).join(' '),
    ...(opts.comment ? { comment: opts.comment } : {}),
    ...(empty ? { empty_layer: true } : {}),
  };
  const base: ImageConfigFile = parent.config;
  const image: ImageConfigFile = {
    ...(opts.comment ? { comment: opts.comment } : {}),
    created,
    container: opts.containerId,
    container_config: opts.containerConfig,
    ...(opts.author ? { author: opts.author } : {}),
    config: plan.config,
    ...(base.architecture ? { architecture: base.architecture } : {}),
    ...(base.variant ? { variant: base.variant } : {}),
    os: base.os || 'linux',
    rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...(empty ? [] : [layer.diffId])] },
    history: [...(base.history ?? []), history],
    ...(base['os.version'] ? { 'os.version': base['os.version'] } : {}),
    ...(base['os.features'] ? { 'os.features': base['os.features'] } : {}),
  };
  const raw = new TextEncoder().encode(JSON.stringify(image));

  return lock(async () => {
    const dropUnused = async () => {
      if (!ctx.store.list().some((i) => i.chainIds.includes(layer.chainId))) await Promise.resolve(ctx.layers.delete(layer.chainId)).catch(() => {});
      if ((await ctx.blobs.diffIdOf(blobDigest)) === undefined) await ctx.content.delete(blobDigest).catch(() => {});
    };
    let img;
    try {
      img = await ctx.store.create(raw);
      await ctx.store.setParent(img.id, parent.id);
    } catch (err) {
      await dropUnused();
      throw err;
    }
    if (empty) {
      // moby releases the empty layer: the image does not list it.
      await dropUnused();
    } else {
      const known = await ctx.blobs.get(layer.diffId);
      if (!known || !(await ctx.content.has(known.digest))) await ctx.blobs.set(layer.diffId, { digest: blobDigest, mediaType: MEDIA_TYPE.ociLayer, size: await ctx.content.size(blobDigest) });
      else if (known.digest !== blobDigest) await ctx.content.delete(blobDigest).catch(() => {});
    }
    let name = '';
    if (plan.ref) {
      await ctx.store.refs.addTag(plan.ref, img.id, true);
      await ctx.store.setLastUpdated(img.id);
      name = familiarString(plan.ref);
      ctx.emit({ Action: 'tag', id: img.id, name });
    }
    return { id: img.id, ref: name };
  });
}
