// What berth keeps about a container, in Docker's on-disk shape (containers/<id>/config.v2.json
// and hostconfig.json), so that a person who knows /var/lib/docker recognises it.
import { join } from 'node:path';
import { readJsonIfExists, writeJsonAtomic, ZERO_TIME } from '../../common/index.ts';
import type { NetworkSettingsRecord } from './networking.ts';
import type { ContainerConfig, HostConfig } from '../host-config/index.ts';
import type { HealthState } from './health.ts';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Set once a container with a healthcheck starts (health-monitor.ts); kept after it stops, as moby. */
  Health?: HealthState;
}

export type { HostConfig };

/** The Config fields create always fills in (normalizeCreateBody). */
type FilledField = 'Hostname' | 'Domainname' | 'User' | 'AttachStdin' | 'AttachStdout' | 'AttachStderr' | 'Tty' | 'OpenStdin' | 'StdinOnce'
  | 'Image' | 'WorkingDir' | 'Labels';

/** A container's Engine API Config as stored: the create request's, merged with the image's, with those fields filled. */
export type StoredConfig = ContainerConfig & { [K in FilledField]-?: NonNullable<ContainerConfig[K]> };

export interface ContainerRecord {
  ID: string;
  Created: string;
  Path: string;
  Args: string[];
  Config: StoredConfig;
  /** The image ID (sha256:...). */
  Image: string;
  /** Top layer chain ID of the image, for the RW layer. */
  ImageChainId: string | null;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  State: ContainerState;
  HostnamePath: string;
  HostsPath: string;
  ResolvConfPath: string;
  LogPath: string;
  HasBeenStartedBefore: boolean;
  HasBeenManuallyStopped: boolean;
  /** Creation time in ns since the epoch, for ordering (since/before filters). */
  CreatedNs: string;
  /** Absent in records from before berth had networks. */
  NetworkSettings?: NetworkSettingsRecord;
  /** The container's mounts keyed by destination, as moby's config.v2.json (absent before volumes). */
  MountPoints?: Record<string, MountPoint>;
  /** Legacy links on the default bridge (links.ts): absent when there are none. */
  Links?: LinkRecord[];
}

/** One --link of a container: the linked container's ID and the link's name ("/parent/alias"). */
export interface LinkRecord {
  ID: string;
  Name: string;
}

/** One mount of a container, resolved at create (moby volume/mounts.MountPoint). */
export interface MountPoint {
  Type: 'bind' | 'volume' | 'tmpfs';
  /** Host path: the bind source, or the volume's _data (empty for tmpfs). */
  Source: string;
  Destination: string;
  RW: boolean;
  /** Volume name ('' for bind and tmpfs). */
  Name: string;
  Driver: string;
  /** z/Z as given (no SELinux here). */
  Relabel: string;
  Propagation: string;
  /** -v / --mount volume-nocopy: no copy of the image's content into a new volume. */
  NoCopy?: boolean;
  /** The HostConfig.Mounts entry it came from (Docker keeps it as Spec). */
  Spec?: unknown;
}

export function initialState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME,
  };
}

export function containerDir(dataRoot: string, id: string): string {
  return join(dataRoot, 'containers', id);
}

/** Saves both files; each write is atomic, and hostconfig.json is written first so a record never points at a missing one. */
export async function saveRecord(dataRoot: string, rec: ContainerRecord, hostConfig: HostConfig): Promise<void> {
  const dir = containerDir(dataRoot, rec.ID);
  await writeJsonAtomic(join(dir, 'hostconfig.json'), hostConfig);
  await writeJsonAtomic(join(dir, 'config.v2.json'), rec);
}

export async function saveState(dataRoot: string, rec: ContainerRecord): Promise<void> {
  await writeJsonAtomic(join(containerDir(dataRoot, rec.ID), 'config.v2.json'), rec);
}

export async function loadRecord(dataRoot: string, id: string): Promise<{ rec: ContainerRecord; hostConfig: HostConfig } | undefined> {
  const dir = containerDir(dataRoot, id);
  const rec = await readJsonIfExists<ContainerRecord>(join(dir, 'config.v2.json'));
  const hostConfig = await readJsonIfExists<HostConfig>(join(dir, 'hostconfig.json'));
  if (!rec || !hostConfig || rec.ID !== id) return undefined;
  return { rec, hostConfig };
}
