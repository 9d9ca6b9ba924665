// What `COPY --from=` and `RUN --mount from=` name: an earlier stage (by name, or by index as
// moby's stagesBuildResults.get allows), else an image (local, or pulled).
import type { StepImage } from '../executor.ts';
import { SCRATCH } from '../executor.ts';
import { BerthError } from '../../common/index.ts';
import { badDockerfile } from './errors.ts';
import type { StepContext } from './session.ts';

export async function sourceImage(ctx: StepContext, raw: string): Promise<StepImage> {
  const { session, state } = ctx;
  const name = session.lex.processWord(raw, session.metaArgs()).word;
  let img: StepImage | typeof SCRATCH | undefined;
  try {
    img = await session.stageImage(name, state.index);
  } catch (err) {
    if (err instanceof BerthError && err.kind === 'InvalidParameter') throw badDockerfile(`invalid from flag value ${raw}: ${err.message}`, err);
    throw err;
  }
  if (img === SCRATCH) throw badDockerfile(`invalid from flag value ${raw}: the stage has no files (FROM scratch with no steps)`);
  return img ?? session.resolveImage(name, undefined, ctx.out);
}
