// A faithful copy of a directory tree for the vfs driver: ownership, modes (set-id bits too),
// xattrs, times, symlinks, hard links and device nodes preserved. Never follows a symlink.
import { copyFile, lchown, chmod, lutimes, lstat, mkdir, readdir, readlink, symlink, link } from 'node:fs/promises';
import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { isErrno } from '../common/index.ts';
import { lgetxattr, llistxattr, lsetxattr, mknod } from './syscalls.linux.ts';

/** Linux dev_t encoding (glibc's gnu_dev_major / gnu_dev_minor). */
function devMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}
function devMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

/** Copies the contents of `src` into `dst` (created, must not exist), and src's own metadata. */
export async function copyTree(src: string, dst: string): Promise<void> {
  const links = new Map<string, Promise<string>>(); // dev:ino -> first copy, for nlink > 1
  const st = await lstat(src, { bigint: true });
  await mkdir(dst, { mode: 0o700 });
  await copyDir(src, dst, links);
  await copyMetadata(src, dst, st);
}

/** Entries of one directory copied this many at a time (the fs calls run on libuv's pool). */
const PARALLEL = 16;

async function copyDir(src: string, dst: string, links: Map<string, Promise<string>>): Promise<void> {
  const names = await readdir(src);
  for (let i = 0; i < names.length; i += PARALLEL) {
    await Promise.all(names.slice(i, i + PARALLEL).map((name) => copyEntry(join(src, name), join(dst, name), links)));
  }
}

async function copyEntry(s: string, d: string, links: Map<string, Promise<string>>): Promise<void> {
  const st = await lstat(s, { bigint: true });
  if (st.isDirectory()) {
    await mkdir(d, { mode: 0o700 });
    await copyDir(s, d, links);
    await copyMetadata(s, d, st);
    return;
  }
  if (st.isSocket()) return; // sockets belong to a running process, not to a layer
  const key = `${st.dev}:${st.ino}`;
  if (st.nlink > 1n) {
    const first = links.get(key);
    if (first !== undefined) {
      await link(await first, d);
      return;
    }
  }
  const copied = (async () => {
    if (st.isFile()) await copyFile(s, d, constants.COPYFILE_FICLONE);
    else if (st.isSymbolicLink()) await symlink(await readlink(s), d);
    else mknod(d, Number(st.mode), devMajor(st.rdev), devMinor(st.rdev)); // char, block, fifo
    await copyMetadata(s, d, st);
    return d;
  })();
  if (st.nlink > 1n) links.set(key, copied);
  await copied;
}

async function copyMetadata(src: string, dst: string, st: BigIntStats): Promise<void> {
  await lchown(dst, Number(st.uid), Number(st.gid));
  for (const name of llistxattr(src)) {
    const value = lgetxattr(src, name);
    if (value === null) continue;
    try {
      lsetxattr(dst, name, value);
    } catch (err) {
      if (!isErrno(err, 'ENOTSUP') && !isErrno(err, 'EOPNOTSUPP') && !isErrno(err, 'EPERM')) throw err;
    }
  }
  if (!st.isSymbolicLink()) await chmod(dst, Number(st.mode & 0o7777n));
  await lutimes(dst, Number(st.atimeNs) / 1e9, Number(st.mtimeNs) / 1e9);
}
