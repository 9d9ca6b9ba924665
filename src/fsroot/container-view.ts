// A container's filesystem seen from the host, for `docker cp` (DESIGN.md decision 5;
// CVE-2018-15664): every path is resolved inside the container's root, symlinks followed
// within that root, through fds only.
//  - A running container: the root is its init's /proc/<pid>/root, which already shows the
//    container's own mounts (volumes, binds, tmpfs), so the kernel's openat2(RESOLVE_IN_ROOT)
//    walks them as the container does; no mounts table is needed.
//  - A stopped container: the root is its mounted RW layer, and its bind and volume mounts are
//    not mounted anywhere. The view then walks in user space with a mounts table: reaching a
//    mount's destination, the walk goes on inside the mount's source (a trusted host path,
//    opened once here), as the kernel would in the container's mount namespace.
// The view also tells which container path a resolution ended at (for the read-only checks).
import { closeSync, realpathSync } from 'node:fs';
import { isErrno } from '../common/index.ts';
import { basename, dirname, posix } from 'node:path';
import { openInRoot, mkdirAllInRoot } from './open-in-root.ts';
import { readRegularFile } from './read-file.ts';
import { AT_FDCWD, O_DIRECTORY, O_PATH, openat } from './syscalls.linux.ts';
import { walkInRoot, type MountedSource } from './walk-in-root.ts';

export interface ViewMount {
  /** Where it is mounted in the container (absolute; cleaned here). */
  destination: string;
  /** The host path mounted there (a directory or a file), trusted: it comes from the daemon's records. */
  source: string;
  /**
   * A path inside `source` that is what is mounted (a volume subpath). The source's content is
   * the container's, so this is resolved inside the source as a root, never as a host path.
   */
  subpath?: string;
}

export interface ViewOpenOptions {
  /** open(2) flags (default O_PATH). */
  flags?: number;
  mode?: number;
  /** Follow a symlink in the final component (a trailing `/` follows too). */
  followFinal?: boolean;
}

/** The clean absolute form of a container path: `/a/b` (`..` stops at `/`). */
export function cleanContainerPath(p: string): string {
  return posix.normalize(`/${p}`).replace(/(.)\/+$/, '$1');
}

/** `subpath` inside the directory `source` (links followed inside it), as a MountedSource; undefined if missing. */
function openSubpath(source: string, subpath: string): MountedSource | undefined {
  const clean = cleanContainerPath(subpath);
  const rootFd = openat(AT_FDCWD, source, O_PATH | O_DIRECTORY);
  try {
    try {
      return { dirFd: openInRoot(rootFd, clean, { flags: O_PATH | O_DIRECTORY, followFinal: true }), name: '.' };
    } catch (err) {
      if (!isErrno(err, 'ENOTDIR')) throw err;
    }
    return { dirFd: openInRoot(rootFd, posix.dirname(clean), { flags: O_PATH | O_DIRECTORY, followFinal: true }), name: posix.basename(clean) };
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return undefined;
    throw err;
  } finally {
    closeSync(rootFd);
  }
}

export class ContainerView {
  readonly #rootFd: number;
  readonly #mounts = new Map<string, MountedSource>();
  #closed = false;

  /**
   * Takes ownership of `rootFd` (closed by close()). `mounts` is for a container that is not
   * running; a mount whose source is gone is left out (what is under it shows, as in Docker).
   */
  constructor(rootFd: number, mounts: readonly ViewMount[] = []) {
    this.#rootFd = rootFd;
    try {
      for (const m of mounts) {
        const dest = cleanContainerPath(m.destination);
        if (dest === '/') continue;
        let real: string;
        try {
          real = realpathSync(m.source);
        } catch {
          continue;
        }
        // A directory is entered through its own fd ('.'); a file through the directory it is in.
        let src: MountedSource;
        if (m.subpath !== undefined) {
          const found = openSubpath(real, m.subpath);
          if (!found) continue;
          src = found;
        } else {
          try {
            src = { dirFd: openat(AT_FDCWD, real, O_PATH | O_DIRECTORY), name: '.' };
          } catch {
            src = { dirFd: openat(AT_FDCWD, dirname(real), O_PATH | O_DIRECTORY), name: basename(real) };
          }
        }
        const earlier = this.#mounts.get(dest);
        if (earlier) closeSync(earlier.dirFd); // the last mount on one destination wins, as in the kernel
        this.#mounts.set(dest, src);
      }
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Opens `path` (a container path) inside the container; returns a new fd. */
  open(path: string, opts: ViewOpenOptions = {}): number {
    if (this.#mounts.size === 0) return openInRoot(this.#rootFd, path, opts);
    return this.resolve(path, opts).fd;
  }

  /**
   * As open(), and the container path it resolved to, links followed (`/a/b`). The walk in user
   * space (the same as openat2's, on fds), because the kernel does not say where it went.
   */
  resolve(path: string, opts: ViewOpenOptions = {}): { fd: number; path: string } {
    const resolved = { path: '/' };
    const followFinal = opts.followFinal === true || /\/\.?$/.test(path);
    const fd = walkInRoot(this.#rootFd, path, {
      flags: opts.flags ?? O_PATH, mode: opts.mode ?? 0o600, followFinal, mounts: this.#mounts, resolved,
    });
    return { fd, path: resolved.path };
  }

  /** mkdir -p of a container path; returns the directory's O_PATH fd. */
  mkdirAll(path: string, mode = 0o755): number {
    if (this.#mounts.size === 0) return mkdirAllInRoot(this.#rootFd, path, mode);
    return walkInRoot(this.#rootFd, path, { flags: O_PATH | O_DIRECTORY, mode: 0, followFinal: true, mkdirMode: mode, mounts: this.#mounts });
  }

  /** The (stopped container's) mount whose destination is exactly the container path `path`. */
  mountAt(path: string): { dirFd: number; name: string } | undefined {
    const m = this.#mounts.get(cleanContainerPath(path));
    return m ? { dirFd: m.dirFd, name: m.name } : undefined;
  }

  /**
   * The mounts strictly below the container path `path` (a stopped container's), deepest last,
   * with their destination relative to `path` and their source as a directory fd and a name in
   * it ('.' for the directory itself). The fds stay the view's.
   */
  mountsBelow(path: string): { rel: string; dirFd: number; name: string }[] {
    const top = cleanContainerPath(path);
    const prefix = top === '/' ? '/' : `${top}/`;
    return [...this.#mounts]
      .filter(([dest]) => dest.startsWith(prefix))
      .map(([dest, m]) => ({ rel: dest.slice(prefix.length), dirFd: m.dirFd, name: m.name }))
      .sort((a, b) => a.rel.length - b.rel.length);
  }

  /** The bytes of a regular file of the container (links followed inside it), or undefined. */
  readFile(path: string, maxBytes: number): Promise<Buffer | undefined> {
    return readRegularFile(() => this.open(path, { flags: O_PATH, followFinal: true }), path, maxBytes);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const m of this.#mounts.values()) closeSync(m.dirFd);
    this.#mounts.clear();
    closeSync(this.#rootFd);
  }
}
