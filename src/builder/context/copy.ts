// The files of one COPY/ADD, written into a mounted root filesystem (the step's RW layer), with
// Docker's semantics (moby builder/dockerfile/copy.go and internals.go; BuildKit's for
// --parents, --exclude, --chmod, heredocs and ADD --checksum):
//  - sources resolve inside the source root (sources.ts): the context, or another stage's /
//    image's root for COPY --from; symlinks followed within it, `..` out of it refused;
//  - a directory source copies its contents; a file goes to dest, or into dest when dest ends
//    in `/` or is an existing directory (named as the source was written, not as a link's
//    target); several sources (after wildcards) need a dest ending in `/`;
//  - a relative dest is taken from the workdir; missing parents are made 0755, owned by the
//    --chown identity (moby's MkdirAllAndChownNew; root without --chown);
//  - files and directories keep their mode (or get --chmod) and mtime; every copied entry is
//    owned by 0:0 or the --chown numbers; symlinks below a directory source stay symlinks;
//  - ADD: a local tar archive (plain, gzip, bzip2, xz) is extracted at dest through archive's
//    validated extraction (extractTarInRoot), unless unpack is false; an http(s) URL is
//    downloaded (mode 0600, mtime from Last-Modified) and never extracted; --checksum verified.
// Everything in the destination is made through fds from the fsroot resolver and *at() calls:
// the final component is never followed, metadata changes never follow links.
import { closeSync, copyFileSync, createReadStream, fchmodSync, fchownSync, fstatSync, futimesSync, openSync, write, type BigIntStats } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { extractTarInRoot } from '../../archive/index.ts';
import {
  BerthError, dockerignoreMatcher, invalidParameter, isErrno, notImplemented, readTar, systemError, type MatchInfo, type PatternMatcher,
} from '../../common/index.ts';
import {
  ContainerView, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFMT,
  fsetxattr, fstatat, lchownat, lgetxattrAt, linkat, lutimesat, mkdirAllInRoot, mkdirat, mknodat, openInRoot, openRoot, openat, readdirat, readlinkat, removeAllAt, symlinkat,
} from '../../fsroot/index.ts';
import { decompressAny } from './decompress.ts';
import { downloadUrl, isGitUrl, isUrl } from './download.ts';
import { copyFailed, resolveSource, type SourceInfo } from './sources.ts';
import type { CopyRequest, CopySource } from './types.ts';

const writeAsync = promisify(write);
const CAPABILITY = 'security.capability';
const SMALL_FILE = 128n * 1024n;

export interface CopyOptions {
  /** Where downloads and archive spools go (default: the OS temp dir); under the data root on the daemon. */
  tmpDir?: string;
  signal?: AbortSignal;
  /** Largest ADD <url> download (default 10 GiB). */
  maxDownload?: number;
}

type Item =
  | { kind: 'local'; info: SourceInfo; orig: string }
  | { kind: 'inline'; name: string; content: string }
  | { kind: 'url'; url: string };

interface Owner {
  uid: number;
  gid: number;
}

/** Docker's dest: relative to the workdir, a trailing `/` kept (moby normalizeDest). */
export function normalizeDest(workdir: string, requested: string): string {
  if (requested.startsWith('/')) return requested;
  let dest = posix.join('/', workdir || '/', requested);
  if (requested.endsWith('/') && !dest.endsWith('/')) dest += '/';
  return dest;
}

