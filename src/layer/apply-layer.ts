// Applies one layer tar onto a directory (a fresh overlay diff, or a vfs copy of the parent).
// Layer tars are hostile (DESIGN.md decision 5):
//  - names are cleaned; absolute names and names climbing out with `..` are refused;
//  - every entry is made through a directory fd obtained inside the layer by the fsroot
//    resolver (openat2 RESOLVE_IN_ROOT), so a symlink in the layer (or the parent layers, for
//    vfs) is followed inside the layer, never out of it; the final component is made with an
//    *at() call on that fd and is replaced, never followed;
//  - hard link targets are resolved inside the layer too (absolute targets mean "in the layer");
//  - chown, chmod and utimes act on an open fd or never follow a link;
//  - files get exactly the bytes the tar declared; xattrs are filtered.
import { closeSync, fchmodSync, fchownSync, futimesSync, write } from 'node:fs';
import { promisify } from 'node:util';
import { posix } from 'node:path';
import { type TarEntry, BerthError, invalidParameter, isErrno, systemError } from '../common/index.ts';
import {
  AT_EMPTY_PATH, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFMT,
  ParentDirCache, setArchiveXattrs, fsetxattr, fstatat, lchmodat, lchownat, linkat, lutimesat, mkdirAllInRoot, mkdirat, mknodat, openat, openInRoot, openRoot,
  readdirat, removeAllAt, symlinkat,
} from '../fsroot/index.ts';
import { S_IFBLK, S_IFCHR, S_IFIFO } from './syscalls.linux.ts';

const writeAsync = promisify(write);
const WRITES_IN_FLIGHT = 4;

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface ApplyOptions {
  /** overlay: whiteouts become char 0/0 devices and opaque xattrs; delete: they remove files (vfs). */
  whiteouts: 'overlay' | 'delete';
  /** Entry count limit (default 10 million). */
  maxEntries?: number;
}

export interface ApplyResult {
  /** Bytes of regular files and symlink targets in the layer (moby overlay2 directory.Size). */
  size: number;
  entries: number;
}

