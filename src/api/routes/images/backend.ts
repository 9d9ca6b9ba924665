import type { Filters } from '../../request.ts';
import type { JsonMessage } from '../../streams/json-stream.ts';

export interface ImagesBackend {
  list(opts: { all: boolean; digests: boolean; filters: Filters; sharedSize: boolean }): Promise<unknown[]>;
  inspect(name: string): Promise<unknown>;
  history(name: string): Promise<unknown[]>;
  tag(name: string, repo: string, tag: string): Promise<void>;
  remove(name: string, opts: { force: boolean; noprune: boolean }): Promise<unknown[]>;
  load(body: AsyncIterable<Uint8Array>, progress: (m: JsonMessage) => void): Promise<void>;
  /** Checks every name first (404 before any byte is sent), then streams the archive. */
  save(names: string[]): Promise<AsyncIterable<Uint8Array>>;
  import(body: AsyncIterable<Uint8Array>, opts: { repo: string; tag: string; changes: string[]; message: string }, progress: (m: JsonMessage) => void): Promise<void>;
  prune(filters: Filters): Promise<unknown>;
  listFilterKeys: readonly string[];
}
