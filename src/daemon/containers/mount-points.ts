// A container's mounts through its life (moby daemon/volumes.go registerMountPoints,
// create_unix.go createContainerVolumesOS, volumes_unix.go setupMounts, oci_linux.go WithMounts,
// delete.go removeMountPoints): resolved into MountPoints at create (volumes made or found in the
// volume store and referenced), mounted and copied up at start, unmounted at exit, released
// (anonymous ones removed with `rm -v`) at removal.
import { closeSync, existsSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { BerthError, KeyedLock, invalidParameter, parseMountInfo, systemError } from '../../common/index.ts';
import type { MountSpec } from '../../runtime/index.ts';
import { copyUp } from '../../volume/index.ts';
import { O_PATH, openInRoot, openRoot } from '../../fsroot/index.ts';
import {
  DEFAULT_PROPAGATION, anonymousVolumePaths, containerMounts, parseVolumesFrom, tmpfsDataOf, toMountSpec,
  type ContainerMount, type ResolvedMount,
} from '../host-config/index.ts';
import type { EngineMount } from '../host-config/types.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './container.ts';
import type { HostConfig, MountPoint, StoredConfig } from './record.ts';

type Ctx = Pick<ContainerContext, 'volumes' | 'store' | 'dataRoot' | 'events' | 'log'>;

/** One copy-up per volume at a time: two containers starting on one new volume must not both fill it. */
const copyUpLocks = new KeyedLock();

/** Destination depth: parents are mounted before their children (moby sortMounts). */
const depth = (dest: string) => (dest.match(/\//g) ?? []).length;

function cleanTmpfsKeys(hc: HostConfig): Set<string> {
  const t = hc.Tmpfs;
  if (!t || typeof t !== 'object') return new Set();
  return new Set(Object.keys(t).map((k) => (k.length > 1 ? k.replace(/\/+$/, '') : k)));
}

/**
 * moby validateBindDaemonRoot: a bind of (or over) the data root must not keep private copies of
 * the daemon's mounts, so it gets rslave unless the user chose rslave or rshared.
 */
function daemonRootPropagation(m: Extract<ContainerMount, { kind: 'bind' }>, dataRoot: string): string {
  if (!inDaemonRoot(m.source, dataRoot)) return m.propagation;
  if (!m.explicitPropagation) return 'rslave';
  if (m.propagation === 'rslave' || m.propagation === 'rshared') return m.propagation;
  throw invalidParameter(`invalid mount config: must use either propagation mode "rslave" or "rshared" when mount source is within the daemon root, daemon root: ${JSON.stringify(dataRoot)}, bind mount source: ${JSON.stringify(m.source)}, propagation: ${JSON.stringify(m.propagation)}`);
}

const inDaemonRoot = (source: string, dataRoot: string) => source.startsWith(dataRoot) || dataRoot.startsWith(source);

/** The user chose the bind's propagation: in --mount's BindOptions or in the -v mode. */
function explicitPropagation(mp: MountPoint): boolean {
  const spec = mp.Spec as EngineMount | undefined;
  if (spec) return Boolean(spec.BindOptions?.Propagation);
  return mp.Relabel.split(',').some((w) => PROPAGATION_WORDS.has(w));
}

const PROPAGATION_WORDS = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

export interface RegisteredMounts {
  mountPoints: Record<string, MountPoint>;
  /** Releases the references taken and removes the anonymous volumes made (a create that failed later). */
  undo(): Promise<void>;
}

/**
 * The MountPoints of a new container, in moby's order: volumes of --volumes-from containers, then
 * -v and --mount (which replace them at the same destination), then anonymous volumes for
 * Config.Volumes (the image's VOLUMEs, `-v /path`) where nothing is mounted yet.
 */
export async function registerMountPoints(ctx: Ctx, id: string, hc: HostConfig, config: Pick<StoredConfig, 'Volumes'>): Promise<RegisteredMounts> {
  const parsed = containerMounts(hc, existsSync);
  const volumePaths = anonymousVolumePaths(config.Volumes);
  const created: string[] = [];
  const referenced = new Set<string>();
  const ref = (name: string) => {
    ctx.volumes.ref(name, id);
    referenced.add(name);
  };
  const undo = async () => {
    for (const name of referenced) ctx.volumes.unref(name, id);
    for (const name of created) await ctx.volumes.remove(name, { force: true }).catch(() => {});
  };
  const mps: Record<string, MountPoint> = {};
  const tmpfs = cleanTmpfsKeys(hc);
  try {
    for (const spec of hc.VolumesFrom ?? []) {
      const { container, readonly } = parseVolumesFrom(spec);
      let other: Container;
      try {
        other = ctx.store.get(container);
      } catch (err) {
        throw err instanceof BerthError ? invalidParameter(err.message, err) : err;
      }
      for (const m of Object.values(other.rec.MountPoints ?? {})) {
        if (tmpfs.has(m.Destination)) continue;
        if (m.Type === 'volume') {
          await ctx.volumes.get(m.Name);
          ref(m.Name);
        }
        // Docker keeps the rest as it was there; the mode and a copy-up are not taken over.
        mps[m.Destination] = { ...m, RW: m.RW && !readonly, Relabel: '', NoCopy: true };
      }
    }
    for (const m of parsed) {
      if (m.kind === 'tmpfs') {
        // Only --mount tmpfs ones are MountPoints (and show in inspect); HostConfig.Tmpfs is not.
        if (m.spec) mps[m.destination] = mountPoint('tmpfs', m.destination, { RW: m.spec.ReadOnly !== true, Spec: m.spec });
        continue;
      }
      if (m.kind === 'bind') {
        mps[m.destination] = mountPoint('bind', m.destination, {
          Source: m.source, RW: !m.readonly, Relabel: m.mode ?? '', Propagation: daemonRootPropagation(m, ctx.dataRoot), Spec: m.spec,
        });
        continue;
      }
      const info = await ctx.volumes.create({ name: m.name || undefined, driver: m.driver, driverOpts: m.driverOpts, labels: m.labels, anonymous: m.name === '', refBy: id });
      if (m.name === '') created.push(info.name);
      referenced.add(info.name);
      mps[m.destination] = mountPoint('volume', m.destination, {
        Source: info.mountpoint, RW: !m.readonly, Name: info.name, Driver: info.driver, Relabel: m.mode || 'z', Spec: m.spec,
        ...(m.nocopy ? { NoCopy: true } : {}),
      });
    }
    for (const path of volumePaths) {
      if (mps[path] || tmpfs.has(path)) continue;
      const info = await ctx.volumes.create({ driver: hc.VolumeDriver || 'local', anonymous: true, refBy: id });
      created.push(info.name);
      referenced.add(info.name);
      mps[path] = mountPoint('volume', path, { Source: info.mountpoint, Name: info.name, Driver: info.driver });
    }
  } catch (err) {
    await undo();
    // A missing volume or driver is the request's fault here: a 404 would make the docker CLI try to pull the image.
    throw err instanceof BerthError && err.kind === 'NotFound' ? invalidParameter(err.message, err) : err;
  }
  // A volume of another container replaced at its destination is not this container's.
  const kept = new Set(Object.values(mps).filter((m) => m.Type === 'volume').map((m) => m.Name));
  for (const name of referenced) {
    if (!kept.has(name)) {
      ctx.volumes.unref(name, id);
      referenced.delete(name);
    }
  }
  return { mountPoints: mps, undo };
}

function mountPoint(type: MountPoint['Type'], destination: string, fields: Partial<MountPoint>): MountPoint {
  const mp: MountPoint = { Type: type, Source: '', Destination: destination, RW: true, Name: '', Driver: '', Relabel: '', Propagation: '', ...fields };
  if (mp.Spec === undefined) delete mp.Spec;
  return mp;
}

/** Records made before berth had volumes: their -v and --mount binds and tmpfs, as MountPoints. */
export function legacyMountPoints(hc: HostConfig): Record<string, MountPoint> {
  const mps: Record<string, MountPoint> = {};
  for (const m of containerMounts(hc, () => true)) {
    if (m.kind === 'bind') mps[m.destination] = mountPoint('bind', m.destination, { Source: m.source, RW: !m.readonly, Relabel: m.mode ?? '', Propagation: m.propagation, Spec: m.spec });
    else if (m.kind === 'tmpfs' && m.spec) mps[m.destination] = mountPoint('tmpfs', m.destination, { RW: m.spec.ReadOnly !== true, Spec: m.spec });
  }
  return mps;
}

/** The distinct volume names of a container's mounts. */
export function volumeNames(c: Container): string[] {
  return [...new Set(Object.values(c.rec.MountPoints ?? {}).filter((m) => m.Type === 'volume').map((m) => m.Name))];
}

function publishVolume(ctx: Pick<Ctx, 'events'>, name: string, action: string, attributes: Record<string, string>): void {
  ctx.events.publish({ Type: 'volume', Action: action, Actor: { ID: name, Attributes: attributes } });
}

/** A mount that cannot be set up (a volume, a propagation check): reaches the client as it is, not as a runtime failure. */
export class MountSetupError extends Error {
  readonly cause: BerthError;
  constructor(cause: BerthError) {
    super(cause.message);
    this.cause = cause;
  }
}

/** What start hands the spec: the mounts, the rootfs propagation they need, and the volumes it mounted. */
export interface StartedMounts {
  mounts: MountSpec[];
  rootfsPropagation?: string;
  /** Closes what the mounts hold open until the runtime has made them (volume subpaths); idempotent. */
  release(): void;
}

export interface SetupOptions {
  /** The first start of the container: new volumes get the image's content (moby does it at create). */
  copyUp: boolean;
  recursiveReadonly: boolean;
  /** /proc/self/mountinfo of the daemon (for shared and slave binds). */
  readMountinfo(): Promise<string>;
  /** Names of the volumes mounted so far (filled in as it goes, so a failure can undo them). */
  mounted: Set<string>;
  /** Binds a volume subpath (an O_PATH fd opened inside the volume) where runc can bind it from; returns that path. */
  stage(fd: number, name: string): string;
  unstage(path: string): void;
}

/**
 * Mounts the container's volumes (copying the image's content into new ones), makes missing -v
 * sources, and maps every MountPoint to the runtime's mount (moby setupMounts + WithMounts).
 */
export async function setupMounts(ctx: Pick<Ctx, 'volumes' | 'events' | 'dataRoot' | 'log'>, c: Container, rootfs: string, opts: SetupOptions): Promise<StartedMounts> {
  const mps = Object.values(c.rec.MountPoints ?? {}).sort((a, b) => depth(a.Destination) - depth(b.Destination));
  const tmpfs = cleanTmpfsKeys(c.hostConfig);
  const mounts: MountSpec[] = [];
  let rootfsPropagation: string | undefined;
  let mountinfo: string | undefined;
  const paths = new Map<string, string>();
  const staged: string[] = [];
  const release = () => {
    for (const path of staged.splice(0)) opts.unstage(path);
  };
  try {
    for (const mp of mps) {
      if (tmpfs.has(mp.Destination)) continue;
      const spec = mp.Spec as EngineMount | undefined;
      let resolved: ResolvedMount;
      if (mp.Type === 'tmpfs') {
        resolved = { kind: 'tmpfs', destination: mp.Destination, data: spec ? tmpfsDataOf(spec) : '' };
      } else if (mp.Type === 'volume') {
        let path = paths.get(mp.Name);
        if (path === undefined) {
          try {
            path = await ctx.volumes.mount(mp.Name, c.rec.ID);
          } catch (err) {
            throw systemError(`error while mounting volume '${mp.Source}': ${(err as Error).message}`, err);
          }
          opts.mounted.add(mp.Name);
          paths.set(mp.Name, path);
        }
        publishVolume(ctx, mp.Name, 'mount', {
          container: c.rec.ID, destination: mp.Destination, driver: mp.Driver, propagation: mp.Propagation, 'read/write': String(mp.RW),
        });
        if (opts.copyUp && !mp.NoCopy) {
          try {
            const dataPath = path;
            await copyUpLocks.run(mp.Name, () => copyUp(rootfs, mp.Destination, dataPath));
          } catch (err) {
            throw systemError(`failed to populate volume: ${(err as Error).message}`, err);
          }
        }
        const subpath = spec?.VolumeOptions?.Subpath;
        const source = subpath ? subpathSource(path, subpath, (fd) => opts.stage(fd, `${c.rec.ID}-${staged.length}`), staged) : path;
        resolved = { kind: 'bind', source, destination: mp.Destination, readonly: !mp.RW, recursive: true, propagation: mp.Propagation };
      } else {
        const b = spec?.BindOptions ?? undefined;
        // -v makes a missing host directory (Docker does, at start); --mount only with bind-create-src.
        if ((!spec || b?.CreateMountpoint === true) && !existsSync(mp.Source)) {
          await mkdir(mp.Source, { recursive: true, mode: 0o755 }).catch((err) => {
            throw systemError(`error while creating mount source path '${mp.Source}': ${(err as Error).message}`, err);
          });
        }
        const propagation = mp.Propagation || DEFAULT_PROPAGATION;
        if (propagation !== 'private' && propagation !== 'rprivate') {
          mountinfo ??= await opts.readMountinfo();
          const source = await realpath(mp.Source).catch(() => mp.Source);
          const { mountPoint, optional } = sourceMountOf(mountinfo, source);
          const shared = optional.some((o) => o.startsWith('shared:'));
          const slave = optional.some((o) => o.startsWith('master:'));
          if (propagation === 'shared' || propagation === 'rshared') {
            if (!shared) throw systemError(`path ${mp.Source} is mounted on ${mountPoint} but it is not a shared mount`);
            if (rootfsPropagation !== 'shared' && rootfsPropagation !== 'rshared') rootfsPropagation = 'shared';
          } else if (!shared && !slave) {
            // moby WithMounts: the rslave a bind of (or over) the data root got without asking
            // falls back to the default when its source is not shared or slave (a project
            // directory above the data root, as docker-compose binds `./`); one asked for fails.
            if (!inDaemonRoot(mp.Source, ctx.dataRoot) || explicitPropagation(mp)) {
              throw systemError(`path ${mp.Source} is mounted on ${mountPoint} but it is not a shared or slave mount`);
            }
            ctx.log.warn('Falling back to default propagation for bind source in daemon root', { container: c.rec.ID, source: mp.Source });
          } else if (rootfsPropagation === undefined) {
            rootfsPropagation = 'rslave';
          }
        }
        resolved = {
          kind: 'bind', source: mp.Source, destination: mp.Destination, readonly: !mp.RW, recursive: b?.NonRecursive !== true, propagation,
          readonlyDepth: b?.ReadOnlyNonRecursive ? 'top' : b?.ReadOnlyForceRecursive ? 'forced' : 'recursive',
        };
      }
      mounts.push(toMountSpec(resolved, opts.recursiveReadonly));
    }
  } catch (err) {
    release();
    throw err;
  }
  return { mounts, rootfsPropagation, release };
}

/**
 * A volume's subpath as a bind source (moby safepath.Join): opened inside the volume (its
 * symlinks resolve within it) and staged through that fd, so that nothing in the volume can
 * re-point it between this check and the runtime's mount. The staged bind stays until the
 * runtime has made the mounts (StartedMounts.release).
 */
function subpathSource(volumePath: string, subpath: string, stage: (fd: number) => string, staged: string[]): string {
  const root = openRoot(volumePath);
  let fd: number;
  try {
    fd = openInRoot(root, subpath, { flags: O_PATH, followFinal: true });
  } catch (err) {
    throw invalidParameter(`cannot access path ${JSON.stringify(subpath)} in volume: ${(err as Error).message}`, err);
  } finally {
    closeSync(root);
  }
  try {
    staged.push(stage(fd));
  } finally {
    closeSync(fd);
  }
  return staged.at(-1)!;
}

/** The mount (point and optional fields) a path is on, from /proc/self/mountinfo text (moby getSourceMount). */
export function sourceMountOf(mountinfo: string, path: string): { mountPoint: string; optional: string[] } {
  let best: { mountPoint: string; optional: string[] } = { mountPoint: '/', optional: [] };
  let bestLen = -1;
  for (const { mountPoint, optional } of parseMountInfo(mountinfo)) {
    const covers = mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
    // The last of stacked mounts at one point is the one on top.
    if (covers && mountPoint.length >= bestLen) {
      best = { mountPoint, optional };
      bestLen = mountPoint.length;
    }
  }
  return best;
}

/** Unmounts the container's volumes (exit, stop, a failed start); unmount events unless told otherwise. */
export async function unmountVolumes(ctx: Pick<Ctx, 'volumes' | 'events' | 'log'>, c: Container, names = volumeNames(c), events = true): Promise<void> {
  const want = new Set(names);
  for (const name of want) {
    await ctx.volumes.unmount(name, c.rec.ID).catch((err) => ctx.log.warn('volume unmount failed', { id: c.rec.ID, volume: name, err: String(err) }));
  }
  if (!events) return;
  for (const mp of Object.values(c.rec.MountPoints ?? {})) {
    if (mp.Type === 'volume' && want.has(mp.Name)) publishVolume(ctx, mp.Name, 'unmount', { container: c.rec.ID, driver: mp.Driver });
  }
}

/**
 * A removed container lets go of its volumes; with `rm -v` (and --rm) its anonymous volumes that
 * no other container uses are removed too (moby removeMountPoints). Named volumes always stay.
 */
export async function releaseVolumes(ctx: Pick<Ctx, 'volumes' | 'log'>, c: Container, removeAnonymous: boolean): Promise<void> {
  const names = volumeNames(c);
  for (const name of names) ctx.volumes.unref(name, c.rec.ID);
  if (!removeAnonymous) return;
  for (const name of names) {
    const info = await ctx.volumes.get(name).catch(() => undefined);
    if (!info?.anonymous || ctx.volumes.refs(name).length) continue;
    await ctx.volumes.remove(name).catch((err) => {
      if (!(err instanceof BerthError && err.kind === 'Conflict')) ctx.log.warn('removing a volume failed', { id: c.rec.ID, volume: name, err: String(err) });
    });
  }
}
