// Walking a volume's data: its size as Docker counts it (moby pkg/directory Size: the apparent
// size of everything but directories, a hard-linked inode once), and its removal.
import { closeSync, openSync, constants as fsc } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../common/index.ts';
import { removeAllAt } from '../fsroot/index.ts';

/** Bytes under `dir`; a missing dir is 0. Symlinks are counted, never followed. */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    let d;
    try {
      d = await opendir(path);
    } catch (err) {
      if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) return;
      throw err;
    }
    for await (const ent of d) {
      const p = join(path, ent.name);
      let st;
      try {
        st = await lstat(p, { bigint: true });
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue; // removed while we walk
        throw err;
      }
      if (st.isDirectory()) {
        await walk(p);
        continue;
      }
      if (st.size === 0n || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += Number(st.size);
    }
  };
  await walk(dir);
  return total;
}

/** rm -rf of `name` in `parent` through directory fds: never follows a symlink. */
export function removeTree(parent: string, name: string): void {
  const fd = openSync(parent, fsc.O_RDONLY | fsc.O_DIRECTORY);
  try {
    removeAllAt(fd, name);
  } finally {
    closeSync(fd);
  }
}
