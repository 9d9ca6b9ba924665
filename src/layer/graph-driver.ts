// What the layer store needs from a storage driver. Layer directories are named by cache id;
// a layer being made lives under `<cache-id>-tmp` until commit renames it into place.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export const TMP_SUFFIX = '-tmp';

/**
 * Where a layer's own changes are, for `docker diff` and `docker commit`: overlay2's upper dir
 * (whiteouts as char 0/0 nodes, opaque dirs by xattr) over its parents' diff dirs (top first),
 * or, for vfs, the layer's full copy and its parent's, to compare (moby's naive diff).
 */
export type DiffSource =
  | { kind: 'overlay'; upper: string; lowers: string[] }
  | { kind: 'naive'; dir: string; parentDir: string | null };

export interface GraphDriver {
  readonly name: 'overlay2' | 'vfs';
  /** How the tar applier writes whiteouts for this driver. */
  readonly whiteouts: 'overlay' | 'delete';
  /** Creates the temporary layer directory on `parent`; returns the directory to extract into. */
  prepare(cacheId: string, parent: string | null): Promise<string>;
  /** Renames a prepared layer into place and links it up. */
  commit(cacheId: string, parent: string | null): Promise<void>;
  /** Removes a prepared, uncommitted layer (no error if absent). */
  discard(cacheId: string): Promise<void>;
  /** Creates an empty read-write layer on `parent` (prepare + commit). */
  createRW(cacheId: string, parent: string | null): Promise<void>;
  exists(cacheId: string): Promise<boolean>;
  /** Unmounts if needed and removes the layer's directory (no error if absent). */
  remove(cacheId: string): Promise<void>;
  /** The root filesystem view of the layer (overlay mount, or the directory itself). Idempotent. */
  mount(cacheId: string): Promise<string>;
  /** Idempotent; detaches lazily when the mount is busy. */
  unmount(cacheId: string): Promise<void>;
  isMounted(cacheId: string): Promise<boolean>;
  /** Bytes the layer changes relative to `parent`. */
  diffSize(cacheId: string, parent: string | null): Promise<number>;
  /** Where the layer's changes are (see DiffSource). */
  diffSource(cacheId: string, parent: string | null): Promise<DiffSource>;
  /** GraphDriver.Data as `docker inspect` shows it. */
  metadata(cacheId: string): Promise<Record<string, string>>;
  /** Every directory name under the driver's home (committed, temporary or foreign), for reconcile. */
  listDirs(): Promise<string[]>;
  /** Drops driver bookkeeping that no layer uses any more (overlay2's dangling l/ links). */
  cleanup(): Promise<void>;
}

/**
 * Docker's directory.Size: the apparent size of everything but directories, each inode once.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    for (const ent of await readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (ent.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await lstat(p);
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  };
  await walk(dir);
  return total;
}
