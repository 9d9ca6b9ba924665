// The volume box's Linux adapter: mount(2) and umount2(2) through the native addon (loaded on
// first use, so pure-logic tests need no addon).
import { nativeAddon } from '../common/index.ts';

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): void;
  umount2(target: string, flags: number): void;
}

export const MNT_DETACH = 2;
export const UMOUNT_NOFOLLOW = 8;

/** Go's text for the errnos mount and umount give, so messages read as moby's. */
const GO_ERRNO: Record<string, string> = {
  EPERM: 'operation not permitted', ENOENT: 'no such file or directory', ENODEV: 'no such device',
  EINVAL: 'invalid argument', EBUSY: 'device or resource busy', EACCES: 'permission denied',
  ENOTDIR: 'not a directory', ENOTBLK: 'block device required', ENXIO: 'no such device or address',
  ENOMEM: 'cannot allocate memory', EROFS: 'read-only file system', ETIMEDOUT: 'connection timed out',
  ECONNREFUSED: 'connection refused', ENAMETOOLONG: 'file name too long', ENOSPC: 'no space left on device',
  EEXIST: 'file exists', ENOTEMPTY: 'directory not empty', EIO: 'input/output error', EHOSTUNREACH: 'no route to host', ELOOP: 'too many levels of symbolic links',
};

export function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  return (code && GO_ERRNO[code]) || (err as Error)?.message || String(err);
}

export function mount(source: string, target: string, fstype: string, flags: number, data: string): void {
  nativeAddon<Addon>().mount(source || null, target, fstype || null, flags, data || null, null);
}

export function umount2(target: string, flags: number): void {
  nativeAddon<Addon>().umount2(target, flags);
}
