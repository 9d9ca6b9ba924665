// The builder the daemon opens once: builds, with cancel by build ID, and the cache's
// accounting (df, prune). Records live under <data-root>/builder/.
import { join } from 'node:path';
import { runBuild } from './build.ts';
import { CacheStore } from './cache-store.ts';
import { cacheRow, pruneCache } from './prune.ts';
import type { StepCache } from './step-cache.ts';
import type { BuildCacheRecord, Builder, BuildRequest, BuildResult, PruneOptions, PruneResult } from './types.ts';

export interface BuilderOptions {
  dataRoot: string;
  /** The daemon's version, written as docker_version in the images (as dockerd does). */
  dockerVersion?: string;
  /** Whether an image still exists: records of deleted images are dropped from df and prune. */
  imageExists?: (imageId: string) => boolean;
}

export function openBuilder(opts: BuilderOptions): Builder {
  const store = new CacheStore(join(opts.dataRoot, 'builder'));
  const active = new Map<string, AbortController>();
  const caches = new Set<StepCache>();
  const inUse = (id: string) => [...caches].some((c) => c.inUse.has(id));
  const imageExists = opts.imageExists ?? (() => true);

  return {
    async build(req: BuildRequest): Promise<BuildResult> {
      const ctl = new AbortController();
      const onAbort = () => ctl.abort();
      if (req.signal?.aborted) ctl.abort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const id = req.options.buildId;
      if (id) active.set(id, ctl);
      try {
        return await runBuild(
          { store, tmpDir: join(opts.dataRoot, 'builder', 'tmp'), dockerVersion: opts.dockerVersion, onCache: (c, done) => (done ? caches.delete(c) : caches.add(c)) },
          req,
          ctl.signal,
        );
      } finally {
        req.signal?.removeEventListener('abort', onAbort);
        if (id && active.get(id) === ctl) active.delete(id);
      }
    },

    cancel(buildId: string): boolean {
      const ctl = active.get(buildId);
      if (!ctl) return false;
      ctl.abort();
      return true;
    },

    async diskUsage(): Promise<BuildCacheRecord[]> {
      await store.load();
      const rows: BuildCacheRecord[] = [];
      for (const rec of store.list()) {
        if (!imageExists(rec.imageId) && !inUse(rec.id)) {
          await store.delete(rec.id);
          continue;
        }
        rows.push(cacheRow(store, rec, inUse(rec.id)));
      }
      return rows.sort((a, b) => (a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : 0));
    },

    prune(p: PruneOptions): Promise<PruneResult> {
      return pruneCache(store, p, inUse, imageExists);
    },
  };
}
