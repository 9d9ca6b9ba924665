// Copy-up: the image's content at a volume's destination copied into the new, empty volume the
// first time a container uses it (moby container.CopyImagePathContent over continuity's
// fs.CopyDir): ownership, modes, times, symlinks, hard links, device nodes and the xattrs a
// layer can carry are kept, and the volume's top directory takes the image directory's owner and
// mode. Hand-written over fds because both sides are hostile (DESIGN.md decision 5): the
// destination path is resolved inside the container's rootfs only (a symlink to a host path
// stays in the rootfs), and every step of the walk, on either side, goes through a directory fd
// and one name, never a path string that a container could re-point meanwhile.
import { closeSync, fchmodSync, fchownSync, fstatSync, futimesSync, lstatSync, openSync, type BigIntStats } from 'node:fs';
import { copyFile as copyFileBytes } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { isErrno } from '../common/index.ts';
import {
  O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY,
  fsetxattr, lchmodat, lchownat, lgetxattrAt, linkat, llistxattrAt, lutimesat, mkdirat, mknodat, openInRoot, openRoot, openat,
  readdirat, readlinkat, symlinkat, archiveXattrAllowed,
} from '../fsroot/index.ts';

/** Deeper trees are refused: each level holds two fds. */
const MAX_DEPTH = 1024;

type CopyUpResult = 'copied' | 'no-source' | 'not-empty';

const seconds = (ns: bigint) => Number(ns / 1000n) / 1e6;

function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

interface Walk {
  /** Hard links: the first copy of each (dev, ino) with nlink > 1, as a pinned directory fd and a name. */
  links: Map<string, { dirFd: number; name: string }>;
  pinned: Set<number>;
  entries: number;
}

/**
 * Copies the directory `path` of the rootfs `rootfs` into `volumeDir` when the volume is empty.
 * `rootfs` and `volumeDir` are trusted host paths; `path` is resolved inside the rootfs.
 */
