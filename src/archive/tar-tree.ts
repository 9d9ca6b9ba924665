// A streaming tar of a tree inside a root: `docker export` (the container's merged root),
// `docker cp` out of a container (GET /containers/{id}/archive), and layer diffs for `commit`
// (an overlay upper dir, with its whiteouts turned back into `.wh.` entries).
//
// The tree is hostile (a running container can change it while it is read), so the walk never
// uses a path string twice (DESIGN.md decision 5): the top is resolved inside the root by the
// fsroot resolver, then every entry is opened O_PATH|O_NOFOLLOW from its directory's fd,
// stat'ed, read and listed through that fd. Symlinks are archived as symlinks, never followed
// (except the top, on request: `cp -L`); a file swapped for a FIFO or a device between the
// listing and the read is opened O_PATH only, so nothing blocks and no device is opened.
//
// The output is moby's pkg/archive TarWithOptions with RebaseNames: the top entry is named as
// the caller asks, entries below it in lexical order per directory (filepath.Walk's order), a
// hard-linked inode once and then as links to that first name, mtimes truncated to seconds,
// no user or group names (FileInfoHeaderNoLookups), sockets left out. Memory stays constant:
// the TarWriter waits for its reader before each chunk.
import { closeSync, fstatSync, openSync, read, readSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { TarWriter, type TarHeader } from '../common/index.ts';
import {
  archiveXattrAllowed, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, lgetxattrAt, llistxattrAt, openInRoot, openRoot, openat, readdirat, readlinkat,
} from '../fsroot/index.ts';

const readAsync = promisify(read);

/** Bytes read from a large file per chunk (read on libuv's pool, so the daemon keeps serving). */
const CHUNK = 1024 * 1024;
/** Files up to this size are read in one synchronous read: a pool round trip costs more than the copy. */
const SMALL_FILE = 128 * 1024;
/** What the archive stream buffers before the walk waits for its reader: memory stays constant. */
const HIGH_WATER_MARK = 1024 * 1024;

/** moby pkg/archive whiteout names (the AUFS format every layer tar uses). */
const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface TreeTarOptions {
  /**
   * The archive name of the top entry (moby's RebaseNames); entries below it are `<name>/<rel>`.
   * '' leaves the top directory out and names its contents relative to it, as `docker export`
   * and layer tars do.
   */
  name: string;
  /** Follow the top entry if it is a symlink (`docker cp -L`); nothing below it is followed. */
  followTop?: boolean;
  /**
   * The tree is an overlay upper dir: char 0/0 whiteouts become `.wh.<name>` entries and
   * directories with trusted.overlay.opaque=y get a `.wh..wh..opq` entry (moby
   * overlayWhiteoutConverter.ConvertWrite).
   */
  overlayWhiteouts?: boolean;
  /**
   * Stay on the top's filesystem (`tar --one-file-system`): a directory that is a mount point
   * (another st_dev) is archived without its contents, so a volume or bind mounted below the
   * top on the host is never read.
   */
  oneFileSystem?: boolean;
  /** Leaves out the entry at `rel` (relative to the top, '/'-separated) and, for a directory, all below it. */
  skip?: (rel: string) => boolean;
}

export interface TreeTar {
  /** The archive; the walk advances as it is read. Errors during the walk destroy it. */
  stream: Readable;
  /** The top entry's stat (of the link's target when followTop followed one). */
  top: Stats;
}

interface Entry {
  /** O_PATH fd of the entry itself. */
  fd: number;
  /** Its directory's fd and its name there, for xattrs; absent for a followed or root top. */
  parentFd?: number;
  base?: string;
  st: Stats;
  /** Archive name ('' for a left-out top). */
  archiveName: string;
  rel: string;
}

/**
 * Resolves `path` inside `root` (ENOENT/ENOTDIR/ELOOP errors as Node raises them, before any
 * byte is written) and returns the tar of it, streamed.
 */
export function tarTree(root: string, path: string, opts: TreeTarOptions): TreeTar {
  const top = openTop(root, path, opts.followTop === true);
  if (opts.name === '' && !top.st.isDirectory()) {
    closeTop(top);
    throw Object.assign(new Error(`ENOTDIR: a tar without a top entry needs a directory: ${path}`), { code: 'ENOTDIR' });
  }
  top.archiveName = opts.name.replace(/\/+$/, '');
  const w = new TarWriter({ highWaterMark: HIGH_WATER_MARK });
  const walker = new Walker(w, opts, top.st.dev);
  void (async () => {
    try {
      await walker.entry(top, opts.name === '');
      await w.finish();
    } catch (err) {
      w.destroy(err as Error);
    } finally {
      closeTop(top);
    }
  })();
  return { stream: w.readable, top: top.st };
}

/**
 * A layer tar of `changes` (moby's ExportChanges, for vfs commits): sorted by path, a Delete as
 * a `.wh.` whiteout, anything else as that one entry (a directory without its contents).
 * Entries gone meanwhile are left out, as moby does.
 */
export function tarChanges(root: string, changes: ReadonlyArray<{ Path: string; Kind: number }>): Readable {
  const sorted = [...changes].sort((a, b) => Buffer.compare(Buffer.from(a.Path), Buffer.from(b.Path)));
  const w = new TarWriter({ highWaterMark: HIGH_WATER_MARK });
  const walker = new Walker(w, { name: '' });
  void (async () => {
    try {
      for (const c of sorted) {
        const name = c.Path.replace(/^\/+/, '');
        if (name === '') continue;
        if (c.Kind === 2) {
          await walker.whiteout(name);
          continue;
        }
        let e: Entry;
        try {
          e = openTop(root, c.Path, false);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') continue;
          throw err;
        }
        try {
          e.archiveName = name;
          await walker.entry(e, false, false);
        } finally {
          closeTop(e);
        }
      }
      await w.finish();
    } catch (err) {
      w.destroy(err as Error);
    }
  })();
  return w.readable;
}

function closeTop(top: Entry): void {
  closeSync(top.fd);
  if (top.parentFd !== undefined) closeSync(top.parentFd);
}

function openTop(root: string, path: string, followTop: boolean): Entry {
  const clean = posix.normalize(`/${path}`);
  const rootFd = openRoot(root);
  try {
    if (clean === '/') {
      const fd = openInRoot(rootFd, '/', { flags: O_PATH | O_DIRECTORY, followFinal: true });
      return { fd, st: fstatSync(fd), archiveName: '', rel: '' };
    }
    const base = posix.basename(clean);
    const parentFd = openInRoot(rootFd, posix.dirname(clean), { flags: O_PATH | O_DIRECTORY, followFinal: true });
    let fd: number;
    try {
      fd = openat(parentFd, base, O_PATH | O_NOFOLLOW);
    } catch (err) {
      closeSync(parentFd);
      throw err;
    }
    const st = fstatSync(fd);
    if (followTop && st.isSymbolicLink()) {
      closeSync(fd);
      closeSync(parentFd);
      const target = openInRoot(rootFd, clean, { flags: O_PATH, followFinal: true });
      return { fd: target, st: fstatSync(target), archiveName: '', rel: '' };
    }
    return { fd, parentFd, base, st, archiveName: '', rel: '' };
  } finally {
    closeSync(rootFd);
  }
}

/** Linux's dev_t encoding (glibc gnu_dev_major/minor). */
function devNumbers(rdev: number): [number, number] {
  const d = BigInt(rdev);
  const major = Number(((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn));
  const minor = Number((d & 0xffn) | ((d >> 12n) & ~0xffn));
  return [major, minor];
}

class Walker {
  readonly #w: TarWriter;
  readonly #opts: TreeTarOptions;
  /** dev:ino of hard-linked files already written -> their archive name. */
  readonly #seen = new Map<string, string>();

  readonly #topDev: number;

  constructor(w: TarWriter, opts: TreeTarOptions, topDev = 0) {
    this.#w = w;
    this.#opts = opts;
    this.#topDev = topDev;
  }

  #xattrs(e: Entry): Record<string, Uint8Array> | undefined {
    let dirFd: number;
    let name: string;
    if (e.parentFd !== undefined && e.base !== undefined) {
      dirFd = e.parentFd;
      name = e.base;
    } else if (e.st.isDirectory()) {
      dirFd = e.fd;
      name = '.';
    } else return undefined;
    let out: Record<string, Uint8Array> | undefined;
    for (const attr of llistxattrAt(dirFd, name)) {
      if (!archiveXattrAllowed(attr)) continue;
      const v = lgetxattrAt(dirFd, name, attr);
      if (v === null) continue;
      (out ??= {})[attr] = v;
    }
    return out;
  }

  #header(e: Entry, name: string): TarHeader {
    return {
      name, mode: e.st.mode & 0o7777, uid: e.st.uid, gid: e.st.gid, mtime: Math.floor(e.st.mtimeMs / 1000), xattrs: this.#xattrs(e),
    };
  }

  async entry(e: Entry, leaveOut = false, recurse = true): Promise<void> {
    const { st } = e;
    const name = e.archiveName;
    if (st.isSocket()) return; // moby: "archive: skipping ... since it is a socket"
    if (this.#opts.overlayWhiteouts && st.isCharacterDevice() && st.rdev === 0) {
      const i = name.lastIndexOf('/');
      const wh = `${name.slice(0, i + 1)}${WHITEOUT_PREFIX}${name.slice(i + 1)}`;
      await this.#w.addFile({ name: wh, mode: 0o600, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), size: 0 }, new Uint8Array(0));
      return;
    }
    if (st.isDirectory()) {
      await this.#dir(e, leaveOut, recurse && (!this.#opts.oneFileSystem || st.dev === this.#topDev));
      return;
    }
    if (st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.#seen.get(key);
      if (first !== undefined) {
        await this.#w.addHardlink(this.#header(e, name), first);
        return;
      }
      this.#seen.set(key, name);
    }
    if (st.isFile()) await this.#file(e, name);
    else if (st.isSymbolicLink()) await this.#w.addSymlink(this.#header(e, name), readlinkat(e.fd, ''));
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const [major, minor] = devNumbers(st.rdev);
      await this.#w.addDevice(this.#header(e, name), st.isCharacterDevice() ? 'char' : 'block', major, minor);
    } else if (st.isFIFO()) await this.#w.addDevice(this.#header(e, name), 'fifo');
  }

  async #dir(e: Entry, leaveOut: boolean, recurse: boolean): Promise<void> {
    const name = e.archiveName;
    if (!leaveOut) {
      const h = this.#header(e, name);
      let opaque = false;
      if (this.#opts.overlayWhiteouts) {
        const dirFd = e.parentFd ?? e.fd;
        const v = lgetxattrAt(dirFd, e.parentFd !== undefined ? e.base! : '.', OVERLAY_OPAQUE_XATTR);
        opaque = v !== null && v.length === 1 && v[0] === 0x79; // 'y'
      }
      await this.#w.addDir(h);
      if (opaque) {
        await this.#w.addFile({ name: `${name}/${WHITEOUT_OPAQUE}`, mode: e.st.mode & 0o777, uid: e.st.uid, gid: e.st.gid, size: 0 }, new Uint8Array(0));
      }
    }
    if (!recurse) return;
    const names = sortNames(readdirat(e.fd, '.'));
    for (const n of names) {
      const rel = e.rel === '' ? n : `${e.rel}/${n}`;
      if (this.#opts.skip?.(rel)) continue;
      let fd: number;
      try {
        fd = openat(e.fd, n, O_PATH | O_NOFOLLOW);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed since the listing
        throw err;
      }
      try {
        await this.entry({ fd, parentFd: e.fd, base: n, st: fstatSync(fd), archiveName: name === '' ? n : `${name}/${n}`, rel });
      } finally {
        closeSync(fd);
      }
    }
  }

  async whiteout(path: string): Promise<void> {
    const i = path.lastIndexOf('/');
    // moby ExportChanges: a bare header, mode 0, stamped now.
    await this.#w.addFile({ name: `${path.slice(0, i + 1)}${WHITEOUT_PREFIX}${path.slice(i + 1)}`, mode: 0, mtime: Math.floor(Date.now() / 1000), size: 0 }, new Uint8Array(0));
  }

  /** The file's bytes as stat'ed: a file that shrank meanwhile is padded with zeros, one that grew cut. */
  async #file(e: Entry, name: string): Promise<void> {
    const size = e.st.size;
    // Reopened through its own O_PATH fd: the very inode stat'ed, a regular file.
    const fd = openSync(`/proc/self/fd/${e.fd}`, O_RDONLY);
    try {
      if (size <= SMALL_FILE) {
        const buf = Buffer.alloc(size);
        let n = 0;
        while (n < size) {
          const got = readSync(fd, buf, n, size - n, n);
          if (got === 0) break; // shrank meanwhile: the rest stays zeros
          n += got;
        }
        await this.#w.addFile({ ...this.#header(e, name), size }, buf);
        return;
      }
      const chunks = async function* (): AsyncGenerator<Uint8Array> {
        let pos = 0;
        while (pos < size) {
          const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - pos));
          const { bytesRead } = await readAsync(fd, buf, 0, buf.length, pos);
          if (bytesRead === 0) {
            buf.fill(0);
            pos += buf.length;
            yield buf;
            continue;
          }
          pos += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
      };
      await this.#w.addFile({ ...this.#header(e, name), size }, chunks());
    } finally {
      closeSync(fd);
    }
  }
}

/** Go's sort of names (byte order of their UTF-8), which filepath.Walk uses. */
export function sortNames(names: string[]): string[] {
  // UTF-16 order is UTF-8 byte order except around surrogates: compare bytes only then.
  if (names.every((n) => !/[\ud800-\udfff]/.test(n))) return names.sort();
  return names.map((n) => [n, Buffer.from(n)] as const).sort((a, b) => Buffer.compare(a[1], b[1])).map((x) => x[0]);
}
