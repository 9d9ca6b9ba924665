// Typed access to build/berth.node, the native addon for the syscalls Node lacks (DESIGN.md
// decision 6). Functions are synchronous and throw Errors with .code ('EPERM', 'ENODATA', ...)
// like Node's fs errors. The addon is loaded on first use so that importing this module (for
// types, or in tests that never mount) works without a built addon.
import { nativeAddon } from '../common/index.ts';

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): void;
  umount2(target: string, flags: number): void;
  mknod(path: string, mode: number, major: number, minor: number): void;
  lsetxattr(path: string, name: string, value: Buffer): void;
  lgetxattr(path: string, name: string): Buffer | null;
  llistxattr(path: string): string[];
  MS_RDONLY: number; MS_NOSUID: number; MS_NODEV: number; MS_NOEXEC: number; MS_SYNCHRONOUS: number;
  MS_REMOUNT: number; MS_DIRSYNC: number; MS_NOATIME: number; MS_NODIRATIME: number; MS_BIND: number;
  MS_MOVE: number; MS_REC: number; MS_SILENT: number; MS_UNBINDABLE: number; MS_PRIVATE: number;
  MS_SLAVE: number; MS_SHARED: number; MS_RELATIME: number; MS_STRICTATIME: number;
  MNT_FORCE: number; MNT_DETACH: number; MNT_EXPIRE: number; UMOUNT_NOFOLLOW: number;
}

const native = () => nativeAddon<Addon>();

/** Mount flag and umount2 flag values (from <sys/mount.h>). */
export const MS = {
  RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, SYNCHRONOUS: 16, REMOUNT: 32, DIRSYNC: 128, NOATIME: 1024,
  NODIRATIME: 2048, BIND: 4096, MOVE: 8192, REC: 16384, SILENT: 32768, UNBINDABLE: 1 << 17, PRIVATE: 1 << 18,
  SLAVE: 1 << 19, SHARED: 1 << 20, RELATIME: 1 << 21, STRICTATIME: 1 << 24,
} as const;
export const MNT_FORCE = 1;
export const MNT_DETACH = 2;
export const MNT_EXPIRE = 4;
export const UMOUNT_NOFOLLOW = 8;

/** File type bits for mknod's mode. */
export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

/**
 * mount(2). With `cwd`, the mount runs on a native thread whose working directory alone is `cwd`,
 * so relative paths in `target` and in `data` (overlay lowerdir=l/A:l/B) resolve against it.
 */
export function mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd?: string): void {
  native().mount(source, target, fstype, flags, data, cwd ?? null);
}

export function umount2(target: string, flags = 0): void {
  native().umount2(target, flags);
}

/** mknod(2); `mode` includes the type (S_IFCHR, S_IFBLK, S_IFIFO) and permission bits. */
export function mknod(path: string, mode: number, major = 0, minor = 0): void {
  native().mknod(path, mode, major, minor);
}

/** Sets an extended attribute without following a final symlink. */
export function lsetxattr(path: string, name: string, value: Buffer): void {
  native().lsetxattr(path, name, value);
}

/** Reads an extended attribute without following a final symlink; null when it is not set. */
export function lgetxattr(path: string, name: string): Buffer | null {
  return native().lgetxattr(path, name);
}

export function llistxattr(path: string): string[] {
  return native().llistxattr(path);
}

/** The numeric constants the addon exports (MS_*, MNT_*), to check the copies above against. */
export function addonConstants(): Record<string, number> {
  return Object.fromEntries(Object.entries(native()).filter((e): e is [string, number] => typeof e[1] === 'number'));
}
