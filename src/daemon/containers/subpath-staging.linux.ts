// Volume subpaths staged for the runtime (moby internal/safepath): the path, opened inside the
// volume, is bind-mounted through its own fd onto an entry under the exec root, in the daemon's
// mount namespace, because runc cannot bind a mount of another namespace (it runs in the
// container's). runc binds the staged entry into the container; the staging mount then goes.
// Staged entries are plain directories or files, never removed recursively: a leftover mount
// there is the volume's data.
import { fstatSync, lstatSync, mkdirSync, readdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isErrno, nativeAddon } from '../../common/index.ts';

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): void;
  umount2(target: string, flags: number): void;
}

const MS_BIND = 4096;
const MNT_DETACH = 2;
const UMOUNT_NOFOLLOW = 8;

/** Binds what `fd` (an O_PATH fd opened inside a volume) refers to onto `dir`/`name`; returns that path. */
export function stageBind(fd: number, dir: string, name: string): string {
  const target = join(dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (fstatSync(fd).isDirectory()) mkdirSync(target, { mode: 0o700 });
  else writeFileSync(target, '', { flag: 'wx', mode: 0o600 });
  try {
    nativeAddon<Addon>().mount(`/proc/self/fd/${fd}`, target, null, MS_BIND, null, null);
  } catch (err) {
    removeEntry(target);
    throw err;
  }
  return target;
}

/** Takes a staged bind off (lazily) and removes its empty entry. */
export function unstageBind(target: string): void {
  try {
    nativeAddon<Addon>().umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
  } catch (err) {
    // EINVAL: not a mount point (any more); ENOENT: already gone.
    if (!isErrno(err, 'EINVAL') && !isErrno(err, 'ENOENT')) throw err;
  }
  removeEntry(target);
}

function removeEntry(target: string): void {
  try {
    if (lstatSync(target).isDirectory()) rmdirSync(target);
    else unlinkSync(target);
  } catch {
    // still busy or already gone: the next daemon start tries again
  }
}

/** Daemon start: staged binds left by a daemon that died between staging and release. */
export function clearStaging(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  for (const name of names) unstageBind(join(dir, name));
}
