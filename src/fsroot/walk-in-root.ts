// The resolver's user-space walk, for kernels without openat2 and for creating missing
// directories: what openat2(RESOLVE_IN_ROOT) does in the kernel, one component at a time on
// file descriptors (the approach of Go's securejoin and runc's libpathrs):
//  - each component is opened with openat(dir, name, O_PATH|O_NOFOLLOW) from the fd of the one
//    before, so nothing is ever looked up again by a path string that could change meanwhile;
//  - a symlink met is read from its own fd and its target walked inside the root (absolute
//    targets from the root, relative ones from the link's directory), at most MAX_SYMLINK_HOPS;
//  - `..` goes back to the directory walked through, and never above the root;
//  - magic links (/proc/self/root, /proc/PID/fd/N) are only ever read as text, never jumped
//    through, so they too resolve inside the root.
// The result is an fd whose file lies inside the root when it was opened (a directory moved
// out of the root meanwhile is out of scope: a container's processes cannot name anything
// outside its root to move it there).
import { closeSync } from 'node:fs';
import { isErrno } from '../common/index.ts';
import {
  AT_EMPTY_PATH, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, S_IFDIR, S_IFLNK, S_IFMT,
  fstatat, mkdirat, openat, readlinkat,
} from './syscalls.linux.ts';

/** Symlink hops allowed while resolving one path (Linux allows 40; Go's securejoin 255). */
const MAX_SYMLINK_HOPS = 255;

export interface WalkOptions {
  /** open(2) flags for the final component (O_PATH, O_WRONLY|O_CREAT|O_EXCL, ...). */
  flags: number;
  /** Mode for O_CREAT. */
  mode: number;
  /** Follow a symlink in the final component. */
  followFinal: boolean;
  /** Create missing directories with this mode, the final component included (mkdir -p). */
  mkdirMode?: number;
  /**
   * Mounts of a container that is not running, keyed by their destination (clean, absolute,
   * `/a/b`): when the walk reaches a destination, it goes on in the mount's source instead of
   * the directory under it, as the kernel would inside the container's mount namespace. `..`
   * from a mount's root goes back to the mountpoint's parent; absolute symlinks inside a mount
   * resolve from the container's root. See container-view.ts.
   */
  mounts?: ReadonlyMap<string, MountedSource>;
  /** Set to the container path the walk resolved to (`/` + components, links followed). */
  resolved?: { path: string };
}

/** A mount's source on the host: a directory fd it lives in and its name there ('.' for that directory itself). */
export interface MountedSource {
  dirFd: number;
  name: string;
}

function errnoError(code: string, syscall: string, path: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${message}, ${syscall} '${path}'`), { code, syscall, path });
}

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** Opens `path` inside the directory `rootFd` as if it were `/`; returns a new fd. */
export function walkInRoot(rootFd: number, path: string, o: WalkOptions): number {
  const stack: number[] = []; // fds of the directories walked below the root; the last is current
  const names: string[] = []; // their names: the container path of the current directory
  const pending = splitPath(path).reverse(); // components still to walk, the next one last
  const cur = () => stack.at(-1) ?? rootFd;
  // Where component `name` of the current directory lives: in it, or in a mount's source.
  const at = (name: string): [number, string] => {
    const m = o.mounts?.get(`/${[...names, name].join('/')}`);
    return m ? [m.dirFd, m.name] : [cur(), name];
  };
  const done = (final?: string) => {
    if (o.resolved) o.resolved.path = `/${(final === undefined ? names : [...names, final]).join('/')}`;
  };
  let hops = 0;
  let mkdirs = 0; // bounded: a concurrent remover could otherwise keep this loop going
  try {
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (name === '..') {
        const fd = stack.pop();
        names.pop();
        if (fd !== undefined) closeSync(fd);
        continue;
      }
      const isFinal = pending.length === 0;
      const [dirFd, dirName] = at(name);
      let fd: number;
      try {
        fd = openat(dirFd, dirName, O_PATH | O_NOFOLLOW);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw err;
        if (o.mkdirMode === undefined) {
          if (isFinal && (o.flags & O_CREAT) !== 0) {
            done(name);
            return openat(dirFd, dirName, o.flags | O_NOFOLLOW, o.mode);
          }
          throw err;
        }
        if (++mkdirs > 4096) throw errnoError('EAGAIN', 'mkdirat', path, 'directories keep disappearing');
        try {
          mkdirat(dirFd, dirName, o.mkdirMode);
        } catch (e) {
          if (!isErrno(e, 'EEXIST')) throw e;
        }
        pending.push(name); // walk it again: whatever is there now is checked like anything else
        continue;
      }
      const type = fstatat(fd, '', AT_EMPTY_PATH)!.mode & S_IFMT;
      if (type === S_IFLNK && (!isFinal || o.followFinal || o.mkdirMode !== undefined)) {
        let target: string;
        try {
          target = readlinkat(fd, '');
        } finally {
          closeSync(fd);
        }
        if (++hops > MAX_SYMLINK_HOPS) throw errnoError('ELOOP', 'openat', path, 'too many levels of symbolic links');
        if (target.startsWith('/')) {
          while (stack.length > 0) closeSync(stack.pop()!);
          names.length = 0;
        }
        pending.push(...splitPath(target).reverse());
        continue;
      }
      if (isFinal) {
        done(name);
        return openFinal(dirFd, dirName, fd, o);
      }
      if (type !== S_IFDIR) {
        closeSync(fd);
        throw errnoError('ENOTDIR', 'openat', path, 'not a directory');
      }
      stack.push(fd);
      names.push(name);
    }
    // The path named the root, or ended in `..` or in a link to a directory: open that directory.
    done();
    return openat(cur(), '.', o.flags & ~(O_CREAT | O_EXCL), o.mode);
  } finally {
    for (const fd of stack) closeSync(fd);
  }
}

/** The final component, already open as `pathFd` (O_PATH|O_NOFOLLOW): reused or reopened. */
function openFinal(dirFd: number, name: string, pathFd: number, o: WalkOptions): number {
  if ((o.flags & ~(O_PATH | O_NOFOLLOW | O_DIRECTORY)) === 0 && (o.flags & O_PATH) !== 0) {
    if ((o.flags & O_DIRECTORY) !== 0 && (fstatat(pathFd, '', AT_EMPTY_PATH)!.mode & S_IFMT) !== S_IFDIR) {
      closeSync(pathFd);
      throw errnoError('ENOTDIR', 'openat', name, 'not a directory');
    }
    return pathFd;
  }
  closeSync(pathFd);
  // O_NOFOLLOW: if the name was swapped for a symlink since it was checked, this fails (ELOOP).
  return openat(dirFd, name, o.flags | O_NOFOLLOW, o.mode);
}