/** errno codes that an absurd tar (a file under a file, a too long name) causes: bad input. */
const INPUT_ERRNOS = new Set(['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'EINVAL', 'ENOTEMPTY', 'EMLINK']);

export async function applyLayer(entries: AsyncIterable<TarEntry>, root: string, opts: ApplyOptions): Promise<ApplyResult> {
  const maxEntries = opts.maxEntries ?? 10_000_000;
  const rootFd = openRoot(root);
  const dirs = new ParentDirCache((rel) => mkdirAllInRoot(rootFd, rel, 0o755));
  const ctx: Ctx = { rootFd, dirs, opts, dirTimes: [], unpacked: new Set() };
  let size = 0;
  let count = 0;
  try {
    for await (const e of entries) {
      if (++count > maxEntries) throw invalidParameter(`layer has more than ${maxEntries} entries`);
      try {
        await applyEntry(e, ctx);
        // moby's overlay2 sizes a layer with directory.Size: regular files, and symlinks by the
        // length of their target (busybox's applets: 268 links, 1,876 bytes of its image size).
        if (e.type === 'file') size += e.size;
        else if (e.type === 'symlink') size += Buffer.byteLength(e.linkname);
      } catch (err) {
        if (err instanceof BerthError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const msg = `invalid tar entry ${JSON.stringify(e.name)}: ${(err as Error).message}`;
        throw INPUT_ERRNOS.has(code) ? invalidParameter(msg, err) : systemError(`failed to extract layer: ${msg}`, err);
      }
    }
    // Directory times last: creating entries inside a directory changes its mtime.
    for (let i = ctx.dirTimes.length - 1; i >= 0; i--) setDirTime(rootFd, ...ctx.dirTimes[i]);
  } finally {
    dirs.close();
    closeSync(rootFd);
  }
  return { size, entries: count };
}

interface Ctx {
  rootFd: number;
  dirs: ParentDirCache;
  opts: ApplyOptions;
  /** Directories made or merged: [path in the layer, mtime], set once all entries are in. */
  dirTimes: [string, number][];
  /** vfs: what this layer wrote, as "parent dev:ino/name" (opaque directories keep only those). */
  unpacked: Set<string>;
}

/**
 * The cleaned, relative form of a tar name ('' for the root). `absolute: 'strip'` reads an
 * absolute name as relative to the layer (hard link targets); otherwise it is refused.
 */
export function cleanLayerPath(name: string, absolute: 'refuse' | 'strip' = 'refuse'): string {
  if (name.startsWith('/')) {
    if (absolute === 'refuse') throw invalidParameter(`invalid tar entry ${JSON.stringify(name)}: absolute path not allowed in a layer`);
    name = name.replace(/^\/+/, '');
  }
  let clean = posix.normalize(name === '' ? '.' : name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) {
    throw invalidParameter(`invalid tar entry ${JSON.stringify(name)}: path escapes the layer`);
  }
  if (clean === '.' || clean === '') clean = '';
  return clean;
}

async function applyEntry(e: TarEntry, ctx: Ctx): Promise<void> {
  const { dirs, opts } = ctx;
  const rel = cleanLayerPath(e.name);
  if (e.uid > 0xfffffffe || e.gid > 0xfffffffe) throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: uid/gid out of range`);
  if (rel === '') {
    // "./": the layer root itself. Only its metadata can be set.
    if (e.type !== 'dir') throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: the layer root must be a directory`);
    setMetadata(ctx.rootFd, '.', e, ctx, '');
    return;
  }
  const base = posix.basename(rel);
  // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs) is not content; Docker skips it too.
  if (base.startsWith(WHITEOUT_META_PREFIX) && base !== WHITEOUT_OPAQUE) return;

  const parentRel = posix.dirname(rel);
  const dirFd = dirs.get(parentRel === '.' ? '' : parentRel);

  if (base === WHITEOUT_OPAQUE) {
    if (opts.whiteouts === 'overlay') withFd(openat(dirFd, '.', O_RDONLY | O_DIRECTORY), (fd) => fsetxattr(fd, OVERLAY_OPAQUE_XATTR, Buffer.from('y')));
    else {
      dirs.invalidate();
      removeUnpackedExcept(dirFd, ctx.unpacked);
    }
    return;
  }
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: bad whiteout`);
    dirs.invalidate();
    removeAllAt(dirFd, hidden); // never follows a symlink it removes
    if (opts.whiteouts === 'overlay') {
      mknodat(dirFd, hidden, S_IFCHR, 0, 0);
      lchownat(dirFd, hidden, e.uid, e.gid);
    }
    return;
  }

  // A hard link's source is found before anything at the target is replaced.
  const source = e.type === 'hardlink' ? hardlinkSource(e, ctx.rootFd, dirFd, base) : undefined;
  try {
    const existing = fstatat(dirFd, base);
    const existingDir = existing !== null && (existing.mode & S_IFMT) === S_IFDIR;
    if (existing && !(existingDir && e.type === 'dir')) {
      dirs.invalidate();
      removeAllAt(dirFd, base);
    }
    switch (e.type) {
      case 'dir':
        if (!existingDir) mkdirat(dirFd, base, 0o700);
        break;
      case 'file':
        await writeFileEntry(dirFd, base, e);
        break;
      case 'symlink':
        // Any target is fine: it resolves inside the container at run time, and extraction
        // resolves through it inside the layer.
        dirs.invalidate();
        symlinkat(e.linkname, dirFd, base);
        break;
      case 'hardlink':
        dirs.invalidate(); // a hard link to a symlink is a symlink
        linkat(source!.dirFd, source!.name, dirFd, base); // does not follow a symlink source
        break;
      case 'char':
      case 'block':
      case 'fifo': {
        const kind = e.type === 'char' ? S_IFCHR : e.type === 'block' ? S_IFBLK : S_IFIFO;
        mknodat(dirFd, base, kind | (e.mode & 0o777), e.type === 'fifo' ? 0 : e.devmajor, e.type === 'fifo' ? 0 : e.devminor);
        break;
      }
      default:
        throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: unhandled tar header type`);
    }
  } finally {
    if (source) closeSync(source.dirFd);
  }
  // Files got theirs through their fd; a hard link's inode came with its first name.
  if (e.type !== 'file' && e.type !== 'hardlink') setMetadata(dirFd, base, e, ctx, rel);
  if (opts.whiteouts === 'delete') ctx.unpacked.add(entryKey(dirFd, base));
}

