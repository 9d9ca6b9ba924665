// WORKDIR (moby dispatchWorkdir): relative to the previous one, made now through the executor
// (a layer only when the directory was missing), history `#(nop) WORKDIR /dir`.
import { posix } from 'node:path';
import type { WordInstruction } from '../dockerfile/types.ts';
import { badDockerfile } from './errors.ts';
import { expandWord } from './expand.ts';
import type { StepContext } from './session.ts';
import { commentConfig, commitStep, metadataContainer, probeCache } from './step.ts';

/** moby normalizeWorkdir (Linux): a relative path joins the current one; an absolute one is kept as written. */
function normalizeWorkdir(current: string, requested: string): string {
  if (requested === '') throw badDockerfile('cannot normalize nothing');
  if (!requested.startsWith('/')) return posix.join('/', current, requested);
  return requested;
}

export async function dispatchWorkdir(ctx: StepContext, inst: WordInstruction): Promise<void> {
  const rc = ctx.state.runConfig;
  rc.WorkingDir = normalizeWorkdir(rc.WorkingDir ?? '', expandWord(ctx, inst.value));
  const probeConfig = commentConfig(rc, `WORKDIR ${rc.WorkingDir}`);
  const { hit, probe } = await probeCache(ctx, probeConfig);
  if (hit) return;
  const containerId = metadataContainer(ctx);
  const layer = await ctx.session.executor.mkdirWorkdir(ctx.state.image, rc.WorkingDir, ctx.session.signal);
  await commitStep(ctx, probe, { layer, containerId });
}
