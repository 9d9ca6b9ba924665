// The local volume driver and its store (moby volume/local + volume/service in one small box):
// volumes/<name>/_data holds the data, volumes/<name>/volume.json the record. A volume is built
// under a temp name (volumes/.tmp-*) and renamed into place, and removed by renaming it to
// volumes/.rm-* first, so kill -9 at any instant leaves either no volume or a whole one;
// reconcile() deletes what such a kill left behind. One lock per name serialises create,
// remove, mount and unmount of that name.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import {
  KeyedLock, type Logger, conflict, fsyncDir, isAtomicTempName, isErrno, newId, notFound, readJsonIfExists, systemError, truncate,
  writeJsonAtomic, BerthError,
} from '../common/index.ts';
import { ANONYMOUS_LABEL, checkVolumeName, isVolumeName } from './names.ts';
import { addressOption, checkDriverOptions, needsMount, passwordOption, planMount } from './options.ts';
import { directorySize, removeTree } from './fs-tree.ts';
import { type MountAdapter, linuxMounts } from './mount-adapter.ts';
import { errnoText } from './syscalls.linux.ts';
import type { VolumeCreateOptions, VolumeInfo, VolumeListFilters, VolumeStore, VolumeUsage } from './types.ts';

const LOCAL_DRIVER = 'local';
const RECORD = 'volume.json';
const DATA = '_data';
const TMP_PREFIX = '.tmp-';
const TRASH_PREFIX = '.rm-';

/** What volume.json holds (the driver's options and the store's metadata in one record). */
interface VolumeRecord {
  Name: string;
  Driver: string;
  CreatedAt: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
}

export type VolumeEventAction = 'create' | 'destroy';

export interface VolumeStoreOptions {
  dataRoot: string;
  log: Logger;
  /** Called after a volume is created or removed (the daemon publishes Docker's volume events). */
  onEvent?: (action: VolumeEventAction, v: VolumeInfo) => void;
  /** mount(2) and friends; tests of the logic pass a fake. */
  mounts?: MountAdapter;
}

