// POST /build, /build/prune, /build/cancel and /system/df's Build Cache (the build route
// backend) on the builder box's engine: the context streamed under <data-root>/builder/tmp,
// a BuildExecutor over the daemon's containers, layers and images for each build, the result
// tagged as moby's build backend does (daemon/build.go: "Successfully built", tagImages), the
// build cache and the cache mounts counted and pruned together.
import { mkdir, readdir, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { BuildBackend, BuildCache, BuildPruneRequest, BuildRequest, JsonMessage } from '../api/index.ts';
import { invalidParameter, isMountPoint, readMountInfo } from '../common/index.ts';
import { familiarString, parseNormalizedNamed, type ImageService } from '../image/index.ts';
import type { AuthConfig } from '../distribution/index.ts';
import { INDEX_SERVER } from '../distribution/index.ts';
import type {
  BuildCacheRecord, BuildContext, Builder, BuildMessage, BuildOptions, BuildRequest as EngineBuildRequest, BuildResult, PruneOptions, PruneResult,
} from '../builder/index.ts';
import type { EventBus } from './events.ts';
import { createBuildExecutor, type ExecutorDeps } from './build/executor.ts';
import type { CacheMounts, CacheMountUsage } from './build/cache-mounts.ts';
import { clearScratchLayers, type ScratchDeps } from './build/scratch-layer.ts';
import { unmountAndRemove } from './build/mounts.linux.ts';
import { clearStaging } from './containers/subpath-staging.linux.ts';

export interface BuildContextReceiver {
  /** A tar context (plain or compressed) received into `dir`. */
  receive(body: AsyncIterable<Uint8Array>, opts: { dir: string; dockerfile?: string }): Promise<BuildContext>;
  /** A `remote` context (a tarball or a Dockerfile by URL) fetched into `dir`. */
  fetchRemote?(url: string, opts: { dir: string; dockerfile?: string; signal: AbortSignal; progress: (m: JsonMessage) => void }): Promise<BuildContext>;
}

export interface BuildApiDeps {
  /** The builder box's engine (openBuilder). */
  engine: Builder;
  contexts: BuildContextReceiver;
  executor: ExecutorDeps;
  images: Pick<ImageService, 'delete' | 'references'>;
  cacheMounts: CacheMounts;
  events: EventBus;
  /** Whether a container uses an image (build cache prune keeps such images). */
  imageInUse: (imageId: string) => boolean;
  /** <data-root>/builder/tmp */
  tmpDir: string;
}

/** moby sanitizeRepoAndTags: each `t` a valid name (tag `latest` if none), no digest, once each. */
function sanitizeTags(tags: string[]): string[] {
  const out: string[] = [];
  for (const t of tags) {
    if (t === '') continue;
    let ref;
    try {
      ref = parseNormalizedNamed(t);
    } catch (err) {
      throw invalidParameter((err as Error).message);
    }
    if (ref.digest !== undefined) throw invalidParameter('build tag cannot contain a digest');
    const name = familiarString({ ...ref, tag: ref.tag ?? 'latest' });
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The X-Registry-Config entry for a registry (the index under its legacy key, others by host). */
function authFor(configs: BuildRequest['authConfigs'], domain: string): AuthConfig {
  const strip = (k: string) => k.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const hub = domain === 'docker.io';
  for (const [key, cfg] of Object.entries(configs)) {
    const host = strip(key);
    if (hub ? key === INDEX_SERVER || host === 'index.docker.io' || host === 'docker.io' : host === domain) {
      const out: AuthConfig = {};
      for (const [k, v] of Object.entries(cfg)) if (typeof v === 'string') (out as Record<string, string>)[k] = v;
      return out;
    }
  }
  return {};
}

/** The engine's options for a build: the query's, `q` excepted (the route holds the stream back, as moby's does). */
function engineOptions(req: BuildRequest, tags: string[]): BuildOptions {
  return {
    dockerfile: req.dockerfile || undefined, tags, buildArgs: req.buildArgs, target: req.target || undefined, noCache: req.noCache, pull: req.pull,
    cacheFrom: req.cacheFrom, labels: req.labels, platform: req.platform || undefined, networkMode: req.networkMode || undefined,
    rm: req.remove, forceRm: req.forceRemove, quiet: false, secrets: req.secrets, buildId: req.buildId || undefined,
  };
}

const streamMessage = (m: BuildMessage): JsonMessage => ('aux' in m ? { aux: m.aux } : { stream: m.stream });

const CACHE_MOUNT_TYPE = 'exec.cachemount';

/** A cache mount's Build Cache ID: 25 characters, as BuildKit's record IDs are. */
const cacheMountId = (u: CacheMountUsage) => createHash('sha256').update(u.name).digest('hex').slice(0, 25);
const cacheMountDescription = (u: CacheMountUsage) => `cached mount with id ${u.id}`;

function cacheMountRow(u: CacheMountUsage): BuildCache {
  return {
    ID: cacheMountId(u), Parents: null, Type: CACHE_MOUNT_TYPE, Description: cacheMountDescription(u),
    InUse: u.inUse, Shared: false, Size: u.size, CreatedAt: u.created, LastUsedAt: u.lastUsed || null, UsageCount: u.usageCount,
  };
}

export class BuildApi implements BuildBackend {
  private readonly deps: BuildApiDeps;
  /** Running builds by `buildid`, for /build/cancel. */
  private readonly running = new Map<string, AbortController>();

  constructor(deps: BuildApiDeps) {
    this.deps = deps;
  }

  async build(req: BuildRequest, body: AsyncIterable<Uint8Array>, out: (m: JsonMessage) => void, signal: AbortSignal): Promise<string> {
    const tags = sanitizeTags(req.tags);
    const abort = new AbortController();
    const onClientGone = () => abort.abort();
    signal.addEventListener('abort', onClientGone, { once: true });
    if (signal.aborted) abort.abort();
    if (req.buildId) this.running.get(req.buildId)?.abort();
    if (req.buildId) this.running.set(req.buildId, abort);
    const dir = join(this.deps.tmpDir, `ctx-${randomBytes(12).toString('hex')}`);
    let context: BuildContext | undefined;
    try {
      const dockerfile = req.dockerfile || undefined;
      context = req.remote
        ? await this.remote(req.remote, { dir, dockerfile, signal: abort.signal, progress: out })
        : await this.deps.contexts.receive(body, { dir, dockerfile });
      const executor = createBuildExecutor(this.deps.executor, {
        contextDir: context.dir,
        options: {
          memory: req.memory, memswap: req.memorySwap, cpushares: req.cpuShares, cpusetcpus: req.cpuSetCpus, cpuperiod: req.cpuPeriod,
          cpuquota: req.cpuQuota, shmsize: req.shmSize, ulimits: req.ulimits, extrahosts: req.extraHosts, networkmode: req.networkMode,
        },
        authFor: (domain) => authFor(req.authConfigs, domain),
        progress: out,
      });
      const request: EngineBuildRequest = { context, executor, options: engineOptions(req, tags), onMessage: (m) => out(streamMessage(m)), signal: abort.signal };
      const { imageId }: BuildResult = await this.deps.engine.build(request);
      return imageId;
    } finally {
      signal.removeEventListener('abort', onClientGone);
      if (req.buildId && this.running.get(req.buildId) === abort) this.running.delete(req.buildId);
      await (context?.close() ?? Promise.resolve()).catch(() => {});
      await rm(dir, { recursive: true, force: true }).catch(() => {});
    }
  }

  private remote(url: string, opts: { dir: string; dockerfile?: string; signal: AbortSignal; progress: (m: JsonMessage) => void }): Promise<BuildContext> {
    if (!this.deps.contexts.fetchRemote) throw invalidParameter('remote build contexts are not supported');
    return this.deps.contexts.fetchRemote(url, opts);
  }

  async cancel(id: string): Promise<void> {
    this.running.get(id)?.abort();
    this.deps.engine.cancel(id);
  }

  async prune(req: BuildPruneRequest) {
    const filters = Object.fromEntries(req.filters);
    const keepStorage = await this.keepStorage(req);
    const opts: PruneOptions = {
      all: req.all, filters, keepStorage,
      keepImage: (id) => this.deps.imageInUse(id) || this.deps.images.references(id).repoTags.length > 0,
    };
    const result: PruneResult = await this.deps.engine.prune(opts);
    let reclaimed = result.spaceReclaimed;
    // Images only the removed cache records kept (untagged intermediate images, unused).
    for (const id of result.imageIds) {
      if (this.deps.imageInUse(id)) continue;
      await this.deps.images.delete(id, { force: false, noprune: false }).catch(() => {});
    }
    const removedMounts = await this.deps.cacheMounts.prune((u) => cacheMountMatches(u, req));
    reclaimed += removedMounts.reduce((n, u) => n + u.size, 0);
    const deleted = [...result.deleted, ...removedMounts.map(cacheMountId)];
    this.deps.events.publish({ Type: 'builder', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(reclaimed) } } });
    return { CachesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /**
   * The most cache bytes to keep: reserved-space (keep-storage), max-used-space, and what
   * min-free-space leaves of the cache on the data root's filesystem; the smallest one wins.
   */
  private async keepStorage(req: BuildPruneRequest): Promise<number | undefined> {
    const limits: number[] = [];
    if (req.reservedSpace > 0) limits.push(req.reservedSpace);
    if (req.maxUsedSpace > 0) limits.push(req.maxUsedSpace);
    if (req.minFreeSpace > 0) {
      const fs = await statfs(this.deps.tmpDir);
      const free = Number(fs.bavail) * Number(fs.bsize);
      const used = (await this.deps.engine.diskUsage()).reduce((n, r) => n + (r.Size ?? 0), 0);
      limits.push(Math.max(0, used - Math.max(0, req.minFreeSpace - free)));
    }
    return limits.length ? Math.min(...limits) : undefined;
  }

  /** /system/df's Build Cache rows. */
  async diskUsage(): Promise<BuildCache[]> {
    const rows: BuildCacheRecord[] = await this.deps.engine.diskUsage();
    return [...rows, ...(await this.deps.cacheMounts.usage()).map(cacheMountRow)];
  }
}

/** BuildKit's prune filters on a cache mount row (until/unused-for, id prefix, type, description, inuse, private/shared). */
function cacheMountMatches(u: CacheMountUsage, req: BuildPruneRequest): boolean {
  const f = req.filters;
  const untilValues = [...(f.get('until') ?? []), ...(f.get('unused-for') ?? []), ...(f.get('unusedfor') ?? [])];
  for (const v of untilValues) {
    const ms = goDurationMs(v);
    if (ms === undefined) throw invalidParameter(`invalid until filter: ${v}`);
    const last = Date.parse(u.lastUsed || u.created);
    if (Number.isFinite(last) && Date.now() - last < ms) return false;
  }
  if (f.has('id') && !f.get('id')!.some((id) => cacheMountId(u).startsWith(id))) return false;
  if (f.has('type') && !f.get('type')!.includes(CACHE_MOUNT_TYPE)) return false;
  if (f.has('description') && !f.get('description')!.some((d) => cacheMountDescription(u).includes(d))) return false;
  if (f.has('shared')) return false;
  if (f.has('parent')) return false;
  return true;
}

/** Go's time.ParseDuration for the `until` filter ("24h", "1h30m", "10m"). */
function goDurationMs(v: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v)) return v === '0' ? 0 : undefined;
  let total = 0;
  for (const m of v.matchAll(re)) total += Number(m[1]) * units[m[2]];
  return total;
}

/**
 * Daemon start: what a killed daemon's builds left: the secret tmpfs mounts and staged binds
 * under <exec-root>/builder, the overlays of `rw` context binds there, the contexts under
 * <data-root>/builder/tmp, and the scratch RW layers in the journal.
 */
export async function clearBuildLeftovers(opts: { execDir: string; tmpDir: string; scratch: Pick<ScratchDeps, 'layers' | 'journalDir'>; warn: (msg: string, f: Record<string, unknown>) => void }): Promise<void> {
  const mounts = (await readMountInfo().catch(() => [])).map((m) => m.mountPoint);
  // Deepest first, so a mount inside another one goes before it.
  for (const mp of mounts.filter((p) => p.startsWith(`${opts.execDir}/`) || p.startsWith(`${opts.tmpDir}/`)).sort((a, b) => b.length - a.length)) {
    try {
      unmountAndRemove(mp, mp);
    } catch (err) {
      opts.warn('unmounting a leftover build mount failed', { path: mp, err: String(err) });
    }
  }
  clearStaging(join(opts.execDir, 'stage'));
  for (const dir of [join(opts.execDir, 'secrets'), join(opts.execDir, 'rw'), opts.tmpDir]) {
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const p = join(dir, name);
      if (await isMountPoint(p).catch(() => false)) continue;
      await rm(p, { recursive: true, force: true }).catch((err) => opts.warn('removing a leftover build directory failed', { path: p, err: String(err) }));
    }
  }
  await mkdir(opts.tmpDir, { recursive: true, mode: 0o700 });
  await clearScratchLayers(opts.scratch, opts.warn);
}
