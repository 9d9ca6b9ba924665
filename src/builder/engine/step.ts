// What every step ends with (moby internals.go): probe the cache with the step's container
// config, and on a miss make the step's image from its layer (or none) and record it.
import { newId, shortId } from '../../common/index.ts';
import { SCRATCH, type StepLayer } from '../executor.ts';
import { childImage } from './history.ts';
import { cloneRunConfig, shellOf, type RunConfig } from './run-config.ts';
import type { StepContext } from './session.ts';
import type { CacheProbe } from './step-cache.ts';

/** probeCache: on a hit the stage moves to the cached image and " ---> Using cache" is printed. */
export async function probeCache(ctx: StepContext, probeConfig: RunConfig, extra?: Record<string, unknown>): Promise<{ hit: boolean; probe: CacheProbe }> {
  const { state, session } = ctx;
  const probe = session.cache.probeFor(state.image, probeConfig, extra);
  if (state.cacheBusted) return { hit: false, probe };
  const img = await session.cache.lookup(probe, state.runConfig);
  if (!img) {
    state.cacheBusted = true;
    return { hit: false, probe };
  }
  ctx.out.line(' ---> Using cache\n');
  state.image = img;
  return { hit: true, probe };
}

/** The image for a step that missed the cache: the parent plus the layer (if any) and one history line. */
export async function commitStep(ctx: StepContext, probe: CacheProbe, opts: { layer?: StepLayer; containerId?: string }): Promise<void> {
  const { state, session } = ctx;
  const parent = state.image;
  const config = childImage({
    parent: parent === SCRATCH ? undefined : parent.config,
    scratchPlatform: state.scratchPlatform ?? session.platform,
    diffId: opts.layer?.diffId,
    author: state.maintainer,
    containerConfig: probe.probeConfig,
    config: state.runConfig,
    containerId: opts.containerId,
    dockerVersion: session.dockerVersion,
  });
  const img = await session.executor.createImage(config, parent === SCRATCH ? undefined : parent.id);
  state.image = img;
  await session.cache.record(probe, img, opts.layer?.size ?? 0);
}

/**
 * A container stands for a metadata step, as in moby (which creates one, commits it and removes
 * it): berth makes no container for a step that runs nothing, but prints the same lines and
 * records the ID in the image's `container` field.
 */
export function metadataContainer(ctx: StepContext): string {
  const id = newId();
  ctx.out.line(` ---> Running in ${shortId(id)}\n`);
  ctx.containers.push(id);
  return id;
}

/** moby Builder.commit: a metadata-only step, history `/bin/sh -c #(nop)  <comment>`. */
export async function commitMetadata(ctx: StepContext, comment: string): Promise<void> {
  const probeConfig = cloneRunConfig(ctx.state.runConfig);
  probeConfig.Cmd = [...shellOf(ctx.state.runConfig), '#(nop) ', comment];
  const { hit, probe } = await probeCache(ctx, probeConfig);
  if (hit) return;
  const containerId = metadataContainer(ctx);
  await commitStep(ctx, probe, { containerId });
}

/** withCmdCommentString: the single-word `#(nop) <comment>` form WORKDIR, COPY and ADD use. */
export function commentConfig(rc: RunConfig, comment: string): RunConfig {
  const c = cloneRunConfig(rc);
  c.Cmd = [...shellOf(rc), `#(nop) ${comment}`];
  return c;
}

