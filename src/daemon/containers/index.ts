// The containers box: a store of containers, one module per verb over it, and a read-only view
// for the other backends. openContainers() wires them; nothing else holds every verb.
import { KeyedLock } from '../../common/index.ts';
import { cgroupOomKilled } from '../../runtime/index.ts';
import type { NetworkRecord } from '../../network/index.ts';
import type { ContainerDeps } from './deps.ts';
import type { StoredConfig, HostConfig } from './record.ts';
import type { EndpointSettings, EndpointsConfig } from './networking.ts';
import type { ExecConfig } from './spec-inputs.ts';
import { publish, type ContainerContext } from './context.ts';
import { ContainerStore } from './store.ts';
import { ExecStore, createExec, resizeExec, startExec } from './exec.ts';
import { containerReader, type ContainerReader, type ReadonlyContainer, type ReadonlyExec } from './view.ts';
import { createContainer } from './create.ts';
import { startContainer } from './start.ts';
import { stopContainer, type StopOptions } from './stop.ts';
import { killContainer } from './kill.ts';
import { restartContainer } from './restart.ts';
import { removeContainer, removeLink, type RemoveOptions } from './delete.ts';
import { renameContainer } from './rename.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { updateContainerVerb } from './update.ts';
import { containerPids, resizeContainer } from './processes.ts';
import { waitContainer, type WaitResult } from './wait.ts';
import { pruneContainers } from './prune.ts';
import { connectContainer, disconnectContainer } from './connect.ts';
import { watchExit } from './monitor.ts';
import { restoreContainers } from './restore.ts';
import { shutdownContainers } from './shutdown.ts';
import type { Readable } from 'node:stream';
import type { Change } from '../../archive/index.ts';
import { exportContainer } from './export.ts';
import { containerChanges } from './diff.ts';
import { commitContainer, type CommitRequest } from './commit.ts';
import { containerArchivePath, containerExtractToDir, containerStatPath, type ExtractQuery } from './archive.ts';
import type { ContainerPathStat } from '../../archive/index.ts';

export type { ContainerReader, ReadonlyContainer, ReadonlyExec } from './view.ts';
export { settingsOf } from './view.ts';
export type { CommitRequest } from './commit.ts';

/** What the container and exec backends may do to containers. */
export interface ContainerVerbs {
  create(name: string | undefined, config: StoredConfig, hostConfig: HostConfig, endpointsConfig?: EndpointsConfig): Promise<{ Id: string; Warnings: string[] }>;
  start(ref: string): Promise<void>;
  stop(ref: string, opts: StopOptions): Promise<void>;
  restart(ref: string, opts: StopOptions): Promise<void>;
  kill(ref: string, signal?: string): Promise<void>;
  /** Rejects when `signal` aborts first (the client went away). */
  wait(ref: string, condition: string, signal: AbortSignal): Promise<WaitResult>;
  remove(ref: string, opts: RemoveOptions): Promise<void>;
  /** docker rm --link: removes the link `name` ("/parent/alias"). */
  removeLink(name: string): Promise<void>;
  rename(ref: string, newName: string): Promise<void>;
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
  update(ref: string, body: Record<string, unknown>, version: string): Promise<{ Warnings: string[] }>;
  pids(ref: string): Promise<number[]>;
  resize(ref: string, rows: number, cols: number): void;
  prune(keep: (c: ReadonlyContainer) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }>;
  connect(ref: string, net: NetworkRecord, cfg: Partial<EndpointSettings> | undefined): Promise<ReadonlyContainer>;
  disconnect(ref: string, net: NetworkRecord, force: boolean): Promise<ReadonlyContainer>;
  execCreate(ref: string, config: ExecConfig): string;
  execStart(id: string): Promise<ReadonlyExec>;
  execResize(id: string, rows: number, cols: number): void;
  /** Records a client attaching to (attach) or detaching with the detach keys from (detach) a container or exec (exec_detach). */
  attachEvent(ref: string, action: 'attach' | 'detach' | 'exec_detach', execId?: string): void;
  /** The root filesystem as a tar (checks first: 404/409 before any byte). */
  export(ref: string): Promise<Readable>;
  changes(ref: string): Promise<Change[]>;
  /** The new image's ID. */
  commit(ref: string, req: CommitRequest): Promise<string>;
  /** docker cp (archive.ts): stat, tar out, extract in, each inside the container's root. */
  statPath(ref: string, path: string): Promise<ContainerPathStat>;
  archivePath(ref: string, path: string): Promise<{ stat: ContainerPathStat; content: AsyncIterableIterator<Uint8Array> }>;
  extractToDir(ref: string, path: string, q: ExtractQuery, body: AsyncIterable<Uint8Array>): Promise<void>;
}