/** Writes the files `req` names from `source` into the root `destRootDir` (a mounted RW layer). */
export async function copyIntoRoot(source: CopySource, req: CopyRequest, destRootDir: string, opts: CopyOptions = {}): Promise<void> {
  const cmd = req.command ?? 'COPY';
  const owner: Owner = req.chown ?? { uid: 0, gid: 0 };
  const srcView = new ContainerView(openRoot(source.rootDir));
  const destRootFd = openRoot(destRootDir);
  let tmp: Promise<string> | undefined;
  try {
    if (req.checksum !== undefined) {
      // BuildKit's checks (dockerfile2llb), before anything is resolved.
      if (cmd === 'COPY') throw invalidParameter("checksum can't be specified for COPY");
      if (req.sources.length + req.inline.length !== 1) throw invalidParameter("checksum can't be specified for multiple sources");
      if (!isUrl(req.sources[0] ?? '')) throw invalidParameter("checksum can't be specified for non-HTTP(S) sources");
    }
    const items: Item[] = [];
    for (const orig of req.sources) {
      if (isUrl(orig)) {
        if (cmd === 'COPY') throw copyFailed(cmd, "source can't be a URL for COPY");
        if (isGitUrl(orig)) throw notImplemented(`${cmd} failed: adding a git repository (${orig}) is not supported`);
        items.push({ kind: 'url', url: orig });
        continue;
      }
      for (const info of resolveSource(srcView, orig, { cmd, isContext: source.isContext })) items.push({ kind: 'local', info, orig });
    }
    for (const f of req.inline) items.push({ kind: 'inline', name: f.name, content: f.content });
    if (items.length === 0) throw copyFailed(cmd, 'no source files were specified');
    if (items.length > 1 && !req.dest.endsWith('/')) {
      throw invalidParameter(`When using ${cmd} with more than one source file, the destination must be a directory and end with a /`);
    }
    const dest = normalizeDest(req.workdir, req.dest);
    const exclude = req.exclude.length > 0 ? dockerignoreMatcher(req.exclude) : undefined;
    const c: CopyCtx = { cmd, owner, chownGiven: req.chown !== undefined, chmod: req.chmod, srcView, destRootFd, destRootDir, exclude, links: new Map(), dirTimes: [], signal: opts.signal };
    for (const item of items) {
      opts.signal?.throwIfAborted();
      if (item.kind === 'local') {
        await copyLocal(c, item.info, item.orig, dest, req, opts, () => (tmp ??= makeTmp(opts)));
      } else if (item.kind === 'inline') {
        const target = dest.endsWith('/') || isDirInRoot(destRootFd, dest) ? posix.join(dest, item.name) : dest;
        await writeBytes(c, target, Buffer.from(item.content), req.chmod ?? 0o644, Date.now() / 1000);
      } else {
        const dir = await (tmp ??= makeTmp(opts));
        const got = await downloadUrl(item.url, join(dir, 'download'), { signal: opts.signal, maxBytes: opts.maxDownload, checksum: req.checksum, cmd });
        let target: string;
        if (dest.endsWith('/')) {
          if (got.filename === '') throw invalidParameter(`cannot determine filename for source ${item.url}`);
          target = posix.join(dest, got.filename);
        } else target = isDirInRoot(destRootFd, dest) ? posix.join(dest, got.filename || '__unnamed__') : dest;
        await copyHostFile(c, got.path, target, req.chmod ?? 0o600, got.mtime);
      }
    }
    setDirTimes(c);
  } catch (err) {
    if (err instanceof BerthError) throw err;
    if ((err as Error).name === 'AbortError') throw err;
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const msg = `failed to copy files: ${(err as Error).message}`;
    throw ['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP'].includes(code) ? invalidParameter(msg, err) : systemError(msg, err);
  } finally {
    srcView.close();
    closeSync(destRootFd);
    if (tmp !== undefined) await rm(await tmp, { recursive: true, force: true });
  }
}

async function makeTmp(opts: CopyOptions): Promise<string> {
  const base = opts.tmpDir ?? tmpdir();
  await mkdir(base, { recursive: true, mode: 0o700 });
  return mkdtemp(join(base, 'copy-'));
}

interface CopyCtx {
  cmd: 'COPY' | 'ADD';
  owner: Owner;
  chownGiven: boolean;
  chmod?: number;
  srcView: ContainerView;
  destRootFd: number;
  destRootDir: string;
  exclude?: PatternMatcher;
  /** Hard-linked source inodes copied already: "dev:ino" → their path in the destination. */
  links: Map<string, string>;
  /** Directories copied, dated once their contents are in: [dest path, mtime]. */
  dirTimes: [string, number][];
  signal?: AbortSignal;
}