/** RFC 3339 in the daemon's local time zone, second precision, as Go's time.RFC3339. */
function formatRfc3339Local(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/** filters.Args.MatchKVList: every "key" or "key=value" in `want` holds for `labels`. */
export function matchLabels(want: readonly string[] | undefined, labels: Record<string, string>): boolean {
  if (!want?.length) return true;
  if (Object.keys(labels).length === 0) return false;
  return want.every((w) => {
    const i = w.indexOf('=');
    const k = i < 0 ? w : w.slice(0, i);
    if (!Object.hasOwn(labels, k)) return false;
    return i < 0 || labels[k] === w.slice(i + 1);
  });
}

/** filters.Args.Match: an exact value or an (unanchored) regular expression. */
export function matchName(patterns: readonly string[] | undefined, name: string): boolean {
  if (!patterns?.length) return true;
  return patterns.some((p) => {
    if (p === name) return true;
    try {
      return new RegExp(p).test(name);
    } catch {
      return false;
    }
  });
}

export async function openVolumeStore(opts: VolumeStoreOptions): Promise<VolumeStore> {
  const store = new LocalVolumeStore(opts);
  await store.load();
  return store;
}

class LocalVolumeStore implements VolumeStore {
  private readonly root: string;
  private readonly log: Logger;
  private readonly onEvent: VolumeStoreOptions['onEvent'];
  private readonly sys: MountAdapter;
  private readonly locks = new KeyedLock();
  private readonly volumes = new Map<string, VolumeInfo>();
  private readonly references = new Map<string, Set<string>>();
  /** Containers that called mount() and not yet unmount(), per volume. */
  private readonly mountedBy = new Map<string, Set<string>>();
  /** Volumes whose driver mount (tmpfs, bind, nfs...) is in place on _data. */
  private readonly driverMounted = new Set<string>();

  constructor(o: VolumeStoreOptions) {
    this.root = join(o.dataRoot, 'volumes');
    this.log = o.log;
    this.onEvent = o.onEvent;
    this.sys = o.mounts ?? linuxMounts;
  }

  private dataPath(name: string): string {
    return join(this.root, name, DATA);
  }

  /** The cached view callers get: frozen, so no caller can change the store's copy. */
  private info(rec: VolumeRecord): VolumeInfo {
    return Object.freeze({
      name: rec.Name,
      driver: rec.Driver,
      mountpoint: this.dataPath(rec.Name),
      createdAt: rec.CreatedAt,
      labels: Object.freeze({ ...(rec.Labels ?? {}) }),
      options: Object.freeze({ ...(rec.Options ?? {}) }),
      anonymous: Object.hasOwn(rec.Labels ?? {}, ANONYMOUS_LABEL),
    });
  }

  /** Reads every whole volume into memory (entries that are not volumes are left to reconcile). */
  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const name of await readdir(this.root)) {
      if (!isVolumeName(name)) continue;
      try {
        const rec = await readJsonIfExists<VolumeRecord>(join(this.root, name, RECORD));
        if (!rec || rec.Name !== name) {
          this.log.warn('volume directory without a record, ignored', { name });
          continue;
        }
        this.volumes.set(name, this.info(rec));
      } catch (err) {
        this.log.warn('unreadable volume record, ignored', { name, error: String(err) });
      }
    }
  }

  private must(name: string, op: string): VolumeInfo {
    const v = this.volumes.get(name);
    if (!v) throw notFound(`${op} ${truncate(name)}: no such volume`);
    return v;
  }

  async create(o: VolumeCreateOptions): Promise<VolumeInfo> {
    const labels = { ...(o.labels ?? {}) };
    let name = o.name ?? '';
    if (name === '' || o.anonymous) {
      if (name === '') name = newId();
      labels[ANONYMOUS_LABEL] = '';
    }
    const driver = o.driver || LOCAL_DRIVER;
    return this.locks.run(name, async () => {
      const prefix = `create ${truncate(name)}: `;
      if (driver !== LOCAL_DRIVER) {
        throw notFound(`${prefix}error looking up volume plugin ${truncate(driver)}: plugin ${JSON.stringify(truncate(driver))} not found`);
      }
      const existing = this.volumes.get(name);
      if (existing) {
        if (o.refBy) this.ref(name, o.refBy);
        // dockerd's VolumesService.Create logs 'create' for an existing volume too.
        this.onEvent?.('create', existing);
        return existing; // Docker: the existing volume, whatever was asked
      }
      const driverOpts = { ...(o.driverOpts ?? {}) };
      try {
        checkVolumeName(name);
        checkDriverOptions(driverOpts);
      } catch (err) {
        if (err instanceof BerthError) throw new BerthError(err.kind, prefix + err.message);
        throw err;
      }
      const rec: VolumeRecord = { Name: name, Driver: driver, CreatedAt: formatRfc3339Local(new Date()), Labels: labels, Options: driverOpts };
      const tmp = join(this.root, `${TMP_PREFIX}${randomBytes(8).toString('hex')}`);
      try {
        await mkdir(tmp, { mode: 0o701 });
        await mkdir(join(tmp, DATA), { mode: 0o755 });
        await writeJsonAtomic(join(tmp, RECORD), rec);
        await fsyncDir(tmp);
        await rename(tmp, join(this.root, name));
        await fsyncDir(this.root);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true }).catch(() => {});
        // Go's wording: "rename SRC DST: file name too long".
        const e = err as NodeJS.ErrnoException & { dest?: string };
        const what = e.syscall ? `${e.syscall} ${e.path ?? ''}${e.dest ? ` ${e.dest}` : ''}: ` : '';
        throw systemError(`${prefix}${what}${errnoText(err)}`, err);
      }
      const v = this.info(rec);
      this.volumes.set(name, v);
      if (o.refBy) this.ref(name, o.refBy);
      this.onEvent?.('create', v);
      return v;
    });
  }

  async get(name: string): Promise<VolumeInfo> {
    return this.must(name, 'get');
  }

  async list(f: VolumeListFilters = {}): Promise<VolumeInfo[]> {
    return [...this.volumes.values()].filter((v) => {
      if (f.driver?.length && !f.driver.includes(v.driver)) return false;
      if (!matchName(f.name, v.name)) return false;
      if (!matchLabels(f.label, v.labels)) return false;
      if (f.dangling !== undefined && (this.refs(v.name).length === 0) !== f.dangling) return false;
      return true;
    });
  }

  async remove(name: string, o: { force?: boolean } = {}): Promise<void> {
    await this.locks.run(name, async () => {
      const v = this.volumes.get(name);
      if (!v) {
        if (o.force) return;
        throw notFound(`get ${truncate(name)}: no such volume`);
      }
      // In use: referenced by a container, or mounted for one. Docker refuses it even with
      // force (force only hides "no such volume").
      const users = [...new Set([...this.refs(name), ...(this.mountedBy.get(name) ?? [])])];
      if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      await this.removeLocked(v);
    });
  }

  private async removeLocked(v: VolumeInfo): Promise<void> {
    await this.unmountDriver(v, true);
    const trash = `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`;
    try {
      await rename(join(this.root, v.name), join(this.root, trash));
      await fsyncDir(this.root);
    } catch (err) {
      throw systemError(`remove ${v.name}: ${(err as Error).message}`, err);
    }
    this.volumes.delete(v.name);
    this.mountedBy.delete(v.name);
    this.onEvent?.('destroy', v);
    await this.removeTrash(trash);
  }

  /** Deletes a renamed-away volume; a failure is logged and retried by the next reconcile. */
  private async removeTrash(entry: string): Promise<void> {
    try {
      const data = join(this.root, entry, DATA);
      if (await this.sys.isMountPoint(data)) this.sys.unmount(data, true);
      removeTree(this.root, entry);
    } catch (err) {
      this.log.warn('could not delete a removed volume\'s data', { entry, error: String(err) });
    }
  }

  async prune(f: { all?: boolean; label?: string[]; labelNot?: string[] } = {}): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const want = f.all ? f.label : [...(f.label ?? []), ANONYMOUS_LABEL];
    const candidates = [...this.volumes.values()].filter((v) =>
      v.driver === LOCAL_DRIVER &&
      Object.keys(v.options).length === 0 && // as moby: volumes with mount options reclaim nothing
      matchLabels(want, v.labels) &&
      !(f.labelNot?.length && matchLabels(f.labelNot, v.labels)));
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const c of candidates) {
      await this.locks.run(c.name, async () => {
        const v = this.volumes.get(c.name);
        if (!v || this.refs(v.name).length > 0 || this.mountedBy.has(v.name)) return;
        let size = 0;
        try {
          size = await directorySize(v.mountpoint);
        } catch (err) {
          this.log.warn('could not determine size of volume', { volume: v.name, error: String(err) });
        }
        try {
          await this.removeLocked(v);
        } catch (err) {
          this.log.warn('could not remove volume', { volume: v.name, error: String(err) });
          return;
        }
        deleted.push(v.name);
        spaceReclaimed += size;
      });
    }
    return { deleted, spaceReclaimed };
  }

  async usage(name: string): Promise<VolumeUsage> {
    const v = this.must(name, 'get');
    let size = -1;
    try {
      size = await directorySize(v.mountpoint);
    } catch (err) {
      this.log.warn('failed to determine size of volume', { volume: name, error: String(err) });
    }
    return { size, refCount: this.refs(name).length };
  }

  ref(name: string, containerId: string): void {
    let s = this.references.get(name);
    if (!s) this.references.set(name, (s = new Set()));
    s.add(containerId);
  }

  unref(name: string, containerId: string): void {
    const s = this.references.get(name);
    if (!s) return;
    s.delete(containerId);
    if (s.size === 0) this.references.delete(name);
  }

  refs(name: string): string[] {
    return [...(this.references.get(name) ?? [])];
  }

  async mount(name: string, containerId: string): Promise<string> {
    return this.locks.run(name, async () => {
      const v = this.must(name, 'get');
      if (needsMount(v.options) && !this.driverMounted.has(name)) await this.mountDriver(v);
      let s = this.mountedBy.get(name);
      if (!s) this.mountedBy.set(name, (s = new Set()));
      s.add(containerId);
      return v.mountpoint;
    });
  }

  async unmount(name: string, containerId: string): Promise<void> {
    await this.locks.run(name, async () => {
      const s = this.mountedBy.get(name);
      s?.delete(containerId);
      if (s && s.size > 0) return;
      this.mountedBy.delete(name);
      const v = this.volumes.get(name);
      if (v) await this.unmountDriver(v, false);
    });
  }

  /** Mounts the driver options on _data (moby localVolume.mount), with moby's error text. */
  private async mountDriver(v: VolumeInfo): Promise<void> {
    const o = v.options.o ?? '';
    const device = v.options.device ?? '';
    if (!device) throw systemError('missing device in volume options');
    let data = o;
    const type = v.options.type ?? '';
    if (type === 'nfs' || type === 'cifs') {
      const addr = addressOption(o);
      if (addr && !isIPv4(addr)) {
        try {
          const ip = await lookup(addr);
          data = o.replace(`addr=${addr}`, `addr=${ip.address}`);
        } catch (err) {
          throw systemError(`error resolving passed in network volume address: ${(err as Error).message}`, err);
        }
      }
    }
    const calls = planMount(device, v.mountpoint, type, data);
    try {
      for (const c of calls) this.sys.mount(c.source, c.target, c.fstype, c.flags, c.data);
    } catch (err) {
      // A follow-up call (propagation, read-only remount) failed: take the first one back off.
      if (await this.sys.isMountPoint(v.mountpoint).catch(() => false)) {
        try {
          this.sys.unmount(v.mountpoint, true);
        } catch { /* reported below */ }
      }
      let msg = `failed to mount local volume: ${(err as Error).message}`;
      const pw = passwordOption(o);
      if (pw) msg = msg.replaceAll(`password=${pw}`, 'password=********');
      throw systemError(msg, err);
    }
    this.driverMounted.add(v.name);
  }

  /** Unmounts the driver mount (when there is one); `detach` forces it off even while busy. */
  private async unmountDriver(v: VolumeInfo, detach: boolean): Promise<void> {
    if (!needsMount(v.options)) return;
    if (this.driverMounted.has(v.name) || (await this.sys.isMountPoint(v.mountpoint))) {
      try {
        this.sys.unmount(v.mountpoint, detach);
      } catch (err) {
        if (await this.sys.isMountPoint(v.mountpoint)) throw systemError((err as Error).message, err);
      }
    }
    this.driverMounted.delete(v.name);
  }

  async reconcile(mountedBy: Map<string, string[]>): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return;
      throw err;
    }
    for (const e of entries) {
      if (e.startsWith(TMP_PREFIX) || e.startsWith(TRASH_PREFIX)) {
        this.log.info('removing a half-made or half-removed volume', { entry: e });
        await this.removeTrash(e);
      } else if (isAtomicTempName(e)) {
        await rm(join(this.root, e), { force: true }).catch(() => {});
      }
    }
    for (const v of this.volumes.values()) {
      await this.locks.run(v.name, async () => {
        const users = mountedBy.get(v.name) ?? [];
        for (const id of users) this.ref(v.name, id);
        if (!needsMount(v.options)) {
          if (users.length) this.mountedBy.set(v.name, new Set(users));
          return;
        }
        const isMounted = await this.sys.isMountPoint(v.mountpoint);
        if (users.length > 0) {
          this.mountedBy.set(v.name, new Set(users));
          if (isMounted) this.driverMounted.add(v.name);
          else await this.mountDriver(v).catch((err) => this.log.warn('could not mount volume again', { volume: v.name, error: String(err) }));
        } else if (isMounted) {
          this.log.info('unmounting a volume left mounted', { volume: v.name });
          await this.unmountDriver(v, true).catch((err) => this.log.warn('could not unmount volume', { volume: v.name, error: String(err) }));
        }
      });
    }
  }
}
