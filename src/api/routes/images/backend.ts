import type { Filters } from '../../request.ts';
import type { JsonMessage } from '../../streams/json-stream.ts';
import type { ImageHistoryResponseItem as HistoryResponseItem, ImageDeleteResponseItem, ImageInspect, ImagePruneResponse, ImageSummary } from '../../types/engine-api.generated.ts';

export interface ImagesBackend {
  list(opts: { all: boolean; digests: boolean; filters: Filters; sharedSize: boolean; version: string }): Promise<ImageSummary[]>;
  /** `legacyContainerConfig`: Container and ContainerConfig whatever the version (src/api/client-quirks.ts). */
  inspect(name: string, opts: { version: string; legacyContainerConfig?: boolean }): Promise<ImageInspect>;
  history(name: string): Promise<HistoryResponseItem[]>;
  tag(name: string, repo: string, tag: string): Promise<void>;
  remove(name: string, opts: { force: boolean; noprune: boolean }): Promise<ImageDeleteResponseItem[]>;
  load(body: AsyncIterable<Uint8Array>, progress: (m: JsonMessage) => void): Promise<void>;
  /** Checks every name first (404 before any byte is sent), then streams the archive. */
  save(names: string[]): Promise<AsyncIterable<Uint8Array>>;
  import(body: AsyncIterable<Uint8Array>, opts: { repo: string; tag: string; changes: string[]; message: string }, progress: (m: JsonMessage) => void): Promise<void>;
  prune(filters: Filters): Promise<ImagePruneResponse>;
  /** POST /images/create?fromImage: errors before the first message get an HTTP status. */
  pull(opts: { image: string; tag: string; platform: string; authHeader?: string }, progress: (m: JsonMessage) => void, signal?: AbortSignal): Promise<void>;
  listFilterKeys: readonly string[];
}
