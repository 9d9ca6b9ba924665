// Cache lookups for one build: the persistent records (cache-store.ts) first, then the
// --cache-from images. A hit needs the record's image to still exist; a record whose image is
// gone is dropped. `noCache` never hits but still records, so the next build can use them.
import { SCRATCH, type BuildExecutor, type StepImage } from '../executor.ts';
import { CacheFromSources } from './cache-from.ts';
import { cacheKey } from './cache-key.ts';
import type { CacheStore } from './cache-store.ts';
import type { RunConfig } from './run-config.ts';

export interface CacheProbe {
  key: string;
  parent: StepImage | typeof SCRATCH;
  probeConfig: RunConfig;
}

export class StepCache {
  private readonly store: CacheStore;
  private readonly executor: BuildExecutor;
  private readonly noCache: boolean;
  private readonly cacheFrom: CacheFromSources;
  /** Records this build used or made: InUse in df, spared by prune while it runs. */
  readonly inUse = new Set<string>();

  constructor(store: CacheStore, executor: BuildExecutor, opts: { noCache: boolean; cacheFrom: string[] }) {
    this.store = store;
    this.executor = executor;
    this.noCache = opts.noCache;
    this.cacheFrom = new CacheFromSources(executor, opts.noCache ? [] : opts.cacheFrom);
  }

  static parentId(parent: StepImage | typeof SCRATCH): string {
    return parent === SCRATCH ? '' : parent.id;
  }

  probeFor(parent: StepImage | typeof SCRATCH, probeConfig: RunConfig, extra?: Record<string, unknown>): CacheProbe {
    return { key: cacheKey(StepCache.parentId(parent), probeConfig, extra), parent, probeConfig };
  }

  /** The cached image for a step, or undefined. `stateConfig` is the config after the step (cache-from restores it). */
  async lookup(p: CacheProbe, stateConfig: RunConfig): Promise<StepImage | undefined> {
    if (this.noCache) return undefined;
    await this.store.load();
    const rec = this.store.get(p.key);
    if (rec) {
      const img = this.executor.localImage(rec.imageId);
      if (img) {
        this.inUse.add(rec.id);
        this.store.touch(rec.id);
        return img;
      }
      await this.store.delete(rec.id);
    }
    if (this.cacheFrom.empty) return undefined;
    return this.cacheFrom.probe(p.parent, p.probeConfig, stateConfig);
  }

  /** At the end of the build: the use counts of the records it hit. */
  flush(): Promise<void> {
    return this.store.flush();
  }

  async record(p: CacheProbe, image: StepImage, size: number): Promise<void> {
    await this.store.load();
    await this.store.put({
      id: p.key,
      parent: StepCache.parentId(p.parent),
      imageId: image.id,
      description: (p.probeConfig.Cmd ?? []).join(' '),
      size,
    });
    this.inUse.add(p.key);
  }
}