/** The part of a --parents source kept at dest: after a `/./` pivot, else all of it. */
function parentsRel(orig: string, rel: string): string {
  const trimmed = orig.replace(/^\/+/, '').replace(/^\.\//, '');
  const pivot = trimmed.indexOf('/./');
  if (pivot === -1) return rel;
  const strip = posix.normalize(trimmed.slice(0, pivot));
  return rel === strip ? '.' : rel.startsWith(`${strip}/`) ? rel.slice(strip.length + 1) : rel;
}

async function copyLocal(
  c: CopyCtx, info: SourceInfo, orig: string, dest: string, req: CopyRequest, opts: CopyOptions, tmp: () => Promise<string>,
): Promise<void> {
  let base = dest;
  let asDir = dest.endsWith('/');
  if (req.parents) {
    const rel = parentsRel(orig, info.rel);
    const parent = info.isDir ? rel : posix.dirname(rel);
    base = posix.join(dest, parent === '.' ? '' : parent);
    asDir = true;
    if (info.isDir) {
      await copyDirectory(c, info.path, base);
      return;
    }
  }
  if (info.isDir) {
    await copyDirectory(c, info.path, dest);
    return;
  }
  if (c.exclude && (c.exclude.matches(info.rel) || c.exclude.matches(info.name))) return;
  if (c.cmd === 'ADD' && req.unpack && (await isArchive(c.srcView, info.path))) {
    await extractArchive(c, info.path, dest, await tmp());
    return;
  }
  const target = asDir || isDirInRoot(c.destRootFd, base) ? posix.join(base, info.name) : base;
  await copyRootFile(c, info.path, target);
}

/** Whether `path` in the root is a directory, links followed inside the root. */
function isDirInRoot(rootFd: number, path: string): boolean {
  try {
    closeSync(openInRoot(rootFd, path, { flags: O_PATH | O_DIRECTORY, followFinal: true }));
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return false;
    throw err;
  }
}

const ROOT: Owner = { uid: 0, gid: 0 };

/** mkdir -p of `path` in the destination; the directories it makes are 0755 and owned by `owner`. Returns an O_PATH fd. */
function mkdirAllOwned(c: CopyCtx, path: string, owner: Owner = c.owner): number {
  try {
    return openInRoot(c.destRootFd, path, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  const comps = path.split('/').filter((s) => s !== '' && s !== '.');
  const made: string[] = [];
  for (let i = 0; i < comps.length; i++) {
    const prefix = `/${comps.slice(0, i + 1).join('/')}`;
    if (made.length === 0 && isDirInRoot(c.destRootFd, prefix)) continue;
    made.push(prefix);
  }
  const fd = mkdirAllInRoot(c.destRootFd, path, 0o755);
  for (const p of made) {
    let dfd: number;
    try {
      dfd = openInRoot(c.destRootFd, p, { flags: O_RDONLY | O_DIRECTORY, followFinal: true });
    } catch {
      continue;
    }
    try {
      fchownSync(dfd, owner.uid, owner.gid);
      fchmodSync(dfd, 0o755);
    } finally {
      closeSync(dfd);
    }
  }
  return fd;
}

/** The parent's fd (made if missing) and the base name of the absolute path `target`. */
function destParent(c: CopyCtx, target: string): { dirFd: number; base: string } {
  const clean = posix.normalize(target).replace(/\/+$/, '');
  const base = posix.basename(clean);
  if (base === '' || base === '.' || base === '..') throw invalidParameter(`${c.cmd} failed: invalid destination ${target}`);
  return { dirFd: mkdirAllOwned(c, posix.dirname(clean)), base };
}

/** Removes what is at `base` in `dirFd` unless it is a directory and `keepDir`; returns whether a directory stays. */
function clearTarget(dirFd: number, base: string, keepDir: boolean): boolean {
  const st = fstatat(dirFd, base);
  if (st === null) return false;
  const isDir = (st.mode & S_IFMT) === S_IFDIR;
  if (isDir && keepDir) return true;
  removeAllAt(dirFd, base);
  return false;
}

/** Opens a regular file of the source root for reading (links followed inside it): O_PATH, checked, reopened. */
function openSourceFile(view: ContainerView, path: string): { fd: number; st: BigIntStats; cap?: Buffer } {
  const resolved = view.resolve(path, { flags: O_PATH, followFinal: true });
  const pathFd = resolved.fd;
  try {
    const st = fstatSync(pathFd, { bigint: true });
    if (!st.isFile()) throw invalidParameter(`${path} is not a regular file`);
    let cap: Buffer | undefined;
    if (resolved.path !== '/') {
      const dirFd = view.open(posix.dirname(resolved.path), { flags: O_PATH | O_DIRECTORY });
      try {
        cap = capabilityOf(dirFd, posix.basename(resolved.path));
      } finally {
        closeSync(dirFd);
      }
    }
    return { fd: openSync(`/proc/self/fd/${pathFd}`, O_RDONLY), st, cap };
  } finally {
    closeSync(pathFd);
  }
}

/** mtimes in whole seconds, as moby's tar copy (FileInfoHeaderNoLookups truncates them) leaves them. */
const seconds = (ns: bigint) => Number(ns / 1_000_000_000n);

/**
 * The file's security.capability xattr (moby's tar copy carries it: COPY --from keeps a binary's
 * file capabilities), read without following the entry; undefined when unset.
 */
function capabilityOf(dirFd: number, name: string): Buffer | undefined {
  try {
    return lgetxattrAt(dirFd, name, CAPABILITY) ?? undefined;
  } catch {
    return undefined;
  }
}

function setCapability(fd: number, cap: Buffer | undefined): void {
  if (cap === undefined) return;
  try {
    fsetxattr(fd, CAPABILITY, cap);
  } catch (err) {
    if (!isErrno(err, 'ENOTSUP') && !isErrno(err, 'EOPNOTSUPP') && !isErrno(err, 'EPERM')) throw err;
  }
}

async function copyRootFile(c: CopyCtx, srcPath: string, target: string): Promise<void> {
  const { fd: srcFd, st, cap } = openSourceFile(c.srcView, srcPath);
  try {
    await writeFromFd(c, target, srcFd, c.chmod ?? Number(st.mode & 0o7777n), seconds(st.mtimeNs), cap);
  } finally {
    closeSync(srcFd);
  }
}

/** A file of the host (a download, trusted: made by this process) copied to `target`. */
async function copyHostFile(c: CopyCtx, hostPath: string, target: string, mode: number, mtime: number): Promise<void> {
  const fd = openSync(hostPath, O_RDONLY | O_NOFOLLOW);
  try {
    await writeFromFd(c, target, fd, mode, mtime);
  } finally {
    closeSync(fd);
  }
}

async function writeFromFd(c: CopyCtx, target: string, srcFd: number, mode: number, mtime: number, cap?: Buffer): Promise<void> {
  const { dirFd, base } = destParent(c, target);
  try {
    clearTarget(dirFd, base, false);
    const fd = openat(dirFd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      // Both ends are pinned fds; /proc/self/fd names those very inodes (copy_file_range/sendfile in libuv).
      await copyFile(`/proc/self/fd/${srcFd}`, `/proc/self/fd/${fd}`);
      finishFile(fd, c.owner, mode, mtime, cap);
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(dirFd);
  }
}

async function writeBytes(c: CopyCtx, target: string, data: Buffer, mode: number, mtime: number): Promise<void> {
  const { dirFd, base } = destParent(c, target);
  try {
    clearTarget(dirFd, base, false);
    const fd = openat(dirFd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      for (let off = 0; off < data.length;) off += (await writeAsync(fd, data, off, data.length - off)).bytesWritten;
      finishFile(fd, c.owner, mode, mtime);
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(dirFd);
  }
}

function finishFile(fd: number, owner: Owner, mode: number, mtime: number, cap?: Buffer): void {
  fchownSync(fd, owner.uid, owner.gid);
  setCapability(fd, cap); // after chown, which drops it
  fchmodSync(fd, mode & 0o7777); // after chown, which clears set-id bits
  futimesSync(fd, mtime, mtime);
}

/**
 * The contents of the source directory `srcPath` into `destPath` (made, 0755 and owned by the
 * identity, when missing: moby's copyDirectory + fixPermissions; the parents it makes above it
 * are root's, as CopyWithTar makes them).
 */
async function copyDirectory(c: CopyCtx, srcPath: string, destPath: string): Promise<void> {
  const existed = isDirInRoot(c.destRootFd, destPath);
  if (!existed) closeSync(mkdirAllOwned(c, posix.dirname(posix.normalize(destPath)), ROOT));
  const dstFd = mkdirAllOwned(c, destPath);
  const srcFd = c.srcView.open(srcPath, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  try {
    if (!existed && c.chmod !== undefined) {
      const fd = openat(dstFd, '.', O_RDONLY | O_DIRECTORY);
      try {
        fchmodSync(fd, c.chmod & 0o7777);
      } finally {
        closeSync(fd);
      }
    }
    await copyTree(c, srcFd, dstFd, posix.normalize(destPath), '', undefined);
  } finally {
    closeSync(srcFd);
    closeSync(dstFd);
  }
}

async function copyTree(c: CopyCtx, srcDirFd: number, dstDirFd: number, dstDir: string, relDir: string, parentInfo: MatchInfo | undefined): Promise<void> {
  for (const name of readdirat(srcDirFd, '.').sort()) {
    c.signal?.throwIfAborted(); // a cancelled build stops a large COPY between files
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    const fd = openat(srcDirFd, name, O_PATH | O_NOFOLLOW);
    try {
      const st = fstatSync(fd, { bigint: true });
      let info: MatchInfo | undefined;
      if (c.exclude) {
        const m = c.exclude.matchesWithParent(rel, parentInfo);
        info = m.info;
        if (m.matched && !(st.isDirectory() && c.exclude.mayIncludeBelow(rel))) continue;
      }
      await copyEntry(c, srcDirFd, fd, st, dstDirFd, name, posix.join(dstDir, name), rel, info);
    } finally {
      closeSync(fd);
    }
  }
}

async function copyEntry(
  c: CopyCtx, srcDirFd: number, srcFd: number, st: BigIntStats, dstDirFd: number, name: string, dstPath: string, rel: string, info: MatchInfo | undefined,
): Promise<void> {
  const mode = c.chmod ?? Number(st.mode & 0o7777n);
  const mtime = seconds(st.mtimeNs);
  if (st.isDirectory()) {
    if (!clearTarget(dstDirFd, name, true)) mkdirat(dstDirFd, name, 0o700);
    const childDst = openat(dstDirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    try {
      fchownSync(childDst, c.owner.uid, c.owner.gid);
      fchmodSync(childDst, mode);
      await copyTree(c, srcFd, childDst, dstPath, rel, info);
    } finally {
      closeSync(childDst);
    }
    c.dirTimes.push([dstPath, mtime]);
    return;
  }
  if (st.isSocket()) return; // moby's tar leaves sockets out
  clearTarget(dstDirFd, name, false);
  const key = `${st.dev}:${st.ino}`;
  if (st.nlink > 1n && !st.isDirectory()) {
    const first = c.links.get(key);
    if (first !== undefined) {
      const firstDir = openInRoot(c.destRootFd, posix.dirname(first), { flags: O_PATH | O_DIRECTORY, followFinal: true });
      try {
        linkat(firstDir, posix.basename(first), dstDirFd, name);
        return;
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err; // replaced meanwhile: copy it again
      } finally {
        closeSync(firstDir);
      }
    }
    c.links.set(key, dstPath);
  }
  if (st.isFile()) {
    const fd = openSync(`/proc/self/fd/${srcFd}`, O_RDONLY);
    try {
      const out = openat(dstDirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
      try {
        // Small files synchronously: a thread-pool round trip costs more than the copy.
        if (st.size <= SMALL_FILE) copyFileSync(`/proc/self/fd/${fd}`, `/proc/self/fd/${out}`);
        else await copyFile(`/proc/self/fd/${fd}`, `/proc/self/fd/${out}`);
        finishFile(out, c.owner, mode, mtime, capabilityOf(srcDirFd, name));
      } finally {
        closeSync(out);
      }
    } finally {
      closeSync(fd);
    }
    return;
  }
  if (st.isSymbolicLink()) {
    symlinkat(readlinkat(srcFd, ''), dstDirFd, name);
    lchownat(dstDirFd, name, c.owner.uid, c.owner.gid);
    lutimesat(dstDirFd, name, mtime, mtime);
    return;
  }
  // FIFOs and device nodes (a stage's or image's root only: a received context has none).
  const type = st.isFIFO() ? 0o010000 : st.isCharacterDevice() ? 0o020000 : 0o060000;
  const rdev = Number(st.rdev);
  mknodat(dstDirFd, name, type | (mode & 0o777), (rdev >> 8) & 0xfff, (rdev & 0xff) | ((rdev >> 12) & 0xfff00));
  lchownat(dstDirFd, name, c.owner.uid, c.owner.gid);
  lutimesat(dstDirFd, name, mtime, mtime);
}

function setDirTimes(c: CopyCtx): void {
  for (let i = c.dirTimes.length - 1; i >= 0; i--) {
    const [path, mtime] = c.dirTimes[i];
    let fd: number;
    try {
      fd = openInRoot(c.destRootFd, path, { flags: O_RDONLY | O_DIRECTORY });
    } catch {
      continue;
    }
    try {
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
  }
}

/** The bytes of a regular file of the source root. */
async function* readSourceFile(view: ContainerView, path: string): AsyncGenerator<Uint8Array> {
  const { fd } = openSourceFile(view, path);
  yield* createReadStream('', { fd, autoClose: true, highWaterMark: 1 << 20 });
}

/** moby's isArchivePath: the (decompressed) file starts with a valid tar header. */
async function isArchive(view: ContainerView, path: string): Promise<boolean> {
  try {
    for await (const _ of readTar(decompressAny(readSourceFile(view, path)))) return true;
    return false;
  } catch (err) {
    if (err instanceof BerthError) return false;
    throw err;
  }
}

async function extractArchive(c: CopyCtx, srcPath: string, dest: string, tmp: string): Promise<void> {
  closeSync(mkdirAllOwned(c, dest));
  const destView = new ContainerView(openRoot(c.destRootDir));
  try {
    await extractTarInRoot(destView, posix.normalize(dest), decompressAny(readSourceFile(c.srcView, srcPath)), {
      // moby keeps the archive's owners; --chown (BuildKit) gives every entry its numbers.
      noOverwriteDirNonDir: false, spoolDir: tmp, ...(c.chownGiven ? { chown: c.owner } : {}),
    });
  } finally {
    destView.close();
  }
}
