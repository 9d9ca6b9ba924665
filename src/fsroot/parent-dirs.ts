// Shared by the two tar extractions (layer apply in layer/, `docker cp` in archive/): the
// directory fds entries go into, and the xattrs an archive may set.
import { closeSync } from 'node:fs';
import { isErrno } from '../common/index.ts';
import { fsetxattr } from './syscalls.linux.ts';

/**
 * Directory fds of the parents entries go into, made (mkdir -p inside the root) on first use, so
 * that an archive of 50,000 files does not resolve every parent again. Creating a symlink or a
 * hard link, or removing something, can change what a path resolves to: the caller then calls
 * invalidate(), which retires the cache; retired fds are closed when the next entry asks, after
 * the entry that retired them is done with its own. The fds held are bounded.
 */
export class ParentDirCache {
  static readonly MAX_OPEN = 256;
  readonly #mkdirAll: (path: string) => number;
  #map = new Map<string, number>();
  #retired: number[] = [];

  /** `mkdirAll` opens (making what is missing) a directory inside the root: an O_PATH fd. */
  constructor(mkdirAll: (path: string) => number) {
    this.#mkdirAll = mkdirAll;
  }

  get(path: string): number {
    this.#closeRetired();
    let fd = this.#map.get(path);
    if (fd === undefined) {
      if (this.#map.size >= ParentDirCache.MAX_OPEN) this.invalidate();
      fd = this.#mkdirAll(path);
      this.#map.set(path, fd);
    }
    return fd;
  }

  invalidate(): void {
    this.#retired.push(...this.#map.values());
    this.#map.clear();
  }

  close(): void {
    this.invalidate();
    this.#closeRetired();
  }

  #closeRetired(): void {
    for (const fd of this.#retired) closeSync(fd);
    this.#retired.length = 0;
  }
}

/** Only these xattrs come from an archive; trusted.* (overlay's own), other security.* and system.* never do. */
export function archiveXattrAllowed(name: string): boolean {
  return name.startsWith('user.') || name === 'security.capability';
}

/**
 * Sets an archive entry's allowed xattrs on `fd`; filesystems without xattrs skip them, and so
 * does a denied one when `skipDenied` (a container's filesystem may refuse security.*).
 */
export function setArchiveXattrs(fd: number, xattrs: Record<string, Uint8Array>, skipDenied = false): void {
  for (const [name, value] of Object.entries(xattrs)) {
    if (!archiveXattrAllowed(name)) continue;
    try {
      fsetxattr(fd, name, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    } catch (err) {
      if (isErrno(err, 'ENOTSUP') || isErrno(err, 'EOPNOTSUPP') || (skipDenied && isErrno(err, 'EPERM'))) continue;
      throw err;
    }
  }
}