export interface Containers {
  reader: ContainerReader;
  verbs: ContainerVerbs;
  /** Daemon start: reconcile with what survived the last run. */
  restore(liveRestore: boolean): Promise<void>;
  /** Daemon stop: no more restarts; without live-restore, every running container stopped. */
  shutdown(liveRestore: boolean, timeoutSeconds: number): Promise<void>;
}

type OpenDeps = Omit<ContainerDeps, 'oomKilled'> & Partial<Pick<ContainerDeps, 'oomKilled'>>;

/** The verbs' shared context over `deps` (tests use it with the verb functions directly). */
export function newContext(deps: OpenDeps): ContainerContext {
  const ctx: ContainerContext = {
    oomKilled: cgroupOomKilled,
    ...deps,
    store: new ContainerStore(),
    execs: new ExecStore(),
    locks: new KeyedLock(),
    lifecycle: { shuttingDown: false },
    watchExit: (c) => {
      watchExit(ctx, c).catch((err) => ctx.log.error('recording an exit failed', { id: c.rec.ID, err: String(err) }));
    },
  };
  return ctx;
}

export function openContainers(deps: OpenDeps): Containers {
  const ctx = newContext(deps);
  const verbs: ContainerVerbs = {
    create: (name, config, hostConfig, eps) => createContainer(ctx, name, config, hostConfig, eps),
    start: (ref) => startContainer(ctx, ref),
    stop: (ref, opts) => stopContainer(ctx, ref, opts),
    restart: (ref, opts) => restartContainer(ctx, ref, opts),
    kill: (ref, signal) => killContainer(ctx, ref, signal),
    wait: (ref, condition, signal) => waitContainer(ctx, ref, condition, signal),
    remove: (ref, opts) => removeContainer(ctx, ref, opts),
    removeLink: (name) => removeLink(ctx, name),
    rename: (ref, name) => renameContainer(ctx, ref, name),
    pause: (ref) => pauseContainer(ctx, ref),
    unpause: (ref) => unpauseContainer(ctx, ref),
    update: (ref, body, version) => updateContainerVerb(ctx, ref, body, version),
    pids: (ref) => containerPids(ctx, ref),
    resize: (ref, rows, cols) => resizeContainer(ctx, ref, rows, cols),
    prune: (keep) => pruneContainers(ctx, keep),
    connect: (ref, net, cfg) => connectContainer(ctx, ref, net, cfg),
    disconnect: (ref, net, force) => disconnectContainer(ctx, ref, net, force),
    execCreate: (ref, config) => createExec(ctx, ref, config),
    execStart: (id) => startExec(ctx, id),
    execResize: (id, rows, cols) => resizeExec(ctx, id, rows, cols),
    attachEvent: (ref, action, execId) => {
      const c = ctx.store.find(ref);
      if (c) publish(ctx, c, action, execId ? { execID: execId } : {});
    },
    export: (ref) => exportContainer(ctx, ref),
    changes: (ref) => containerChanges(ctx, ref),
    commit: (ref, req) => commitContainer(ctx, ref, req),
    statPath: (ref, path) => containerStatPath(ctx, ref, path),
    archivePath: (ref, path) => containerArchivePath(ctx, ref, path),
    extractToDir: (ref, path, q, body) => containerExtractToDir(ctx, ref, path, q, body),
  };
  return {
    reader: containerReader(ctx.store, ctx.execs, ctx.networking),
    verbs,
    restore: (liveRestore) => restoreContainers(ctx, liveRestore),
    shutdown: (liveRestore, timeout) => shutdownContainers(ctx, liveRestore, timeout),
  };
}
