// What the container verbs need from the other boxes: narrow, so tests can pass fakes.
import type { Logger } from '../../common/index.ts';
import type { EventBus } from '../events.ts';
import type { ContainerRuntime } from '../../runtime/index.ts';
import type { ImageConfig } from '../../api/index.ts';
import type { NetworkController } from '../../network/index.ts';
import type { VolumeStore } from '../../volume/index.ts';
import type { StoredConfig, HostConfig } from './record.ts';
import type { ContainerNetworking } from './networking.ts';
import type { DiffSource } from '../../layer/index.ts';
import type { CommitOptions } from '../../image/index.ts';

export interface ImageConfigView {
  id: string;
  chainId: string | null;
  /** The image's `config` (the Engine API's ImageConfig): the process fields, plus those only inspect shows. */
  config: ImageConfig;
}

export interface ImageResolver {
  /** Resolves a reference to an image (`No such image: x` when missing). */
  resolve(ref: string): Promise<ImageConfigView>;
  /** `docker commit`'s image side: checks its input now, then makes the image from a layer tar. */
  prepareCommit?(opts: CommitOptions): (layerTar: AsyncIterable<Uint8Array>) => Promise<{ id: string; ref: string }>;
}

export interface RWLayers {
  readonly driverName: string;
  createRW(id: string, parent: string | null): Promise<void>;
  mountRW(id: string): Promise<string>;
  unmountRW(id: string): Promise<void>;
  removeRW(id: string): Promise<void>;
  rwSize(id: string): Promise<number>;
  /** Where the container's changes are (diff, commit). */
  rwDiffSource(id: string): Promise<DiffSource>;
  reconcile(keepMounted: Set<string>): Promise<void>;
}

/** The runtime box's calls the verbs make. */
export type RuntimeBox = Pick<ContainerRuntime,
  'runtimeNames' | 'create' | 'start' | 'exec' | 'kill' | 'delete' | 'pause' | 'resume' | 'updateResources' | 'ps' | 'attach' | 'readExit' | 'waitExit' | 'isAlive'
  | 'writeHealthProcess' | 'connectHealth'>;

/** A container's side of networking, and the network lookups the verbs make. */
export type NetworkingBox = Pick<ContainerNetworking,
  'initialSettings' | 'netnsFor' | 'prepare' | 'attach' | 'detach' | 'readopt' | 'connect' | 'disconnect' | 'ports'> & {
  controller: Pick<NetworkController, 'find'>;
};

export type EventSink = Pick<EventBus, 'publish'>;

/** The volume store's calls the verbs make (create, start, exit, removal, daemon start). */
export type VolumesBox = Pick<VolumeStore, 'create' | 'get' | 'remove' | 'ref' | 'unref' | 'refs' | 'mount' | 'unmount' | 'reconcile'>;

export interface ContainerDeps {
  dataRoot: string;
  execRoot: string;
  cgroupParent: string;
  defaultRuntime: string;
  logDriver: string;
  logOpts: Record<string, string>;
  /** Path of a static init (tini) for --init, mounted at /sbin/docker-init. */
  initPath: string;
  seccompProfile: unknown;
  /** The capabilities this host can grant (its bounding set): privileged gets these. */
  knownCapabilities: readonly string[];
  images: ImageResolver;
  layers: RWLayers;
  runtime: RuntimeBox;
  events: EventSink;
  log: Logger;
  validateHostConfig(hostConfig: HostConfig, config: StoredConfig): void;
  networking: NetworkingBox;
  volumes: VolumesBox;
  /** Whether the kernel OOM-killed a process of the container's cgroup (a Linux read; tests fake it). */
  oomKilled(cgroupPath: string): Promise<boolean>;
  /** The embedded DNS server's address for containers on a user-defined network, if one serves it. */
  dnsFor?(networkId: string): string | undefined;
}
