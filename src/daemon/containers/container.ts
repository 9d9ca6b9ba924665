// One container as the daemon holds it while it runs: its saved record and HostConfig, its
// state machine, the stdio of its process, its restart manager and its exec IDs.
import { join } from 'node:path';
import { containerDir, type ContainerRecord, type HostConfig } from './record.ts';
import { State } from './state.ts';
import { StdioHub } from './stdio-hub.ts';
import { RestartManager, parseRestartPolicy } from './restart-policy.ts';

export interface Container {
  readonly rec: ContainerRecord;
  /** Replaced whole by `docker update`. */
  hostConfig: HostConfig;
  readonly state: State;
  readonly hub: StdioHub;
  readonly restart: RestartManager;
  readonly execIds: Set<string>;
  /** True while a stop/kill from the API is in progress, so the exit is not treated as a crash. */
  stopping: boolean;
  restartTimer?: NodeJS.Timeout;
}

/** A container object for a record (new, or loaded at daemon start). */
export function newContainer(rec: ContainerRecord, hostConfig: HostConfig): Container {
  const policy = parseRestartPolicy(hostConfig.RestartPolicy ?? { Name: 'no' }, Boolean(hostConfig.AutoRemove));
  return {
    rec, hostConfig, state: new State(rec.ID, rec.State), hub: new StdioHub(), restart: new RestartManager(policy, rec.RestartCount),
    execIds: new Set(), stopping: false,
  };
}

export interface ContainerPaths {
  /** containers/<id> under the data root: the record, the log and the /etc files. */
  dir: string;
  /** The shim's state directory under the exec root. */
  stateDir: string;
  bundleDir: string;
}

export function pathsOf(roots: { dataRoot: string; execRoot: string }, id: string): ContainerPaths {
  return {
    dir: containerDir(roots.dataRoot, id),
    stateDir: join(roots.execRoot, 'c', id),
    bundleDir: join(roots.execRoot, 'c', id, 'bundle'),
  };
}

/** The OCI runtime the container runs under. */
export function runtimeOf(c: Container, defaultRuntime: string): string {
  return c.hostConfig.Runtime || defaultRuntime;
}

/** Cancels a pending restart (stop, rm, restart); false when none was pending. */
export function cancelRestart(c: Container): boolean {
  if (!c.restartTimer && !c.state.restarting) return false;
  if (c.restartTimer) clearTimeout(c.restartTimer);
  c.restartTimer = undefined;
  c.restart.cancel();
  c.state.setRestartCanceled();
  return true;
}