/** Where a hard link entry points: inside the layer, existing, not a directory, not itself. */
function hardlinkSource(e: TarEntry, rootFd: number, dirFd: number, base: string): { dirFd: number; name: string } {
  const bad = (why: string) => invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: ${why}`);
  const linkRel = cleanLayerPath(e.linkname, 'strip');
  if (linkRel === '') throw bad('hard link to the layer root');
  const notFound = () => bad(`hard link target ${JSON.stringify(e.linkname)} not found in the layer`);
  const parentRel = posix.dirname(linkRel);
  let srcDir: number;
  try {
    srcDir = openInRoot(rootFd, parentRel === '.' ? '' : parentRel, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw notFound();
    throw err;
  }
  try {
    const name = posix.basename(linkRel);
    const st = fstatat(srcDir, name);
    if (st === null) throw notFound();
    if ((st.mode & S_IFMT) === S_IFDIR) throw bad('hard link to a directory');
    if (name === base && sameFile(srcDir, dirFd)) throw bad('hard link to itself');
    return { dirFd: srcDir, name };
  } catch (err) {
    closeSync(srcDir);
    throw err;
  }
}

function sameFile(a: number, b: number): boolean {
  const sa = fstatat(a, '', AT_EMPTY_PATH)!;
  const sb = fstatat(b, '', AT_EMPTY_PATH)!;
  return sa.dev === sb.dev && sa.ino === sb.ino;
}

/** A name in a directory, as "dev:ino/name" of the directory: what a host path was, without one. */
function entryKey(dirFd: number, name: string): string {
  const st = fstatat(dirFd, '', AT_EMPTY_PATH)!;
  return `${st.dev}:${st.ino}/${name}`;
}

/** A regular file: created O_EXCL|O_NOFOLLOW in its directory, bytes and metadata through its fd. */
async function writeFileEntry(dirFd: number, name: string, e: TarEntry): Promise<void> {
  const fd = openat(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  // Up to WRITES_IN_FLIGHT positional writes run while the next chunks are decompressed and
  // hashed: awaiting each write before reading on left the thread pool and the main thread
  // taking turns. Every write is awaited before the fd is closed, on success or failure.
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  const writeAt = async (chunk: Uint8Array, pos: number) => {
    for (let off = 0; off < chunk.length; ) {
      const { bytesWritten } = await writeAsync(fd, chunk, off, chunk.length - off, pos + off);
      off += bytesWritten;
    }
  };
  try {
    let written = 0;
    for await (const chunk of e.body()) {
      if (failed !== undefined) break;
      const p: Promise<void> = writeAt(chunk, written).then(
        () => void inFlight.delete(p),
        (err: unknown) => {
          inFlight.delete(p);
          failed ??= err;
        },
      );
      inFlight.add(p);
      written += chunk.length;
      if (inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failed !== undefined) throw failed;
    if (written !== e.size) throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: short body`);
    fchownSync(fd, e.uid, e.gid);
    setArchiveXattrs(fd, e.xattrs);
    fchmodSync(fd, e.mode & 0o7777); // after chown, which clears set-id bits
    futimesSync(fd, e.mtime, e.mtime);
  } finally {
    await Promise.all(inFlight);
    closeSync(fd);
  }
}

/** Metadata of a directory, symlink or device node `name` in `dirFd`; never through a link. */
function setMetadata(dirFd: number, name: string, e: TarEntry, ctx: Ctx, rel: string): void {
  if (e.type === 'dir') {
    // Through an fd of the directory itself (O_NOFOLLOW): chown, then the mode (chown clears set-id bits).
    withFd(openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW), (fd) => {
      fchownSync(fd, e.uid, e.gid);
      setArchiveXattrs(fd, e.xattrs);
      fchmodSync(fd, e.mode & 0o7777);
    });
    ctx.dirTimes.push([rel, e.mtime]);
    return;
  }
  lchownat(dirFd, name, e.uid, e.gid);
  // Symlinks have no mode of their own. Devices and symlinks get no xattrs: Linux refuses
  // user.* on them, and a file capability means nothing there.
  if (e.type !== 'symlink') lchmodat(dirFd, name, e.mode & 0o7777);
  lutimesat(dirFd, name, e.mtime, e.mtime);
}

function setDirTime(rootFd: number, rel: string, mtime: number): void {
  let fd: number;
  try {
    fd = openInRoot(rootFd, rel === '' ? '.' : rel, { flags: O_RDONLY | O_DIRECTORY });
  } catch (err) {
    // Replaced by a later entry of this layer (a file or a link now): not a directory to date.
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return;
    throw err;
  }
  withFd(fd, () => futimesSync(fd, mtime, mtime));
}

/** vfs: an opaque directory keeps only what this layer put in it. */
function removeUnpackedExcept(dirFd: number, unpacked: Set<string>): void {
  for (const name of readdirat(dirFd, '.')) {
    const st = fstatat(dirFd, name);
    if (st === null) continue;
    if (!unpacked.has(entryKey(dirFd, name))) removeAllAt(dirFd, name);
    else if ((st.mode & S_IFMT) === S_IFDIR) withFd(openat(dirFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW), (sub) => removeUnpackedExcept(sub, unpacked));
  }
}

function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}
