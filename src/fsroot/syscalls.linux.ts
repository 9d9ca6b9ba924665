// Typed access to the fd-based *at() syscalls of build/berth.node (native/addon/berth.c, its
// "fsroot" section) that the in-root resolver and its callers use. Synchronous, one syscall
// each, errors with .code like Node's fs. Loaded on first use, like layer/syscalls.linux.ts.
import { nativeAddon } from '../common/index.ts';

/** fstatat's answer: [mode, uid, gid, size, nlink, dev, ino]. */
type StatTuple = [number, number, number, number, number, bigint, bigint];

interface Addon {
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number;
  openat(dirfd: number, name: string, flags: number, mode: number): number;
  fstatat(dirfd: number, name: string, flags: number): StatTuple | null;
  readlinkat(dirfd: number, name: string): string;
  mkdirat(dirfd: number, name: string, mode: number): void;
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void;
  unlinkat(dirfd: number, name: string, flags: number): void;
  symlinkat(target: string, dirfd: number, name: string): void;
  linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): void;
  fchownat(dirfd: number, name: string, uid: number, gid: number, flags: number): void;
  fchmodat(dirfd: number, name: string, mode: number, flags: number): void;
  utimensat(dirfd: number, name: string, atime: number, mtime: number, flags: number): void;
  renameat2(olddirfd: number, oldname: string, newdirfd: number, newname: string, flags: number): void;
  fsetxattr(fd: number, name: string, value: Buffer): void;
  readdirat(dirfd: number, name: string): string[];
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
}

const native = () => nativeAddon<Addon>();

/** x86-64/arm64 Linux values (checked against the addon's in the tests). */
export const O_RDONLY = 0;
export const O_WRONLY = 0o1;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100;
export const AT_REMOVEDIR = 0x200;
export const AT_EMPTY_PATH = 0x1000;
export const RENAME_NOREPLACE = 1;
export const RENAME_EXCHANGE = 2;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_IN_ROOT = 0x10;

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;

export interface StatAt {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  nlink: number;
  dev: bigint;
  ino: bigint;
}

/** openat2(2); O_CLOEXEC is added. Throws ENOSYS on kernels before 5.6. */
export function openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
  return native().openat2(dirfd, path, flags, mode, resolve);
}

/** openat(2); O_CLOEXEC is added. */
export function openat(dirfd: number, name: string, flags: number, mode = 0): number {
  return native().openat(dirfd, name, flags, mode);
}

/** fstatat(2); null when the name does not exist. `name` '' with AT_EMPTY_PATH stats the fd. */
export function fstatat(dirfd: number, name: string, flags = AT_SYMLINK_NOFOLLOW): StatAt | null {
  const t = native().fstatat(dirfd, name, flags);
  return t === null ? null : { mode: t[0], uid: t[1], gid: t[2], size: t[3], nlink: t[4], dev: t[5], ino: t[6] };
}

/** readlinkat(2); name '' reads the symlink an O_PATH|O_NOFOLLOW fd refers to. */
export function readlinkat(dirfd: number, name: string): string {
  return native().readlinkat(dirfd, name);
}

export function mkdirat(dirfd: number, name: string, mode: number): void {
  native().mkdirat(dirfd, name, mode);
}

/** mknodat(2); `mode` carries the type (S_IFCHR, S_IFBLK, S_IFIFO). */
export function mknodat(dirfd: number, name: string, mode: number, major = 0, minor = 0): void {
  native().mknodat(dirfd, name, mode, major, minor);
}

export function unlinkat(dirfd: number, name: string, flags = 0): void {
  native().unlinkat(dirfd, name, flags);
}

export function symlinkat(target: string, dirfd: number, name: string): void {
  native().symlinkat(target, dirfd, name);
}

/** linkat(2) with flags 0: a symlink source is linked itself, never followed. */
export function linkat(olddirfd: number, oldname: string, newdirfd: number, newname: string): void {
  native().linkat(olddirfd, oldname, newdirfd, newname, 0);
}

/** Changes owner of `name` in `dirfd`, never following a final symlink. */
export function lchownat(dirfd: number, name: string, uid: number, gid: number): void {
  native().fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW);
}

/** Changes the mode of `name` in `dirfd`, never following it (a symlink gives EOPNOTSUPP). */
export function lchmodat(dirfd: number, name: string, mode: number): void {
  native().fchmodat(dirfd, name, mode, AT_SYMLINK_NOFOLLOW);
}

/** Sets atime and mtime (seconds, fractions kept) of `name` in `dirfd`, never following it. */
export function lutimesat(dirfd: number, name: string, atime: number, mtime: number): void {
  native().utimensat(dirfd, name, atime, mtime, AT_SYMLINK_NOFOLLOW);
}

/** fsetxattr(2) on an fd opened for reading or writing (O_PATH fds are refused). */
export function fsetxattr(fd: number, name: string, value: Buffer): void {
  native().fsetxattr(fd, name, value);
}

/** Names in the directory `name` of `dirfd` ('.' for dirfd itself); a symlink is refused. */
export function readdirat(dirfd: number, name: string): string[] {
  return native().readdirat(dirfd, name);
}

/**
 * The xattr names of `name` in `dirfd`, never following it: the path goes through the fd's
 * /proc/self/fd link (the directory itself), and `name` is one component, not followed.
 */
export function llistxattrAt(dirfd: number, name: string): string[] {
  return native().llistxattr(`/proc/self/fd/${dirfd}/${name}`);
}

/** One xattr of `name` in `dirfd` (null when absent), never following it (as llistxattrAt). */
export function lgetxattrAt(dirfd: number, name: string, attr: string): Buffer | null {
  return native().lgetxattr(`/proc/self/fd/${dirfd}/${name}`, attr);
}

/** The addon's numeric constants, to check the copies above against. */
export function fsrootAddonConstants(): Record<string, number> {
  return Object.fromEntries(Object.entries(native()).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
