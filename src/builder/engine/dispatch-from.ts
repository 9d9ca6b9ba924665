// FROM (moby initializeStage): the base is an earlier stage by name, scratch, or an image
// (local, or pulled); the stage starts from its config (PATH added when missing), then runs the
// base's ONBUILD triggers: "# Executing N build trigger(s)", each dispatched as a step without
// a step number, and the triggers are not inherited further.
import { parseInstructionLine } from '../dockerfile/parse.ts';
import type { Instruction, Stage } from '../dockerfile/types.ts';
import { SCRATCH } from '../executor.ts';
import { dispatchStep } from './dispatch.ts';
import { badDockerfile } from './errors.ts';
import { parsePlatform } from './platform.ts';
import { cloneRunConfig, DEFAULT_PATH } from './run-config.ts';
import type { StepContext } from './session.ts';

export const imageIdOf = (img: StepContext['state']['image']) => (img === SCRATCH ? '' : img.id);

export async function initializeStage(ctx: StepContext, stage: Stage): Promise<void> {
  const { session, state } = ctx;
  const meta = session.metaArgs();
  let platform: string | undefined;
  if (stage.from.platform) platform = session.lex.processWord(stage.from.platform, meta).word;
  const name = session.lex.processWord(stage.from.image, meta).word;
  if (name === '') throw badDockerfile(`base name (${stage.from.image}) should not be blank`);

  const fromStage = await session.stageImage(name, state.index, { nameOnly: true });
  const image = fromStage ?? (name.toLowerCase() === 'scratch' ? SCRATCH : await session.resolveImage(name, platform ?? session.options.platform, ctx.out));
  state.image = image;
  if (image === SCRATCH && platform) state.scratchPlatform = parsePlatform(platform);
  const rc = cloneRunConfig(image === SCRATCH ? {} : (image.config.config ?? {}));
  const env = rc.Env ?? [];
  if (!env.some((e) => e.split('=', 1)[0] === 'PATH')) rc.Env = [...env, `PATH=${DEFAULT_PATH}`];
  rc.OpenStdin = false;
  rc.StdinOnce = false;
  rc.Image = imageIdOf(image);
  state.runConfig = rc;

  const triggers = rc.OnBuild ?? [];
  if (triggers.length === 0) return;
  rc.OnBuild = null;
  ctx.out.line(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
  for (const trigger of triggers) {
    state.runConfig.Image = imageIdOf(state.image);
    await dispatchStep(ctx, parseTrigger(trigger));
  }
}

/** A stored trigger (`RUN echo hi`) as an instruction; moby refuses ONBUILD, FROM and MAINTAINER there. */
function parseTrigger(trigger: string): Instruction {
  const word = trigger.trim().split(/\s+/, 1)[0].toUpperCase();
  if (word === 'ONBUILD') throw badDockerfile('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (word === 'FROM' || word === 'MAINTAINER') throw badDockerfile(`${word} isn't allowed as an ONBUILD trigger`);
  const inst = parseInstructionLine(trigger);
  if (inst.kind === 'FROM') throw badDockerfile('FROM isn\'t allowed as an ONBUILD trigger');
  return inst;
}
