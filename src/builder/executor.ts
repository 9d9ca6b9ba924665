// The seam between the build engine (dispatch, cache, stages: engine/) and the daemon, which
// owns containers, layers and images. The daemon implements BuildExecutor (src/daemon/build/);
// the engine's unit tests drive a fake of it.
import type { ImageConfigFile, ImageRuntimeConfig } from '../image/index.ts';
import type { CopyRequest } from './context/types.ts';
import type { MountSpec } from './dockerfile/types.ts';

/** An image the build starts from or made: its ID and parsed config (rootfs.diff_ids, history). */
export interface StepImage {
  id: string;
  config: ImageConfigFile;
}

/** The scratch base (`FROM scratch`): no layers. */
export const SCRATCH = 'scratch';

/** A layer a step produced, registered on its parent's chain; undefined when the step changed nothing. */
export interface StepLayer {
  diffId: string;
  chainId: string;
  /** Bytes of the layer's content, for the build cache's size (df, prune --keep-storage). */
  size?: number;
}

/** A `RUN --mount` after expansion, with what the daemon needs to mount it. */
export type RunMount =
  | (MountSpec & { type: 'cache'; /** the cache id (default: the target) */ id: string })
  | (MountSpec & { type: 'bind'; /** the root to bind from: the context or a stage/image */ fromImage?: StepImage })
  | (MountSpec & { type: 'tmpfs' })
  /** The secret's bytes; never written to a layer, a log or a cache key. */
  | (MountSpec & { type: 'secret'; data: Uint8Array });

export interface RunRequest {
  parent: StepImage | typeof SCRATCH;
  /** The container's config: Cmd (the full argv, shell already prepended), Env, User, WorkingDir, ... */
  config: ImageRuntimeConfig;
  /** `RUN --network`, else the build's `networkmode`. */
  network?: 'default' | 'none' | 'host' | string;
  mounts: RunMount[];
  /** Bytes fed to the command's stdin (a `RUN <<EOF` heredoc run by the shell), if any. */
  stdin?: Uint8Array;
  /** The step's output (stdout, and stderr too unless onStderr is used). */
  onOutput: (chunk: Uint8Array) => void;
  /** The step's stderr, when the executor keeps it apart: streamed as moby does, in red (\x1b[91m...\x1b[0m). */
  onStderr?: (chunk: Uint8Array) => void;
  /** Called once the container exists: `---> Running in <id12>`. */
  onContainer: (id: string) => void;
  signal: AbortSignal;
  /**
   * When the daemon removes the step's container (the build's `rm`/`forcerm`): `on-success`
   * (rm, the default) keeps a failed step's container as moby does, `always` (forcerm) removes
   * it too, `never` (rm=false) keeps both. A cancelled step's container is always removed.
   */
  remove: 'always' | 'on-success' | 'never';
}

export interface CopyStepRequest {
  parent: StepImage | typeof SCRATCH;
  /** Read from the build context, or from another stage's / image's root. */
  from: { kind: 'context' } | { kind: 'image'; image: StepImage };
  copy: CopyRequest;
  /** The parent's WORKDIR and USER, for relative destinations and --chown names. */
  workdir: string;
  signal: AbortSignal;
}

export interface BuildExecutor {
  /**
   * The image `FROM` names: local, or pulled when missing or when `pull` is set (the build's
   * `X-Registry-Config` credentials); progress lines go to `onProgress`.
   */
  resolveBaseImage(ref: string, opts: { pull: boolean; platform?: string; onProgress: (line: string) => void; signal: AbortSignal }): Promise<StepImage>;
  /** A local image by ID or reference, undefined if absent (cache lookups, --cache-from). */
  localImage(ref: string): StepImage | undefined;
  /** Runs a command on `parent` and returns its layer; throws BuildRunError when it exits non-zero. */
  run(req: RunRequest): Promise<StepLayer | undefined>;
  /** Makes the files of a COPY/ADD on `parent` and returns their layer. */
  copy(req: CopyStepRequest): Promise<StepLayer | undefined>;
  /** Creates the directory WORKDIR names when missing (moby does it in a layer only when it made one). */
  mkdirWorkdir(parent: StepImage | typeof SCRATCH, dir: string, signal: AbortSignal): Promise<StepLayer | undefined>;
  /**
   * A file of an image's root filesystem (its layers, resolved inside that root: links never
   * leave it), or undefined when absent. The engine reads /etc/passwd and /etc/group with it to
   * resolve `COPY --chown=name:group` as moby does against the destination image.
   */
  readFile(image: StepImage, path: string, signal: AbortSignal): Promise<Uint8Array | undefined>;
  /** Stores an image config whose layers are registered; `parent` is the previous step's image. */
  createImage(config: ImageConfigFile, parent?: string): Promise<StepImage>;
  /** Tags the result (`t`, several). */
  tag(imageId: string, tags: string[]): Promise<void>;
}

/** A RUN whose command exited non-zero: moby's "The command '...' returned a non-zero code: N". */
export class BuildRunError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
