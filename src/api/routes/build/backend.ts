import type { JsonMessage } from '../../streams/json-stream.ts';
import type { RegistryCredentials } from '../registry/backend.ts';

/** An auth configuration of the X-Registry-Config header (one per registry): registry.AuthConfig. */
export type BuildAuthConfig = RegistryCredentials;

/** POST /build's query and headers, parsed and checked (moby newImageBuildOptions). */
export interface BuildRequest {
  dockerfile: string;
  tags: string[];
  extraHosts: string[];
  remote: string;
  quiet: boolean;
  noCache: boolean;
  cacheFrom: string[];
  pull: boolean;
  remove: boolean;
  forceRemove: boolean;
  memory: number;
  memorySwap: number;
  cpuShares: number;
  cpuSetCpus: string;
  cpuPeriod: number;
  cpuQuota: number;
  /** null: `--build-arg NAME` with NAME unset on the client (only warned about when unused). */
  buildArgs: Record<string, string | null>;
  shmSize: number;
  labels: Record<string, string>;
  networkMode: string;
  platform: string;
  target: string;
  outputs: { Type: string; Attrs: Record<string, string> }[];
  ulimits: { Name: string; Soft: number; Hard: number }[];
  /** `buildid`: the ID /build/cancel names. */
  buildId: string;
  /** X-Registry-Config, by registry. */
  authConfigs: Record<string, BuildAuthConfig>;
  /** X-Berth-Build-Secrets: `RUN --mount=type=secret` data by id. Never logged. */
  secrets: Map<string, Uint8Array>;
  /** The request's Content-Length, if any (remote context progress). */
  contentLength?: number;
}

export interface BuildPruneRequest {
  all: boolean;
  filters: Map<string, string[]>;
  reservedSpace: number;
  maxUsedSpace: number;
  minFreeSpace: number;
}

export interface BuildBackend {
  /**
   * Runs a build; `out` receives the stream's messages (`stream`, `aux`, pull progress). Resolves
   * with the image ID; throws when it fails (the handler words the error in or out of band).
   */
  build(req: BuildRequest, body: AsyncIterable<Uint8Array>, out: (m: JsonMessage) => void, signal: AbortSignal): Promise<string>;
  prune(req: BuildPruneRequest): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>;
  /** POST /build/cancel: cancels the build with that `buildid` (unknown IDs are no error). */
  cancel(id: string): Promise<void>;
}
