// `docker diff`: what a container changed in its filesystem, as moby computes it
// (moby/go-archive changes.go).
//  - overlay2 (overlayChanges): a walk of the upper dir in filepath.Walk's order. A char 0/0
//    whiteout or an opaque directory (trusted.overlay.opaque=y) is a Delete; an entry also found
//    in a lower layer is a Modify, except a directory whose size, mode and mtime are unchanged
//    (it is only there as the parent of a change); anything else is an Add. The parent of an Add
//    or a Delete is reported as a Modify once, unless it is `/` or already reported.
//  - vfs (naiveChanges): the layer's full copy compared with its parent's, moby's ChangesDirs:
//    Add, Delete, or Modify when mode, owner, rdev (and for non-directories mtime and size) or
//    the file capability differ; a directory with changes inside is a Modify before them.
// The trees are hostile (a running container writes them): every entry is opened
// O_PATH|O_NOFOLLOW from its directory's fd, and a lower layer is searched with the in-root
// resolver, so no symlink leads outside the layer.
import { closeSync, fstatSync, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import { isErrno } from '../common/index.ts';
import { O_NOFOLLOW, O_PATH, lgetxattrAt, openInRoot, openRoot, openat, readdirat } from '../fsroot/index.ts';
import { OVERLAY_OPAQUE_XATTR, sortNames } from './tar-tree.ts';

/** The Engine API's FilesystemChange kinds. */
const CHANGE_MODIFY = 0;
const CHANGE_ADD = 1;
const CHANGE_DELETE = 2;

export interface Change {
  /** Absolute, as Docker shows it: `/etc/passwd`. */
  Path: string;
  Kind: 0 | 1 | 2;
}

const missing = (err: unknown) => isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP');

/** Opens `name` in `dirFd` without following it; undefined when it went away meanwhile. */
function openChild(dirFd: number, name: string): number | undefined {
  try {
    return openat(dirFd, name, O_PATH | O_NOFOLLOW);
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

async function withFdAsync<T>(fd: number, fn: (fd: number) => Promise<T>): Promise<T> {
  try {
    return await fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** The walks are synchronous syscalls: they let the daemon serve others every few hundred entries. */
function yielder(): () => Promise<void> {
  let n = 0;
  return async () => {
    if (++n % 256 === 0) await new Promise((r) => setImmediate(r));
  };
}

/** Go's sameFsTime: equal, or the same second with one side truncated to it (tar has seconds). */
function sameFsTime(a: bigint, b: bigint): boolean {
  if (a === b) return true;
  const NS = 1_000_000_000n;
  return a / NS === b / NS && (a % NS === 0n || b % NS === 0n);
}

function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && st.rdev === 0n;
}

function isOpaque(dirFd: number, name: string): boolean {
  const v = lgetxattrAt(dirFd, name, OVERLAY_OPAQUE_XATTR);
  return v !== null && v.length === 1 && v[0] === 0x79;
}

/** An overlay2 container's changes: `upper` is its diff dir, `lowers` its parents' (top first). */
export async function overlayChanges(upper: string, lowers: readonly string[]): Promise<Change[]> {
  const pause = yielder();
  const lowerFds = lowers.map((l) => openRoot(l));
  const changes: Change[] = [];
  const changedDirs = new Set<string>();
  /** moby's os.Stat(layer/path): followed, here inside the layer. */
  const statInLower = (fd: number, path: string): BigIntStats | undefined => {
    let f: number;
    try {
      f = openInRoot(fd, path, { flags: O_PATH, followFinal: true });
    } catch (err) {
      if (missing(err)) return undefined;
      throw err;
    }
    return withFd(f, (x) => fstatSync(x, { bigint: true }));
  };
  const visit = async (dirFd: number, name: string, fd: number, path: string): Promise<void> => {
    await pause();
    const st = fstatSync(fd, { bigint: true });
    let kind: Change['Kind'];
    if (isWhiteout(st) || (st.isDirectory() && isOpaque(dirFd, name))) kind = CHANGE_DELETE;
    else {
      kind = CHANGE_ADD;
      for (const lfd of lowerFds) {
        const lst = statInLower(lfd, path);
        if (lst === undefined) continue;
        if (lst.isDirectory() && st.isDirectory() && lst.size === st.size && lst.mode === st.mode && sameFsTime(st.mtimeNs, lst.mtimeNs)) {
          await walkDir(fd, path); // unchanged itself: neither recorded nor counted as a changed dir
          return;
        }
        kind = CHANGE_MODIFY;
        break;
      }
    }
    if (st.isDirectory()) changedDirs.add(path);
    if (kind !== CHANGE_MODIFY) {
      const parent = posix.dirname(path);
      if (!changedDirs.has(parent) && parent !== '/') {
        changes.push({ Path: parent, Kind: CHANGE_MODIFY });
        changedDirs.add(parent);
      }
    }
    changes.push({ Path: path, Kind: kind });
    if (st.isDirectory()) await walkDir(fd, path);
  };
  const walkDir = async (fd: number, path: string): Promise<void> => {
    let names: string[];
    try {
      names = sortNames(readdirat(fd, '.'));
    } catch (err) {
      if (missing(err)) return;
      throw err;
    }
    for (const n of names) {
      const child = openChild(fd, n);
      if (child === undefined) continue;
      await withFdAsync(child, (c) => visit(fd, n, c, path === '/' ? `/${n}` : `${path}/${n}`));
    }
  };
  try {
    await withFdAsync(openRoot(upper), (fd) => walkDir(fd, '/'));
  } finally {
    for (const fd of lowerFds) closeSync(fd);
  }
  return changes;
}

interface Node {
  st: BigIntStats;
  capability: Buffer | null;
}

function statDifferent(a: BigIntStats, b: BigIntStats): boolean {
  return a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev ||
    (!a.isDirectory() && (!sameFsTime(a.mtimeNs, b.mtimeNs) || a.size !== b.size));
}

/** A vfs container's changes: its full copy `dir` against its parent layer's copy (null: none). */
export async function naiveChanges(dir: string, parentDir: string | null): Promise<Change[]> {
  const changes: Change[] = [];
  const pause = yielder();
  const node = (dirFd: number, name: string, fd: number): Node => ({
    st: fstatSync(fd, { bigint: true }),
    capability: lgetxattrAt(dirFd, name, 'security.capability'),
  });
  /** moby FileInfo.addChanges, children in name order, deletions after them. */
  const addChanges = async (path: string, newFd: number, n: Node, oldFd: number | undefined, added: boolean): Promise<void> => {
    const start = changes.length;
    if (!n.st.isDirectory()) return;
    const newNames = listOrEmpty(newFd);
    const oldNames = oldFd !== undefined ? new Set(listOrEmpty(oldFd)) : new Set<string>();
    for (const name of newNames) {
      const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
      await pause();
      const nfd = openChild(newFd, name);
      if (nfd === undefined) continue;
      await withFdAsync(nfd, async (cfd) => {
        const child = node(newFd, name, cfd);
        const ofd = oldNames.has(name) ? openChild(oldFd!, name) : undefined;
        oldNames.delete(name);
        if (ofd === undefined) {
          changes.push({ Path: childPath, Kind: CHANGE_ADD });
          await addChanges(childPath, cfd, child, undefined, true);
          return;
        }
        await withFdAsync(ofd, async (ocfd) => {
          const old = node(oldFd!, name, ocfd);
          // Pruned as moby prunes: the very same inode on the same device is no change.
          if (old.st.dev === child.st.dev && old.st.ino === child.st.ino) return;
          let childAdded = false;
          if (statDifferent(old.st, child.st) || !bufEqual(old.capability, child.capability)) {
            changes.push({ Path: childPath, Kind: CHANGE_MODIFY });
            childAdded = true;
          }
          await addChanges(childPath, cfd, child, old.st.isDirectory() ? ocfd : undefined, childAdded);
        });
      });
    }
    for (const name of sortNames([...oldNames])) changes.push({ Path: path === '/' ? `/${name}` : `${path}/${name}`, Kind: CHANGE_DELETE });
    if (changes.length > start && !added && path !== '/') changes.splice(start, 0, { Path: path, Kind: CHANGE_MODIFY });
  };
  const newRoot = openRoot(dir);
  const oldRoot = parentDir === null ? undefined : openRoot(parentDir);
  try {
    await addChanges('/', newRoot, { st: fstatSync(newRoot, { bigint: true }), capability: null }, oldRoot, false);
  } finally {
    closeSync(newRoot);
    if (oldRoot !== undefined) closeSync(oldRoot);
  }
  return changes;
}

function listOrEmpty(fd: number): string[] {
  try {
    return sortNames(readdirat(fd, '.'));
  } catch (err) {
    if (missing(err)) return [];
    throw err;
  }
}

function bufEqual(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}
