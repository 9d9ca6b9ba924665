// overlay2, laid out as Docker does: overlay2/<cache-id>/{diff,link,lower,work,merged} and
// overlay2/l/<26-char id> -> ../<cache-id>/diff. `lower` lists the parents' short links top
// first ("l/AAA:l/BBB"). A mount uses absolute lowerdirs while the options fit comfortably in
// the one page the kernel accepts; deeper chains use the short links relative to overlay2/,
// mounted from a native thread whose working directory is overlay2/ (see syscalls.linux.ts).
import { mkdir, readFile, readdir, readlink, rename, rm, symlink, unlink, writeFile, lstat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fsyncDir, BerthError, isErrno, isMountPoint, systemError } from '../common/index.ts';
import { directorySize, TMP_SUFFIX } from './graph-driver.ts';
import type { DiffSource, GraphDriver } from './graph-driver.ts';
import { mount, umount2, MNT_DETACH } from './syscalls.linux.ts';

/** Mount data beyond this uses the relative short-link form (the kernel takes one page). */
const ABSOLUTE_OPTIONS_MAX = 4000;
const PAGE_MAX = 4095;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A 26-character id for overlay2/l/ (128 random bits in base32, as Docker's are). */
function shortLinkId(): string {
  const bytes = randomBytes(17);
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += BASE32[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

export class Overlay2Driver implements GraphDriver {
  readonly name = 'overlay2' as const;
  readonly whiteouts = 'overlay' as const;
  readonly home: string;
  readonly #extraOptions: string;

  constructor(home: string, indexOff: boolean) {
    this.home = home;
    this.#extraOptions = indexOff ? ',index=off' : '';
  }

  /**
   * Whether overlay mounts work on `home`'s filesystem, and whether index=off is understood.
   * Mounts a tiny overlay under home/.probe-* and removes it again.
   */
  static async probe(home: string): Promise<{ ok: true; indexOff: boolean } | { ok: false; reason: string }> {
    await mkdir(join(home, 'l'), { recursive: true, mode: 0o700 });
    const dir = join(home, `.probe-${randomBytes(6).toString('hex')}`);
    try {
      for (const d of ['lower', 'upper', 'work', 'merged']) await mkdir(join(dir, d), { recursive: true });
      await writeFile(join(dir, 'lower', 'f'), 'x');
      const base = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`;
      let reason = '';
      for (const extra of [',index=off', '']) {
        try {
          mount('overlay', join(dir, 'merged'), 'overlay', 0, base + extra);
        } catch (err) {
          reason = (err as Error).message;
          continue;
        }
        try {
          const seen = await readFile(join(dir, 'merged', 'f'), 'utf8');
          if (seen !== 'x') return { ok: false, reason: 'overlay mount did not show its lower layer' };
          return { ok: true, indexOff: extra !== '' };
        } finally {
          umount2(join(dir, 'merged'), MNT_DETACH);
        }
      }
      return { ok: false, reason };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  #dir(cacheId: string): string {
    return join(this.home, cacheId);
  }

  async prepare(cacheId: string, _parent: string | null): Promise<string> {
    const tmp = this.#dir(cacheId + TMP_SUFFIX);
    await mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
    return join(tmp, 'diff');
  }

  async commit(cacheId: string, parent: string | null): Promise<void> {
    const tmp = this.#dir(cacheId + TMP_SUFFIX);
    const short = shortLinkId();
    await writeFile(join(tmp, 'link'), short, { mode: 0o644 });
    if (parent !== null) {
      await writeFile(join(tmp, 'lower'), await this.#lowerFor(parent), { mode: 0o644 });
      await mkdir(join(tmp, 'work'), { recursive: true, mode: 0o700 });
    }
    await fsyncDir(tmp);
    await rename(tmp, this.#dir(cacheId));
    await symlink(`../${cacheId}/diff`, join(this.home, 'l', short));
    await fsyncDir(this.home);
  }

  async discard(cacheId: string): Promise<void> {
    await rm(this.#dir(cacheId + TMP_SUFFIX), { recursive: true, force: true });
  }

  async createRW(cacheId: string, parent: string | null): Promise<void> {
    const tmp = this.#dir(cacheId + TMP_SUFFIX);
    try {
      await mkdir(join(tmp, 'diff'), { recursive: true, mode: 0o755 });
      await mkdir(join(tmp, 'merged'), { mode: 0o700 });
      await this.commit(cacheId, parent);
    } catch (err) {
      await this.discard(cacheId);
      throw err;
    }
  }

  /** "l/<parent>:<parent's lower>". */
  async #lowerFor(parent: string): Promise<string> {
    const link = await readFile(join(this.#dir(parent), 'link'), 'utf8');
    const lower = await readOptional(join(this.#dir(parent), 'lower'));
    return lower ? `l/${link.trim()}:${lower}` : `l/${link.trim()}`;
  }

  async exists(cacheId: string): Promise<boolean> {
    return lstat(this.#dir(cacheId)).then((s) => s.isDirectory(), () => false);
  }

  async remove(cacheId: string): Promise<void> {
    const dir = this.#dir(cacheId);
    await this.unmount(cacheId);
    if (await this.isMounted(cacheId)) throw systemError(`cannot remove layer ${cacheId}: ${dir}/merged is still mounted`);
    const short = await readOptional(join(dir, 'link'));
    if (short && /^[A-Z0-9]{26}$/.test(short)) await unlink(join(this.home, 'l', short)).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }

  async isMounted(cacheId: string): Promise<boolean> {
    return isMountPoint(join(this.#dir(cacheId), 'merged'));
  }

  async mount(cacheId: string): Promise<string> {
    const dir = this.#dir(cacheId);
    const lower = await readOptional(join(dir, 'lower'));
    // With no parent there is nothing to overlay: the upper directory is the root (as Docker).
    if (lower === undefined) return join(dir, 'diff');
    const merged = join(dir, 'merged');
    await mkdir(merged, { recursive: true, mode: 0o700 });
    if (await isMountPoint(merged)) return merged;
    const links = lower.split(':');
    const absolute = await Promise.all(links.map(async (l) => join(this.home, 'l', await readlink(join(this.home, l)))));
    const abs = `lowerdir=${absolute.join(':')},upperdir=${dir}/diff,workdir=${dir}/work${this.#extraOptions}`;
    try {
      if (abs.length <= ABSOLUTE_OPTIONS_MAX) {
        mount('overlay', merged, 'overlay', 0, abs);
      } else {
        const rel = `lowerdir=${lower},upperdir=${cacheId}/diff,workdir=${cacheId}/work${this.#extraOptions}`;
        if (rel.length > PAGE_MAX) throw systemError(`overlay mount options for ${links.length} layers exceed one page`);
        mount('overlay', join(cacheId, 'merged'), 'overlay', 0, rel, this.home);
      }
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw systemError(`error creating overlay mount to ${merged}: ${(err as Error).message}`, err);
    }
    return merged;
  }

  async unmount(cacheId: string): Promise<void> {
    const merged = join(this.#dir(cacheId), 'merged');
    if (!(await isMountPoint(merged))) return;
    try {
      umount2(merged, 0);
    } catch (err) {
      if (isErrno(err, 'EINVAL') || isErrno(err, 'ENOENT')) return;
      if (!isErrno(err, 'EBUSY')) throw systemError(`failed to unmount ${merged}: ${(err as Error).message}`, err);
      umount2(merged, MNT_DETACH); // busy (a process still has it open): detach now, free later
    }
  }

  async diffSize(cacheId: string): Promise<number> {
    return directorySize(join(this.#dir(cacheId), 'diff'));
  }

  async diffSource(cacheId: string): Promise<DiffSource> {
    const dir = this.#dir(cacheId);
    const lower = await readOptional(join(dir, 'lower'));
    const lowers = lower ? await Promise.all(lower.split(':').map(async (l) => join(this.home, 'l', await readlink(join(this.home, l))))) : [];
    return { kind: 'overlay', upper: join(dir, 'diff'), lowers };
  }

  async metadata(cacheId: string): Promise<Record<string, string>> {
    const dir = this.#dir(cacheId);
    const data: Record<string, string> = {};
    const lower = await readOptional(join(dir, 'lower'));
    if (lower) {
      const dirs = await Promise.all(lower.split(':').map(async (l) => join(this.home, 'l', await readlink(join(this.home, l)))));
      data.LowerDir = dirs.join(':');
    }
    data.MergedDir = join(dir, 'merged');
    data.UpperDir = join(dir, 'diff');
    data.WorkDir = join(dir, 'work');
    return data;
  }

  async listDirs(): Promise<string[]> {
    return (await readdir(this.home)).filter((n) => n !== 'l');
  }

  async cleanup(): Promise<void> {
    const l = join(this.home, 'l');
    for (const name of await readdir(l)) {
      const target = await readlink(join(l, name)).catch(() => '');
      const m = /^\.\.\/([^/]+)\/diff$/.exec(target);
      if (!m || !(await this.exists(m[1])) || m[1].endsWith(TMP_SUFFIX)) await unlink(join(l, name)).catch(() => {});
    }
  }
}
