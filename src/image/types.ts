// The roles the image box needs from its neighbours, and the records it hands out.
import type { HealthConfig, ImageConfigFile } from './image-config.ts';

/** A registered layer as the layer box describes it. */
export interface LayerInfo {
  chainId: string;
  diffId: string;
  parent: string | null;
  cacheId: string;
  /** Size of this layer's own diff in bytes. */
  size: number;
}

/** What the image box uses of src/layer's LayerStore (structural, so tests can pass a fake). */
export interface ImageLayerStore {
  readonly driverName: string;
  /** Registers an uncompressed layer tar on top of `parent`; idempotent for a known chain. */
  register(tar: AsyncIterable<Uint8Array>, parent: string | null, expectedDiffId?: string, parentReady?: Promise<unknown>): Promise<LayerInfo>;
  /** The layer, or undefined / a NotFound error when it does not exist. */
  get(chainId: string): Promise<LayerInfo | undefined> | LayerInfo | undefined;
  /** Removes a layer; a Conflict error when something still uses it. */
  delete(chainId: string): Promise<unknown>;
  /** The driver's name and data for inspect (`MergedDir`, `UpperDir`, `LowerDir`, ...). */
  graphDriverData(chainId: string): Promise<{ Name: string; Data: Record<string, string> }> | { Name: string; Data: Record<string, string> };
  /** Optional: the layer's diff as an uncompressed tar (lets `save` export layers whose blob is unknown). */
  diffTar?(chainId: string): AsyncIterable<Uint8Array>;
}

/** The container using an image, for Docker's delete conflict rules. Return a running one if there is any. */
export type ContainerUsage = (imageId: string) => { containerId: string; running: boolean } | undefined;

/** Events for /events. */
export interface ImageEvent {
  Action: 'load' | 'tag' | 'untag' | 'delete' | 'import' | 'save' | 'prune' | 'pull' | 'push';
  id: string;
  name?: string;
  attributes?: Record<string, string>;
}

export type ImageEventHook = (event: ImageEvent) => void;

/** One image as stored: the config bytes are its identity. */
export interface StoredImage {
  /** `sha256:<hex>` of the config bytes. */
  id: string;
  raw: Uint8Array;
  config: ImageConfigFile;
  /** Chain IDs of its layers, bottom first. */
  chainIds: string[];
  /** Parent image ID (locally built images only), or ''. */
  parent: string;
  /** When the image was last tagged (RFC3339Nano), if ever. */
  lastUpdated?: string;
  /** `created` in nanoseconds since the epoch, if the config has a readable one. */
  createdNs?: bigint;
}

/** The blob a layer was received as (kept so save/push need no recompression). */
export interface LayerBlob {
  digest: string;
  mediaType: string;
  size: number;
  /** The repository it was pulled from (`docker.io/library/busybox`): push mounts it from there. */
  sourceRepository?: string;
}

/** What a container manager needs from an image. */
export interface ResolvedImageConfig {
  id: string;
  topChainId: string | null;
  os: string;
  architecture: string;
  Env: string[];
  Cmd: string[] | null;
  Entrypoint: string[] | null;
  WorkingDir: string;
  User: string;
  ExposedPorts: Record<string, Record<string, unknown>>;
  Volumes: Record<string, Record<string, unknown>>;
  StopSignal: string;
  Healthcheck: HealthConfig | null;
  Labels: Record<string, string>;
  OnBuild: string[];
  Shell: string[] | null;
}

export interface ProgressMessage {
  stream?: string;
  status?: string;
  id?: string;
  progressDetail?: object;
  progress?: string;
  error?: string;
}

export type ProgressFn = (msg: ProgressMessage) => void;

export const MEDIA_TYPE = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
} as const;

/** One row of the image list: the image and what was computed about it. */
export interface ImageListEntry {
  image: StoredImage;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  /** Containers using the image, when counted. */
  containers?: number;
  /** Bytes of layers shared with other images, when computed. */
  sharedSize?: number;
}

/** An image with its references, size and storage driver data, for inspect. */
export interface ImageDetails {
  image: StoredImage;
  repoTags: string[];
  repoDigests: string[];
  size: number;
  graphDriver: { Name: string; Data: Record<string, string> | null };
}

/** An image's history inputs: its layers' own sizes and the tags along its parent chain. */
export interface ImageHistory {
  image: StoredImage;
  /** Each layer's own size, bottom first. */
  layerSizes: number[];
  /** The image's tags (familiar form). */
  tags: string[];
  /** Parent, grandparent, ... of locally built images, with their tags. */
  ancestors?: { id: string; tags: string[] }[];
}

/** What deleting an image did: one record per untagged reference and deleted image. */
export interface DeleteRecord {
  Untagged?: string;
  Deleted?: string;
}

export interface PruneReport {
  ImagesDeleted: DeleteRecord[] | null;
  SpaceReclaimed: number;
}

/** Created as Unix seconds (0 when the image has no creation time). */
export function createdSeconds(img: StoredImage): number {
  return img.createdNs === undefined ? 0 : Number(img.createdNs / 1_000_000_000n) - (img.createdNs < 0n && img.createdNs % 1_000_000_000n !== 0n ? 1 : 0);
}
