// The narrow interface the container routes call; the daemon implements it.
import type { Duplex, Readable } from 'node:stream';
import type { Filters } from '../../request.ts';
import type { DeepReadonly } from '../../../common/index.ts';
import type { ContainerInspectEntry, ContainerListEntry } from '../../shapes/containers.ts';
import type {
  ContainerConfig, ContainerCreateRequest, ContainerCreateResponse, ContainerPruneResponse,
  ContainerTopResponse, ContainerUpdateRequest, ContainerUpdateResponse, ContainerWaitResponse, FilesystemChange,
} from '../../types/engine-api.generated.ts';

export interface LogOptions {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  since?: bigint;
  until?: bigint;
  timestamps: boolean;
  tail: number;
  details: boolean;
  signal: AbortSignal;
}

export interface AttachOptions {
  logs: boolean;
  stream: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
  /** The output as it comes, never multiplexed (websocket attach: the frames keep the pieces apart). */
  raw?: boolean;
}

export interface StatsQuery {
  stream: boolean;
  oneShot: boolean;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
}

/** docker cp's stat of a container path (moby container.PathStat); mode in Go's FileMode bits. */
export interface ContainerPathStat {
  name: string;
  size: number;
  mode: number;
  /** RFC 3339 with nanoseconds, as Go marshals a time.Time. */
  mtime: string;
  linkTarget: string;
}

export interface ContainersBackend {
  create(name: string | undefined, body: ContainerCreateRequest, version: string): Promise<ContainerCreateResponse>;
  /** The records the list shows; the route turns them into ContainerSummary. */
  list(opts: { all: boolean; limit: number; size: boolean; filters: Filters }): Promise<DeepReadonly<ContainerListEntry>[]>;
  /** The record inspect shows; the route turns it into ContainerInspectResponse for the client's version. */
  inspect(ref: string, opts: { size: boolean }): Promise<DeepReadonly<ContainerInspectEntry>>;
  start(ref: string): Promise<void>;
  stop(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  restart(ref: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  wait(ref: string, condition: string, signal: AbortSignal): Promise<ContainerWaitResponse>;
  /** Checks the container exists before the wait response headers go out. */
  exists(ref: string): void;
  remove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }): Promise<void>;
  rename(ref: string, name: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  top(ref: string, psArgs: string): Promise<ContainerTopResponse>;
  /** Resolves whether the container has a TTY (raw stream) before the logs start. */
  /** The lines come in batches (a generator step per line costs more than the line). */
  logs(ref: string, opts: LogOptions): Promise<{ tty: boolean; lines: AsyncIterable<Array<{ stream: 1 | 2; data: Buffer }>> }>;
  /** Validates and returns whether the stream is raw (tty); then `run` serves the hijacked socket. */
  attach(ref: string, opts: AttachOptions): Promise<{ tty: boolean; run(socket: Duplex): Promise<void> }>;
  resize(ref: string, height: number, width: number): Promise<void>;
  prune(filters: Filters): Promise<ContainerPruneResponse>;
  changes?(ref: string): Promise<FilesystemChange[] | null>;
  /** Resolves the container (404 before any header); then `run` writes one JSON text per sample. */
  stats?(ref: string, opts: StatsQuery): Promise<{ run(write: (json: string) => Promise<void>): Promise<void> }>;
  /** HEAD /containers/{id}/archive: 404 `Could not find the file ...` when missing. */
  archiveStat?(ref: string, path: string): Promise<ContainerPathStat>;
  /** GET /containers/{id}/archive: errors before any byte; `content` must be read to its end or return()ed. */
  archiveGet?(ref: string, path: string): Promise<{ stat: ContainerPathStat; content: AsyncIterableIterator<Uint8Array> }>;
  /** PUT /containers/{id}/archive: a tar (maybe compressed) extracted into the directory `path`. */
  archivePut?(ref: string, path: string, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }, body: AsyncIterable<Uint8Array>): Promise<void>;
  /** POST /containers/{id}/update: the UpdateConfig body as sent. */
  update?(ref: string, body: ContainerUpdateRequest, version: string): Promise<ContainerUpdateResponse>;
  /** GET /containers/{id}/export: checks first (404/409 before any byte), then the archive. */
  export?(ref: string): Promise<Readable>;
  /** POST /commit: the new image's ID. */
  commit?(ref: string, opts: CommitQuery): Promise<string>;
}

export interface CommitQuery {
  /** The body's ContainerConfig, when one was sent. */
  config?: ContainerConfig;
  repo: string;
  tag: string;
  comment: string;
  author: string;
  changes: string[];
  pause: boolean;
}
