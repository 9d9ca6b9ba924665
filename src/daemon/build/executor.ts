// The daemon's BuildExecutor (src/builder/executor.ts): what the build engine asks of the
// daemon, over its real containers, layers and images. One per build: it carries the build's
// context directory, container options, registry credentials and stream.
import type { JsonMessage } from '../../api/index.ts';
import type { ImageConfigFile, ImageService } from '../../image/index.ts';
import type { AuthConfig, RegistryClient } from '../../distribution/index.ts';
import type { BuildExecutor, StepImage } from '../../builder/index.ts';
import type { CopyRequest, CopySource } from '../../builder/index.ts';
import { localImage, resolveBaseImage } from './base-image.ts';
import { chainOf, runStep, type BuildRunOptions, type RunStepDeps } from './run-step.ts';
import { copyStep, mkdirWorkdir, readImageFile } from './copy-step.ts';
import type { CacheMounts } from './cache-mounts.ts';
import type { ScratchDeps } from './scratch-layer.ts';

/** The daemon's parts every build uses. */
export interface ExecutorDeps {
  images: ImageService;
  registry: () => RegistryClient;
  scratch: ScratchDeps;
  cacheMounts: CacheMounts;
  run: Omit<RunStepDeps, 'mounts' | 'layers' | 'images'>;
  copyIntoRoot(source: CopySource, req: CopyRequest, destRoot: string, opts: { tmpDir: string; signal: AbortSignal }): Promise<void>;
  /** <exec-root>/builder */
  execDir: string;
  /** <data-root>/builder/tmp */
  tmpDir: string;
}

/** What one build brings. */
export interface BuildSession {
  contextDir: string;
  options: BuildRunOptions;
  authFor: (domain: string) => AuthConfig;
  progress: (m: JsonMessage) => void;
}

export function createBuildExecutor(deps: ExecutorDeps, build: BuildSession): BuildExecutor {
  const runDeps: RunStepDeps = {
    ...deps.run,
    layers: deps.scratch.layers,
    images: deps.scratch.images,
    mounts: { scratch: deps.scratch, cacheMounts: deps.cacheMounts, contextDir: build.contextDir, execDir: deps.execDir, chainOf },
  };
  const copyDeps = { scratch: deps.scratch, contextDir: build.contextDir, tmpDir: deps.tmpDir, copyIntoRoot: deps.copyIntoRoot };
  const stepImage = (img: { id: string; config: ImageConfigFile }): StepImage => ({ id: img.id, config: img.config });
  return {
    resolveBaseImage: (ref, opts) =>
      resolveBaseImage({ images: deps.images, registry: deps.registry, authFor: build.authFor, progress: build.progress }, ref, opts),
    localImage: (ref) => localImage(deps.images, ref),
    run: (req) => runStep(runDeps, build.options, req),
    copy: (req) => copyStep(copyDeps, req),
    mkdirWorkdir: (parent, dir, signal) => mkdirWorkdir(copyDeps, parent, dir, signal),
    readFile: (image, path, signal) => readImageFile(deps.scratch, image, path, signal),
    async createImage(config, parent) {
      const img = await deps.images.createImage(new TextEncoder().encode(JSON.stringify(config)), { parent });
      return stepImage(img);
    },
    async tag(imageId, tags) {
      for (const t of tags) await deps.images.tag(imageId, t);
    },
  };
}
