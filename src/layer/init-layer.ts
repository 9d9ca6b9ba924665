// The init layer under every container's RW layer (moby daemon/initlayer): the mount points the
// runtime binds over (/etc/hosts, /etc/hostname, /etc/resolv.conf, /dev/console), /.dockerenv and
// /etc/mtab, made once at create so that they are part of neither `docker diff` nor `commit`.
// As moby: each component of each path is unlinked first (a file or symlink the image has there
// is replaced; directories stay), missing directories are made 0755, and what is still missing is
// created. The image is hostile: everything is done through fds inside the root (fsroot), so a
// symlink in the image never leads the init outside the container's root.
import { closeSync } from 'node:fs';
import { isErrno } from '../common/index.ts';
import {
  O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_WRONLY, fstatat, lutimesat, mkdirat, openRoot, openat, symlinkat, unlinkat,
} from '../fsroot/index.ts';

const INIT_ENTRIES: ReadonlyArray<readonly [string, 'dir' | 'file' | { symlink: string }]> = [
  ['/dev/pts', 'dir'],
  ['/dev/shm', 'dir'],
  ['/proc', 'dir'],
  ['/sys', 'dir'],
  ['/.dockerenv', 'file'],
  ['/etc/resolv.conf', 'file'],
  ['/etc/hosts', 'file'],
  ['/etc/hostname', 'file'],
  ['/dev/console', 'file'],
  ['/etc/mtab', { symlink: '/proc/mounts' }],
];

/** Writes the init entries into `root` (the init layer's mounted view). */
export function setupInitLayer(root: string): void {
  const rootFd = openRoot(root);
  try {
    for (const [path, kind] of INIT_ENTRIES) setupEntry(rootFd, path.split('/').filter(Boolean), kind);
  } finally {
    closeSync(rootFd);
  }
}

function setupEntry(rootFd: number, comps: string[], kind: (typeof INIT_ENTRIES)[number][1]): void {
  const opened: number[] = [];
  let dirFd = rootFd;
  try {
    for (let i = 0; i < comps.length; i++) {
      const name = comps[i];
      try {
        unlinkat(dirFd, name);
      } catch {
        // a directory (EISDIR) or nothing there: both fine
      }
      if (i === comps.length - 1) break;
      try {
        dirFd = openat(dirFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        mkdirat(dirFd, name, 0o755);
        dirFd = openat(dirFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
      }
      opened.push(dirFd);
    }
    const name = comps[comps.length - 1];
    if (fstatat(dirFd, name) !== null) return;
    if (kind === 'dir') mkdirat(dirFd, name, 0o755);
    else if (kind === 'file') closeSync(openat(dirFd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o755));
    else symlinkat(kind.symlink, dirFd, name);
    // Whole seconds, so that copies (vfs) keep them exactly and compare as unchanged.
    const now = Math.floor(Date.now() / 1000);
    lutimesat(dirFd, name, now, now);
  } finally {
    for (const fd of opened) closeSync(fd);
  }
}
