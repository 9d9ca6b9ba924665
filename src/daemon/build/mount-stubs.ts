// The mount points the runtime makes for a RUN's --mount targets (an empty file for a secret, an
// empty directory for a cache) are no part of the step's result: BuildKit's mount stub cleaner
// removes them after the run, and so does berth, so a secret's path never appears in a layer.
// Which components of a target were missing is read from the step's root before the run; after
// it they are removed from the RW layer's own changes, deepest first, and only while empty (what
// the command itself put there stays). Every lookup goes through the fsroot resolver.
import { closeSync } from 'node:fs';
import { posix } from 'node:path';
import { O_DIRECTORY, O_PATH, S_IFDIR, S_IFMT, fstatat, openInRoot, openRoot, unlinkat } from '../../fsroot/index.ts';

const S_IFREG = 0o100000;
const AT_REMOVEDIR = 0x200;

function withFd<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** The paths of `target` and its parents that do not exist under `root`, deepest first. */
export function missingComponents(root: string, target: string): string[] {
  const clean = posix.normalize(`/${target}`);
  const parts = clean.split('/').filter(Boolean);
  return withFd(openRoot(root), (rootFd) => {
    for (let i = 0; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      let exists = false;
      try {
        exists = withFd(openInRoot(rootFd, dir, { flags: O_PATH | O_DIRECTORY, followFinal: true }), (fd) => fstatat(fd, parts[i]) !== null);
      } catch {
        exists = false;
      }
      if (!exists) {
        const out: string[] = [];
        for (let j = parts.length; j > i; j--) out.push(`/${parts.slice(0, j).join('/')}`);
        return out;
      }
    }
    return [];
  });
}

/** Removes the stubs (deepest first) from a layer's own tree while they are empty; errors are ignored. */
export function removeStubs(layerDir: string, stubs: string[]): void {
  if (stubs.length === 0) return;
  withFd(openRoot(layerDir), (rootFd) => {
    for (const p of stubs) {
      try {
        const name = posix.basename(p);
        withFd(openInRoot(rootFd, posix.dirname(p), { flags: O_PATH | O_DIRECTORY }), (fd) => {
          const st = fstatat(fd, name);
          if (!st) return;
          const type = st.mode & S_IFMT;
          if (type === S_IFDIR) unlinkat(fd, name, AT_REMOVEDIR);
          else if (type === S_IFREG && st.size === 0) unlinkat(fd, name, 0);
        });
      } catch {
        // not empty, or gone: left as it is
      }
    }
  });
}
