// What a build's steps share (the session) and what one stage carries from step to step (moby's
// dispatchState), and the step context the dispatchers receive.
import type { BuildContext } from '../context/types.ts';
import type { ShellLex } from '../dockerfile/shell-lex.ts';
import type { BuildExecutor, StepImage, SCRATCH } from '../executor.ts';
import type { BuildArgs } from './args.ts';
import type { Platform } from './platform.ts';
import type { RunConfig } from './run-config.ts';
import type { StepCache } from './step-cache.ts';
import type { StepOutput } from './stream.ts';
import type { BuildOptions } from './types.ts';

export interface Session {
  executor: BuildExecutor;
  context: BuildContext;
  options: BuildOptions;
  /** The Dockerfile's escape token lexer. */
  lex: ShellLex;
  cache: StepCache;
  signal: AbortSignal;
  /** The platform the build targets (option or host); scratch images get it. */
  platform: Platform;
  /** The meta ARG values (FROM lines, COPY --from, RUN --mount from=). */
  metaArgs: () => Map<string, string>;
  /**
   * The final image of an earlier stage, by name or (unless nameOnly: FROM) index, seen from stage
   * `fromStage` (moby stagesBuildResults); undefined when `ref` names no stage (it is an image).
   */
  stageImage: (ref: string, fromStage: number, opts?: { nameOnly?: boolean }) => Promise<StepImage | typeof SCRATCH | undefined>;
  /** A base/source image by reference (FROM, COPY --from=<image>): local, or pulled. */
  resolveImage: (ref: string, platform: string | undefined, out: StepOutput) => Promise<StepImage>;
  dockerVersion?: string;
  /** <data-root>/builder/tmp: scratch files of the engine (ADD URL downloads for the cache key). */
  tmpDir: string;
}

export interface StageState {
  index: number;
  name?: string;
  image: StepImage | typeof SCRATCH;
  /** The image config being built (moby runConfig); `Image` holds the current image's ID. */
  runConfig: RunConfig;
  maintainer: string;
  /** A CMD with arguments ran in this stage: ENTRYPOINT then keeps Cmd (moby cmdSet). */
  cmdSet: boolean;
  args: BuildArgs;
  /** `FROM --platform=... scratch`: the platform the stage's images get (else the build's). */
  scratchPlatform?: Platform;
  /** A cache miss happened in this stage: no later step probes (moby imageProber.cacheBusted). */
  cacheBusted: boolean;
}

export interface StepContext {
  session: Session;
  state: StageState;
  out: StepOutput;
  /** Containers this step made (or, for metadata steps, stands for): "Removed intermediate container". */
  containers: string[];
}
