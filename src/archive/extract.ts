// Extracting an untrusted tar into a directory of a container (`docker cp` to a container, PUT
// /containers/{id}/archive), or of the local host (the CLI's side of `docker cp` from a
// container). DESIGN.md decision 5: the archive is hostile, and a bad one writes NOTHING.
//
// Two passes:
//  1. validate: the (decompressed) stream is read once, written to a spool file as it comes,
//     and every header checked: names cleaned (absolute names and `..` escapes refused),
//     symlinks that climb out of the extraction directory and hard links out of it refused (as
//     moby's "invalid symlink"/"invalid hardlink"), an entry below a symlink or hard link the
//     archive itself made is refused (a write through a link), types, ids and counts bounded,
//     and with noOverwriteDirNonDir the dir/non-dir conflicts against what is on disk. Memory
//     stays bounded whatever the size: bodies go to the spool, only names of links are kept.
//     The spool is an unlinked temp file (gone with its fd, even after kill -9).
//  2. apply: the spool is read again and each entry made through directory fds obtained by
//     the container view (openat2 RESOLVE_IN_ROOT, or the mount-aware walk), so no symlink
//     inside the container leads out of it, and the final component is made with an *at()
//     call on that fd, never followed; chown/chmod/utimes never follow links.
// What the validation cannot see (a full disk, a container changing its tree meanwhile) can
// still fail pass 2 half way, as it can in Docker; never outside the container.
import { closeSync, fchmodSync, fchownSync, futimesSync, openSync, read, unlinkSync, write } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { BerthError, decompressStream, invalidParameter, isErrno, readTar, systemError, type TarEntry } from '../common/index.ts';
import {
  type ContainerView, AT_EMPTY_PATH, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFMT,
  ParentDirCache, setArchiveXattrs, fstatat, lchmodat, lchownat, linkat, lutimesat, mkdirat, mknodat, openat, removeAllAt, symlinkat,
} from '../fsroot/index.ts';

const writeAsync = promisify(write);
const readAsync = promisify(read);
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

export interface ExtractOptions {
  /** Refuse to replace a directory with a non-directory or the reverse (moby's option). */
  noOverwriteDirNonDir: boolean;
  /** Owner of every entry (copyUIDGID with a container user); else the archive's ids. */
  chown?: { uid: number; gid: number };
  /** Keep the extracting user's ownership (the CLI's local side, moby's NoLchown). */
  noChown?: boolean;
  /** Directory for the spool file (on the daemon: <data-root>/tmp). */
  spoolDir: string;
  /** Renames entries (and hard link targets) before anything else (the CLI's RebaseArchiveEntries). */
  rename?: (name: string) => string;
  /**
   * Leave out character and block device entries (the CLI's local side: a container must not be
   * able to plant a device node, such as its own /dev/sda, in the user's files).
   */
  skipDevices?: boolean;
  /** Entry count limit (default 1 million: pass 1 keeps each name's type). */
  maxEntries?: number;
}

export interface ExtractResult {
  entries: number;
  /** Bytes of regular files. */
  size: number;
}

