// The builder's public shapes: what the daemon hands build() and what it gets back. The daemon
// owns the HTTP side (POST /build, /build/prune, /build/cancel, /system/df); the engine owns
// the Dockerfile's meaning, the stream text and the cache records.
import type { BuildContext } from '../context/types.ts';
import type { BuildExecutor } from '../executor.ts';

export interface BuildOptions {
  /** The `dockerfile` parameter, for messages only (the context reads the file). */
  dockerfile?: string;
  /** `t`, several; validated before anything runs. */
  tags: string[];
  /** `buildargs`: a null value means "take it from the daemon's environment" in moby; here: declared, no value. */
  buildArgs: Record<string, string | null>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  cacheFrom: string[];
  /** `labels`: added as LABEL steps at the end of the last built stage, sorted by key (moby buildLabelOptions). */
  labels: Record<string, string>;
  /** `platform` (os[/arch[/variant]]). */
  platform?: string;
  networkMode?: string;
  /** `rm` (default true): remove a step's container once it succeeded. */
  rm: boolean;
  /** `forcerm`: remove a step's container even when it failed. */
  forceRm: boolean;
  /** `q`: only the image ID is streamed at the end (the stream is kept and flushed on failure). */
  quiet: boolean;
  /** `--secret id=...` bytes for RUN --mount=type=secret. Never logged, hashed or committed. */
  secrets: Map<string, Uint8Array>;
  /** The client's build ID (`buildid`), for cancel(buildId). */
  buildId?: string;
}

/** One object of the JSON stream, as Docker writes it (the daemon serialises it; errors are its job). */
export type BuildMessage = { stream: string } | { aux: { ID: string } };

export interface BuildRequest {
  context: BuildContext;
  executor: BuildExecutor;
  options: BuildOptions;
  onMessage: (msg: BuildMessage) => void;
  /** Aborted when the client goes away: the running step is stopped and the build throws. */
  signal?: AbortSignal;
}

export interface BuildResult {
  imageId: string;
}

/** A row of /system/df's BuildCache (swagger #/definitions/BuildCache). */
export interface BuildCacheRecord {
  ID: string;
  Parents: string[] | null;
  Type: 'regular';
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

export interface PruneOptions {
  /** Remove every record, not only those whose image nothing else keeps (see keepImage). */
  all: boolean;
  /** `until` (`unused-for`), `id`, `parent`, `type`, `description`, `inuse`, `shared`, `private` (BuildKit's prune filters). */
  filters: Record<string, string[]>;
  /** Keep at most this many bytes of cache, most recently used first (`keep-storage`/`reserved-space`). */
  keepStorage?: number;
  /** Without `all`: images the daemon still needs for other reasons (tagged, used by a container). */
  keepImage?: (imageId: string) => boolean;
}

export interface PruneResult {
  /** IDs of the records removed. */
  deleted: string[];
  /** Images only those records kept: the daemon deletes them when nothing else uses them. */
  imageIds: string[];
  spaceReclaimed: number;
}

export interface Builder {
  build(req: BuildRequest): Promise<BuildResult>;
  prune(opts: PruneOptions): Promise<PruneResult>;
  diskUsage(): Promise<BuildCacheRecord[]>;
  /** Cancels a running build by its `buildid`; false when none runs under that ID. */
  cancel(buildId: string): boolean;
}
