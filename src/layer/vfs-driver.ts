// vfs: every layer is a full copy of its parent with its own changes applied, in
// vfs/dir/<cache-id>. Slow and big, but it works on any filesystem (DESIGN.md decision 3).
import { lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from '../common/index.ts';
import { copyTree } from './copy-tree.ts';
import { TMP_SUFFIX } from './graph-driver.ts';
import type { DiffSource, GraphDriver } from './graph-driver.ts';

export class VfsDriver implements GraphDriver {
  readonly name = 'vfs' as const;
  readonly whiteouts = 'delete' as const;
  readonly home: string;

  constructor(home: string) {
    this.home = home;
  }

  #dir(cacheId: string): string {
    return join(this.home, cacheId);
  }

  async prepare(cacheId: string, parent: string | null): Promise<string> {
    const tmp = this.#dir(cacheId + TMP_SUFFIX);
    if (parent === null) await mkdir(tmp, { mode: 0o755 });
    else await copyTree(this.#dir(parent), tmp);
    return tmp;
  }

  async commit(cacheId: string): Promise<void> {
    await rename(this.#dir(cacheId + TMP_SUFFIX), this.#dir(cacheId));
    await fsyncDir(this.home);
  }

  async discard(cacheId: string): Promise<void> {
    await rm(this.#dir(cacheId + TMP_SUFFIX), { recursive: true, force: true });
  }

  async createRW(cacheId: string, parent: string | null): Promise<void> {
    try {
      await this.prepare(cacheId, parent);
      await this.commit(cacheId);
    } catch (err) {
      await this.discard(cacheId);
      throw err;
    }
  }

  async exists(cacheId: string): Promise<boolean> {
    return lstat(this.#dir(cacheId)).then((s) => s.isDirectory(), () => false);
  }

  async remove(cacheId: string): Promise<void> {
    await rm(this.#dir(cacheId), { recursive: true, force: true });
  }

  async mount(cacheId: string): Promise<string> {
    return this.#dir(cacheId);
  }

  async unmount(): Promise<void> {}

  async isMounted(): Promise<boolean> {
    return false;
  }

  /** Bytes of the entries that differ from the parent's copy (Docker's naive diff size). */
  async diffSize(cacheId: string, parent: string | null): Promise<number> {
    return changedSize(this.#dir(cacheId), parent === null ? null : this.#dir(parent));
  }

  async diffSource(cacheId: string, parent: string | null): Promise<DiffSource> {
    return { kind: 'naive', dir: this.#dir(cacheId), parentDir: parent === null ? null : this.#dir(parent) };
  }

  async metadata(): Promise<Record<string, string>> {
    return {};
  }

  async listDirs(): Promise<string[]> {
    return readdir(this.home);
  }

  async cleanup(): Promise<void> {}
}

async function changedSize(dir: string, parentDir: string | null): Promise<number> {
  let total = 0;
  const seen = new Set<string>();
  const walk = async (d: string, p: string | null): Promise<void> => {
    for (const name of await readdir(d)) {
      const st = await lstat(join(d, name), { bigint: true });
      const pst = p === null ? undefined : await lstat(join(p, name), { bigint: true }).catch(() => undefined);
      if (st.isDirectory()) {
        await walk(join(d, name), pst?.isDirectory() ? join(p!, name) : null);
        continue;
      }
      const same = pst !== undefined && pst.mode === st.mode && pst.size === st.size && pst.mtimeNs === st.mtimeNs &&
        pst.uid === st.uid && pst.gid === st.gid;
      if (same) continue;
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total += Number(st.size);
    }
  };
  await walk(dir, parentDir);
  return total;
}