/** errno codes that an absurd archive (a file under a file, a too long name) causes: bad input. */
const INPUT_ERRNOS = new Set(['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'EINVAL', 'ENOTEMPTY', 'EMLINK']);

const q = JSON.stringify;

/**
 * moby's breakout checks for a link entry at `rel` (cleaned, relative to the extraction
 * directory; `path` names it in errors): a symlink's target, read from the link's directory,
 * stays in the extraction directory (an absolute target is joined to it, as filepath.Join
 * does); a hard link's target (absolute means "in the extraction directory") too. Returns a
 * hard link's cleaned target ('.' for the directory itself), undefined for other entries.
 */
export function checkLinkEntry(path: string, rel: string, e: { type: string; linkname: string }): string | undefined {
  if (e.type === 'symlink') {
    const target = posix.join(posix.dirname(rel), e.linkname);
    if (target === '..' || target.startsWith('../')) throw invalidParameter(`invalid symlink ${q(path)} -> ${q(e.linkname)}`);
    return undefined;
  }
  if (e.type !== 'hardlink') return undefined;
  const target = posix.normalize(e.linkname.replace(/^\/+/, '') || '.');
  if (target === '..' || target.startsWith('../')) throw invalidParameter(`invalid hardlink ${q(path)} -> ${q(e.linkname)}`);
  return target;
}

/** The entry's path relative to the extraction directory ('' for the directory itself). */
export function cleanEntryName(name: string, dest: string): string {
  if (name.startsWith('/')) throw invalidParameter(`invalid archive entry ${q(name)}: absolute path not allowed`);
  const clean = posix.normalize(name === '' ? '.' : name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) throw invalidParameter(`${q(name)} is outside of ${q(dest)}`);
  return clean === '.' ? '' : clean;
}

/** The entry with opts.rename applied to its name and, for a hard link, its target. */
function renamed(e: TarEntry, opts: ExtractOptions): TarEntry {
  if (!opts.rename) return e;
  return { ...e, name: opts.rename(e.name), linkname: e.type === 'hardlink' ? opts.rename(e.linkname) : e.linkname };
}

const joinIn = (dest: string, rel: string) => (rel === '' ? dest : posix.join(dest, rel));

/** Pass-1 state: what the archive made so far, by cleaned name (links and types only). */
interface Seen {
  /** Names the archive made a symlink or hard link (to a non-directory): nothing may go below them. */
  links: Set<string>;
  /** Whether each name the archive made is a directory (for noOverwriteDirNonDir between entries). */
  dirs: Map<string, boolean>;
  /** Parents found to be directories (or missing, to be made) in the container. */
  parentsOk: Set<string>;
}

/**
 * Extracts `source` (a tar, maybe gzip/zstd-compressed) into the directory `dest` (a container
 * path the caller resolved and checked) of `view`. Throws InvalidParameter for a bad archive,
 * before anything is written.
 */
export async function extractTarInRoot(view: ContainerView, dest: string, source: AsyncIterable<Uint8Array>, opts: ExtractOptions): Promise<ExtractResult> {
  await mkdir(opts.spoolDir, { recursive: true, mode: 0o700 });
  const spoolPath = join(opts.spoolDir, `cp-${randomBytes(8).toString('hex')}.tar`);
  const spoolFd = openSync(spoolPath, 'wx+', 0o600);
  unlinkSync(spoolPath);
  try {
    await validate(view, dest, spool(decompressStream(source), spoolFd), opts);
    return await apply(view, dest, readTar(replay(spoolFd)), opts);
  } finally {
    closeSync(spoolFd);
  }
}

/** The spool's bytes from the start (positional reads: the fd stays ours to close). */
async function* replay(fd: number): AsyncGenerator<Uint8Array> {
  for (let pos = 0; ;) {
    const buf = Buffer.allocUnsafe(1 << 20);
    const { bytesRead } = await readAsync(fd, buf, 0, buf.length, pos);
    if (bytesRead === 0) return;
    pos += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** Yields the bytes of `source` after writing each chunk to `fd`. */
async function* spool(source: AsyncIterable<Uint8Array>, fd: number): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    for (let off = 0; off < chunk.length;) off += (await writeAsync(fd, chunk, off, chunk.length - off)).bytesWritten;
    yield chunk;
  }
}

async function validate(view: ContainerView, dest: string, bytes: AsyncIterable<Uint8Array>, opts: ExtractOptions): Promise<void> {
  const maxEntries = opts.maxEntries ?? 1_000_000;
  const seen: Seen = { links: new Set(), dirs: new Map(), parentsOk: new Set() };
  let count = 0;
  const it = bytes[Symbol.asyncIterator]();
  const tracked: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
  for await (const e of readTar(tracked, { maxNameLength: 4096 })) {
    if (++count > maxEntries) throw invalidParameter(`archive has more than ${maxEntries} entries`);
    const r = renamed(e, opts);
    checkEntry(view, dest, cleanEntryName(r.name, dest), r.name, r, seen, opts);
  }
  // Whatever follows the end-of-archive blocks is read too, so the spool holds the whole input.
  for (let r = await it.next(); !r.done; r = await it.next());
}

function checkEntry(view: ContainerView, dest: string, rel: string, name: string, e: TarEntry, seen: Seen, opts: ExtractOptions): void {
  const bad = (why: string) => invalidParameter(`invalid archive entry ${q(name)}: ${why}`);
  if (e.type === 'other') throw bad('unhandled tar header type');
  if (e.uid > 0xfffffffe || e.gid > 0xfffffffe) throw bad('uid/gid out of range');
  const path = joinIn(dest, rel);
  // A write through a link this archive made (`a -> /etc`, then `a/passwd`), or below a file
  // it made (`a`, then `a/b`).
  for (let p = posix.dirname(rel); p !== '.' && p !== ''; p = posix.dirname(p)) {
    if (seen.links.has(p)) throw bad(`it would be written through the link ${q(p)} made by the same archive`);
    if (seen.dirs.get(p) === false) throw bad(`${q(p)} is not a directory`);
  }
  // Below something already in the container that is not a directory: pass 2 would fail half way.
  const parent = posix.dirname(rel);
  if (parent !== '.' && !seen.dirs.has(parent) && !seen.parentsOk.has(parent)) {
    if (existingKind(view, joinIn(dest, parent), true) === 'other') throw bad(`${q(joinIn(dest, parent))} is not a directory`);
    seen.parentsOk.add(parent);
  }
  if (rel === '') {
    if (e.type !== 'dir') throw bad('the extraction directory itself must be a directory');
    return;
  }
  const target = checkLinkEntry(path, rel, e);
  if (e.type === 'hardlink' && target !== undefined) {
    if (target === '.') throw bad('hard link to the extraction directory');
    const kind = seen.dirs.has(target) ? (seen.dirs.get(target) ? 'dir' : 'other') : existingKind(view, joinIn(dest, target), false);
    if (kind === undefined) throw bad(`hard link target ${q(e.linkname)} not found`);
    if (kind === 'dir') throw bad('hard link to a directory');
  }
  const isDir = e.type === 'dir';
  if (opts.noOverwriteDirNonDir) {
    const before = seen.dirs.has(rel) ? seen.dirs.get(rel) : existingIsDir(view, path);
    if (before === true && !isDir) throw invalidParameter(`cannot overwrite directory ${q(path)} with non-directory ${q(dest)}`);
    if (before === false && isDir) throw invalidParameter(`cannot overwrite non-directory ${q(path)} with directory ${q(dest)}`);
  }
  seen.dirs.set(rel, isDir);
  if (e.type === 'symlink' || e.type === 'hardlink') seen.links.add(rel);
  else seen.links.delete(rel); // replaced by a file or directory
}

/** What is at `path` in the container: a directory, something else, or nothing (undefined). */
function existingKind(view: ContainerView, path: string, followFinal: boolean): 'dir' | 'other' | undefined {
  let fd: number;
  try {
    fd = view.open(path, { flags: O_PATH, followFinal });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return 'other';
    throw err;
  }
  try {
    return (fstatat(fd, '', AT_EMPTY_PATH)!.mode & S_IFMT) === S_IFDIR ? 'dir' : 'other';
  } finally {
    closeSync(fd);
  }
}

/** Whether `path` exists in the container as a directory (not following a final link); undefined if missing. */
function existingIsDir(view: ContainerView, path: string): boolean | undefined {
  let dirFd: number;
  try {
    dirFd = view.open(posix.dirname(path), { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return undefined;
    throw err;
  }
  try {
    const st = fstatat(dirFd, posix.basename(path));
    return st === null ? undefined : (st.mode & S_IFMT) === S_IFDIR;
  } finally {
    closeSync(dirFd);
  }
}

interface Ctx {
  view: ContainerView;
  dest: string;
  opts: ExtractOptions;
  dirs: ParentDirCache;
  /** Directories made or merged: [container path, mtime], dated once all entries are in. */
  dirTimes: [string, number][];
}

async function apply(view: ContainerView, dest: string, entries: AsyncIterable<TarEntry>, opts: ExtractOptions): Promise<ExtractResult> {
  const ctx: Ctx = { view, dest, opts, dirs: new ParentDirCache((path) => view.mkdirAll(path, 0o755)), dirTimes: [] };
  let count = 0;
  let size = 0;
  try {
    for await (const e of entries) {
      count++;
      const r = renamed(e, opts);
      const name = r.name;
      try {
        await applyEntry(ctx, cleanEntryName(name, dest), name, r);
      } catch (err) {
        if (err instanceof BerthError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const msg = `failed to extract ${q(name)}: ${(err as Error).message}`;
        throw INPUT_ERRNOS.has(code) ? invalidParameter(msg, err) : systemError(msg, err);
      }
      if (e.type === 'file') size += e.size;
    }
    for (let i = ctx.dirTimes.length - 1; i >= 0; i--) setDirTime(view, ...ctx.dirTimes[i]);
  } finally {
    ctx.dirs.close();
  }
  return { entries: count, size };
}

async function applyEntry(ctx: Ctx, rel: string, name: string, e: TarEntry): Promise<void> {
  if (rel === '') return; // the extraction directory itself: it exists, and moby leaves it as it is
  if (ctx.opts.skipDevices && (e.type === 'char' || e.type === 'block')) return;
  const { dirs, opts } = ctx;
  const path = joinIn(ctx.dest, rel);
  const base = posix.basename(path);
  const dirFd = dirs.get(posix.dirname(path));
  const source = e.type === 'hardlink' ? hardlinkSource(ctx, e) : undefined;
  try {
    const existing = fstatat(dirFd, base);
    const existingDir = existing !== null && (existing.mode & S_IFMT) === S_IFDIR;
    if (existing && opts.noOverwriteDirNonDir && existingDir !== (e.type === 'dir')) {
      // Changed since the validation pass (the container is running): refuse, as moby would.
      throw existingDir
        ? invalidParameter(`cannot overwrite directory ${q(path)} with non-directory ${q(ctx.dest)}`)
        : invalidParameter(`cannot overwrite non-directory ${q(path)} with directory ${q(ctx.dest)}`);
    }
    if (existing && !(existingDir && e.type === 'dir')) {
      dirs.invalidate();
      removeAllAt(dirFd, base);
    }
    switch (e.type) {
      case 'dir':
        if (!existingDir) mkdirat(dirFd, base, 0o700);
        break;
      case 'file':
        await writeFile(ctx, dirFd, base, e, name);
        return;
      case 'symlink':
        dirs.invalidate();
        symlinkat(e.linkname, dirFd, base);
        break;
      case 'hardlink':
        dirs.invalidate();
        linkat(source!.dirFd, source!.name, dirFd, base);
        return;
      case 'char':
      case 'block':
      case 'fifo': {
        const kind = e.type === 'char' ? S_IFCHR : e.type === 'block' ? S_IFBLK : S_IFIFO;
        mknodat(dirFd, base, kind | (e.mode & 0o777), e.devmajor, e.devminor);
        break;
      }
      default:
        throw invalidParameter(`invalid archive entry ${q(name)}: unhandled tar header type`);
    }
  } finally {
    if (source) closeSync(source.dirFd);
  }
  setMetadata(ctx, dirFd, base, e, path);
}

/** A hard link's source: in the extraction directory, existing, not a directory. */
function hardlinkSource(ctx: Ctx, e: TarEntry): { dirFd: number; name: string } {
  const target = joinIn(ctx.dest, posix.normalize(e.linkname.replace(/^\/+/, '')));
  const notFound = () => invalidParameter(`invalid archive entry ${q(e.name)}: hard link target ${q(e.linkname)} not found`);
  let dirFd: number;
  try {
    dirFd = ctx.view.open(posix.dirname(target), { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw notFound();
    throw err;
  }
  const st = fstatat(dirFd, posix.basename(target));
  if (st === null || (st.mode & S_IFMT) === S_IFDIR) {
    closeSync(dirFd);
    throw st === null ? notFound() : invalidParameter(`invalid archive entry ${q(e.name)}: hard link to a directory`);
  }
  return { dirFd, name: posix.basename(target) };
}

const ownerOf = (ctx: Ctx, e: TarEntry) => ctx.opts.chown ?? { uid: e.uid, gid: e.gid };

async function writeFile(ctx: Ctx, dirFd: number, base: string, e: TarEntry, name: string): Promise<void> {
  const fd = openat(dirFd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    let written = 0;
    for await (const chunk of e.body()) {
      for (let off = 0; off < chunk.length;) off += (await writeAsync(fd, chunk, off, chunk.length - off)).bytesWritten;
      written += chunk.length;
    }
    if (written !== e.size) throw invalidParameter(`invalid archive entry ${q(name)}: short body`);
    if (!ctx.opts.noChown) {
      const o = ownerOf(ctx, e);
      fchownSync(fd, o.uid, o.gid);
    }
    setArchiveXattrs(fd, e.xattrs, true);
    fchmodSync(fd, e.mode & 0o7777); // after chown, which clears set-id bits
    futimesSync(fd, e.mtime, e.mtime);
  } finally {
    closeSync(fd);
  }
}

function setMetadata(ctx: Ctx, dirFd: number, base: string, e: TarEntry, path: string): void {
  if (e.type === 'dir') {
    const fd = openat(dirFd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      if (!ctx.opts.noChown) {
        const o = ownerOf(ctx, e);
        fchownSync(fd, o.uid, o.gid);
      }
      setArchiveXattrs(fd, e.xattrs, true);
      fchmodSync(fd, e.mode & 0o7777);
    } finally {
      closeSync(fd);
    }
    ctx.dirTimes.push([path, e.mtime]);
    return;
  }
  if (!ctx.opts.noChown) {
    const o = ownerOf(ctx, e);
    lchownat(dirFd, base, o.uid, o.gid);
  }
  if (e.type !== 'symlink') lchmodat(dirFd, base, e.mode & 0o7777);
  try {
    lutimesat(dirFd, base, e.mtime, e.mtime);
  } catch (err) {
    if (!isErrno(err, 'EPERM') && !isErrno(err, 'EACCES')) throw err; // a symlink not ours to date (non-root CLI)
  }
}

function setDirTime(view: ContainerView, path: string, mtime: number): void {
  let fd: number;
  try {
    fd = view.open(path, { flags: O_RDONLY | O_DIRECTORY });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return; // replaced by a later entry
    throw err;
  }
  try {
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

