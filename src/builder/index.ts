// The builder box: Dockerfile builds in the daemon (POST /build's engine), the build cache's
// records, df and prune. The daemon implements BuildExecutor (containers, layers, images) and
// BuildContext (the received context); other boxes use only what this file exports.
export { openBuilder, type BuilderOptions } from './engine/builder.ts';
export type {
  BuildCacheRecord, Builder, BuildMessage, BuildOptions, BuildRequest, BuildResult, PruneOptions, PruneResult,
} from './engine/types.ts';
export { BuildRunError, SCRATCH } from './executor.ts';
export type { BuildExecutor, CopyStepRequest, RunMount, RunRequest, StepImage, StepLayer } from './executor.ts';
export type { BuildContext, CopyRequest, CopySource } from './context/types.ts';
export { receiveContext } from './context/receive.ts';
export { receiveRemoteContext } from './context/remote.ts';
export { copyIntoRoot } from './context/copy.ts';