export async function copyUp(rootfs: string, path: string, volumeDir: string): Promise<CopyUpResult> {
  const rootFd = openRoot(rootfs);
  let srcFd: number;
  try {
    srcFd = openInRoot(rootFd, path, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    // Nothing there, or not a directory: nothing to copy (Docker copies only directories).
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return 'no-source';
    throw err;
  } finally {
    closeSync(rootFd);
  }
  const walk: Walk = { links: new Map(), pinned: new Set(), entries: 0 };
  try {
    const dstFd = openRoot(volumeDir);
    try {
      if (readdirat(dstFd, '.').length) return 'not-empty';
      await copyDir(srcFd, dstFd, walk, 0);
      copyDirMetadata(srcFd, dstFd);
      return 'copied';
    } finally {
      if (!walk.pinned.has(dstFd)) closeSync(dstFd);
    }
  } finally {
    if (!walk.pinned.has(srcFd)) closeSync(srcFd);
    for (const fd of walk.pinned) closeSync(fd);
  }
}

/** Stats `name` in `dirFd` without following it, with device numbers and nanosecond times. */
function statAt(dirFd: number, name: string): BigIntStats {
  return lstatSync(`/proc/self/fd/${dirFd}/${name}`, { bigint: true });
}

async function copyDir(srcDir: number, dstDir: number, walk: Walk, depth: number): Promise<void> {
  if (depth > MAX_DEPTH) throw new Error(`copy-up: the directory tree is deeper than ${MAX_DEPTH} levels`);
  for (const name of readdirat(srcDir, '.')) {
    // A big tree does not hold the event loop for its whole copy.
    if (++walk.entries % 256 === 0) await yieldToLoop();
    const st = statAt(srcDir, name);
    if (st.isDirectory()) {
      mkdirat(dstDir, name, 0o700);
      const sub = openat(srcDir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
      const dsub = openat(dstDir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
      try {
        await copyDir(sub, dsub, walk, depth + 1);
        copyDirMetadata(sub, dsub);
      } finally {
        if (!walk.pinned.has(sub)) closeSync(sub);
        if (!walk.pinned.has(dsub)) closeSync(dsub);
      }
      continue;
    }
    if (st.nlink > 1n && !st.isSymbolicLink()) {
      const key = `${st.dev}:${st.ino}`;
      const first = walk.links.get(key);
      if (first) {
        linkat(first.dirFd, first.name, dstDir, name);
        continue;
      }
      walk.links.set(key, { dirFd: dstDir, name });
      walk.pinned.add(dstDir);
    }
    if (st.isFile()) await copyFile(srcDir, dstDir, name, st);
    else if (st.isSymbolicLink()) symlinkat(readlinkat(srcDir, name), dstDir, name);
    else if (st.isCharacterDevice() || st.isBlockDevice() || st.isFIFO()) {
      // Linux's dev_t: major in bits 8-19 and 32+, minor in bits 0-7 and 20+.
      const major = Number(((st.rdev >> 8n) & 0xfffn) | ((st.rdev >> 32n) & ~0xfffn));
      const minor = Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & ~0xffn));
      mknodat(dstDir, name, Number(st.mode) & 0o170000, major, minor);
    } else {
      continue; // sockets: nothing to copy (continuity skips them too)
    }
    lchownat(dstDir, name, Number(st.uid), Number(st.gid));
    if (!st.isSymbolicLink()) lchmodat(dstDir, name, Number(st.mode) & 0o7777);
    setTimes(dstDir, name, st);
  }
}

function setTimes(dirFd: number, name: string, st: BigIntStats): void {
  lutimesat(dirFd, name, seconds(st.atimeNs), seconds(st.mtimeNs));
}

/** A regular file: its bytes through fds (the source reopened through its own O_PATH fd), then its xattrs. */
async function copyFile(srcDir: number, dstDir: number, name: string, st: BigIntStats): Promise<void> {
  const srcPath = openat(srcDir, name, O_PATH | O_NOFOLLOW);
  const src = withFd(srcPath, (fd) => {
    // Swapped for something else since the stat: refuse rather than open a FIFO or a device.
    const now = fstatSync(fd, { bigint: true });
    if (!now.isFile() || now.ino !== st.ino || now.dev !== st.dev) throw new Error(`copy-up: ${name} changed during the copy`);
    return openSync(`/proc/self/fd/${fd}`, O_RDONLY);
  });
  try {
    const dst = openat(dstDir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    try {
      await copyFileBytes(`/proc/self/fd/${src}`, `/proc/self/fd/${dst}`);
      copyXattrs(srcDir, name, dst);
    } finally {
      closeSync(dst);
    }
  } finally {
    closeSync(src);
  }
}

function copyXattrs(srcDir: number, name: string, dstFd: number): void {
  for (const attr of llistxattrAt(srcDir, name)) {
    if (!archiveXattrAllowed(attr)) continue;
    const value = lgetxattrAt(srcDir, name, attr);
    if (value === null) continue;
    try {
      fsetxattr(dstFd, attr, value);
    } catch (err) {
      // A volume on a filesystem without user xattrs: the data matters more (continuity's handler does the same).
      if (!isErrno(err, 'EOPNOTSUPP') && !isErrno(err, 'ENOTSUP')) throw err;
    }
  }
}

/** Owner, then mode (chown clears set-id bits), xattrs, then times of a directory: from `src` onto `dst`. */
function copyDirMetadata(srcPathFd: number, dstPathFd: number): void {
  const st = fstatSync(srcPathFd, { bigint: true });
  const attrs = llistxattrAt(srcPathFd, '.').filter(archiveXattrAllowed);
  withFd(openSync(`/proc/self/fd/${dstPathFd}`, O_RDONLY | O_DIRECTORY), (fd) => {
    fchownSync(fd, Number(st.uid), Number(st.gid));
    fchmodSync(fd, Number(st.mode) & 0o7777);
    for (const attr of attrs) {
      const value = lgetxattrAt(srcPathFd, '.', attr);
      if (value === null) continue;
      try {
        fsetxattr(fd, attr, value);
      } catch (err) {
        if (!isErrno(err, 'EOPNOTSUPP') && !isErrno(err, 'ENOTSUP')) throw err;
      }
    }
    futimesSync(fd, seconds(st.atimeNs), seconds(st.mtimeNs));
  });
}
