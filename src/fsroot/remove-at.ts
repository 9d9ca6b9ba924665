// rm -rf of one name in a directory fd: never follows a symlink, recurses through fds only.
import { closeSync } from 'node:fs';
import { isErrno } from '../common/index.ts';
import { AT_REMOVEDIR, O_DIRECTORY, O_NOFOLLOW, O_PATH, S_IFDIR, S_IFMT, fstatat, openat, readdirat, unlinkat } from './syscalls.linux.ts';

/** Removes `name` in `dirFd` and, for a directory, all it holds. A missing name is fine. */
export function removeAllAt(dirFd: number, name: string): void {
  const st = fstatat(dirFd, name);
  if (st === null) return;
  try {
    unlinkat(dirFd, name, (st.mode & S_IFMT) === S_IFDIR ? AT_REMOVEDIR : 0);
    return;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    if (!isErrno(err, 'ENOTEMPTY') && !isErrno(err, 'EEXIST')) throw err;
  }
  const sub = openat(dirFd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const child of readdirat(sub, '.')) removeAllAt(sub, child);
  } finally {
    closeSync(sub);
  }
  unlinkat(dirFd, name, AT_REMOVEDIR);
}
