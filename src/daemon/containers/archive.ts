// docker cp's daemon side (moby daemon/archive.go, archive_unix.go): HEAD, GET and PUT
// /containers/{id}/archive. Every path is resolved inside the container's root by the fsroot
// box's ContainerView (DESIGN.md decision 5; CVE-2018-15664), and nothing from the container is
// run or loaded (CVE-2019-14271): the tar work is in-process.
//  - running (or paused) container: the root is /proc/<pid>/root of its init, opened through a
//    /proc/<pid> directory fd and checked to belong to the container's cgroup after opening (a
//    pid reused by another process cannot hand over its root); that root shows the container's
//    own mounts (volumes, binds, tmpfs), so a path goes to the mount, as in Docker;
//  - stopped or created container: its RW layer is mounted (and unmounted after), and its
//    bind and volume mounts are walked through the view's mounts table.
// The container's lock is held for the whole operation (for GET, until the archive is read), as
// moby does, so it cannot start, stop or be removed underneath.
import { closeSync, fstatSync, readSync } from 'node:fs';
import { join, posix } from 'node:path';
import {
  BerthError, forbidden, invalidParameter, isErrno, notFound, parseMountInfo, systemError,
} from '../../common/index.ts';
import {
  ContainerView, O_DIRECTORY, O_PATH, O_RDONLY, cleanContainerPath, openRoot, openat, readlinkat, type ViewMount,
} from '../../fsroot/index.ts';
import { extractTarInRoot, goFileMode, goTimeJson, tarPathInView, type ContainerPathStat } from '../../archive/index.ts';
import { resolveUser } from '../../runtime/index.ts';
import type { Container } from './container.ts';
import { publish, type ContainerContext } from './context.ts';
import { acquireRootfsLocked } from './rootfs-use.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'layers' | 'dataRoot' | 'events' | 'log'>;

const AT_FDCWD = -100;
const MAX_ETC_FILE = 1 << 20;

/** moby's containerFileNotFound. */
const fileNotFound = (path: string, ref: string, cause?: unknown) => notFound(`Could not find the file ${path} in container ${ref}`, cause);

/** moby's archive.PreserveTrailingDotOrSeparator on a cleaned path. */
function preserveTrailing(cleaned: string, original: string): string {
  let out = cleaned;
  if (posix.basename(out) !== '.' && /(^|\/)\.$/.test(original)) out += out.endsWith('/') ? '.' : '/.';
  if (!out.endsWith('/') && original.endsWith('/')) out += '/';
  return out;
}

/** The absolute, cleaned path moby works on: Join("/", path) with the trailing `/` or `/.` kept. */
export function absPathOf(path: string): string {
  return preserveTrailing(cleanContainerPath(path), path);
}

interface OpenFs {
  view: ContainerView;
  running: boolean;
  /** Container paths whose contents a copy leaves out (a running container's /proc, /sys, ...). */
  skipContentsOf: string[];
  close(): Promise<void>;
}

/** Mounts of a stopped container for the view: its MountPoints, else its HostConfig binds. */
export function mountsOf(c: Pick<Container, 'rec' | 'hostConfig'>): ViewMount[] {
  if (c.rec.MountPoints) {
    return Object.values(c.rec.MountPoints)
      .filter((m) => m.Type !== 'tmpfs' && m.Source !== '')
      .map((m) => {
        const subpath = (m.Spec as { VolumeOptions?: { Subpath?: string } } | undefined)?.VolumeOptions?.Subpath;
        return { destination: m.Destination, source: m.Source, ...(subpath ? { subpath } : {}) };
      });
  }
  return hostConfigMounts(c).filter((m) => m.source !== '');
}

/** Binds (`/src:/dst[:opts]`) and bind Mounts from the HostConfig, for records without MountPoints. */
function hostConfigMounts(c: Pick<Container, 'hostConfig'>): (ViewMount & { rw: boolean })[] {
  const out: (ViewMount & { rw: boolean })[] = [];
  for (const b of c.hostConfig.Binds ?? []) {
    const parts = b.split(':');
    if (parts.length < 2) continue;
    const opts = parts.length > 2 ? parts[2].split(',') : [];
    out.push({ source: parts[0].startsWith('/') ? parts[0] : '', destination: parts[1], rw: !opts.includes('ro') });
  }
  for (const m of c.hostConfig.Mounts ?? []) {
    if (!m.Target) continue;
    out.push({ source: m.Type === 'bind' && m.Source ? m.Source : '', destination: m.Target, rw: !m.ReadOnly });
  }
  return out;
}

/** Destinations mounted in the container and whether each is writable (for the read-only checks). */
function writableMounts(c: Pick<Container, 'rec' | 'hostConfig'>): Map<string, boolean> {
  const out = new Map<string, boolean>();
  if (c.rec.MountPoints) for (const m of Object.values(c.rec.MountPoints)) out.set(cleanContainerPath(m.Destination), m.RW);
  else for (const m of hostConfigMounts(c)) out.set(cleanContainerPath(m.destination), m.rw);
  // A tmpfs is writable; moby forgets it and refuses cp into a --read-only container's --tmpfs.
  for (const dest of Object.keys(c.hostConfig.Tmpfs ?? {})) if (!out.has(cleanContainerPath(dest))) out.set(cleanContainerPath(dest), true);
  return out;
}

/** A whole small file of /proc/<pid>/ through that directory's fd ('' when it cannot be read). */
function readProcFile(procFd: number, name: string): string {
  try {
    const fd = openat(procFd, name, O_RDONLY);
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.alloc(64 * 1024);
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0 || (total += n) > 4 << 20) break;
        chunks.push(buf.subarray(0, n));
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** Kernel filesystems whose contents a copy leaves out (moby never mounts them for cp: empty dirs). */
const PSEUDO_FS = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'securityfs', 'debugfs', 'tracefs', 'configfs', 'fusectl', 'bpf', 'pstore']);

/** The mount points (in the process's own view) of kernel filesystems, from its mountinfo. */
export function pseudoMountPoints(mountinfo: string): string[] {
  return parseMountInfo(mountinfo).filter((m) => PSEUDO_FS.has(m.fsType)).map((m) => m.mountPoint);
}

/** The /proc/<pid>/root of the container's init, checked to be the container's, and its kernel filesystems' mount points. */
export function openRunningRoot(c: Pick<Container, 'rec'> & { state: Pick<Container['state'], 'pid'> }): { rootFd: number; pseudo: string[] } {
  const pid = c.state.pid;
  const gone = (cause?: unknown) => systemError(`container ${c.rec.ID} is not running anymore`, cause);
  if (!Number.isInteger(pid) || pid <= 0) throw gone();
  let procFd: number;
  let rootFd: number;
  try {
    procFd = openat(AT_FDCWD, `/proc/${pid}`, O_PATH | O_DIRECTORY);
  } catch (err) {
    throw gone(err);
  }
  try {
    try {
      rootFd = openat(procFd, 'root', O_PATH | O_DIRECTORY);
    } catch (err) {
      throw gone(err);
    }
    // procFd names that very process: if it is still in the container's cgroup, rootFd is the
    // root of a process of this container, not of a process that reused the pid meanwhile.
    const cgroup = readProcFile(procFd, 'cgroup'); // '' when the process is gone: refused below
    if (!cgroup.includes(c.rec.ID)) {
      closeSync(rootFd);
      throw gone();
    }
    return { rootFd, pseudo: pseudoMountPoints(readProcFile(procFd, 'mountinfo')) };
  } finally {
    closeSync(procFd);
  }
}

async function openContainerFs(ctx: Ctx, c: Container): Promise<OpenFs> {
  if (c.state.running) {
    const { rootFd, pseudo } = openRunningRoot(c);
    const view = new ContainerView(rootFd);
    return { view, running: true, skipContentsOf: pseudo, close: async () => view.close() };
  }
  // Counted with export's and commit's uses: unmounted after only if nothing else holds it.
  const { rootfs, releaseLocked: release } = await acquireRootfsLocked(ctx, c);
  let view: ContainerView;
  try {
    view = new ContainerView(openRoot(rootfs), mountsOf(c));
  } catch (err) {
    await release().catch(() => {});
    throw err;
  }
  return {
    view,
    running: false,
    skipContentsOf: [],
    close: async () => {
      view.close();
      await release();
    },
  };
}

/** Runs `fn` on the container's filesystem under its lock. */
async function withContainerFs<T>(ctx: Ctx, c: Container, fn: (fs: OpenFs) => Promise<T>): Promise<T> {
  return ctx.locks.run(c.rec.ID, async () => {
    if (c.state.removingOrDead) throw systemError(`container ${c.rec.ID} is being removed`);
    const fs = await openContainerFs(ctx, c);
    try {
      return await fn(fs);
    } finally {
      await fs.close();
    }
  });
}

/** moby's containerFSView.Stat: lstat of the path; a symlink's target fully resolved in the container. */
function statIn(view: ContainerView, absPath: string): ContainerPathStat {
  const r = view.resolve(absPath, { flags: O_PATH });
  let st;
  let text = '';
  try {
    st = fstatSync(r.fd, { bigint: true });
    if (st.isSymbolicLink()) text = readlinkat(r.fd, '');
  } finally {
    closeSync(r.fd);
  }
  const mode = goFileMode(Number(st.mode));
  let linkTarget = '';
  if (st.isSymbolicLink()) {
    try {
      const t = view.resolve(absPath, { flags: O_PATH, followFinal: true });
      closeSync(t.fd);
      linkTarget = t.path;
    } catch (err) {
      if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR') && !isErrno(err, 'ELOOP')) throw err;
      // Dangling: where it points, in the container (what cp then creates, as with moby).
      linkTarget = cleanContainerPath(text.startsWith('/') ? text : posix.join(posix.dirname(r.path), text));
    }
  }
  const base = absPath === '/' ? '/' : posix.basename(absPath.replace(/\/+$/, '')) || '/';
  return { name: base, size: Number(st.size), mode, mtime: goTimeJson(st.mtimeNs), linkTarget };
}

function fsError(err: unknown, path: string, ref: string): unknown {
  if (err instanceof BerthError) return err;
  if (isErrno(err, 'ENOENT')) return fileNotFound(path, ref, err);
  if (isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return invalidParameter(`lstat ${path}: ${(err as Error).message}`, err);
  return systemError((err as Error).message, err);
}

/** HEAD /containers/{id}/archive. */
export async function containerStatPath(ctx: Ctx, ref: string, path: string): Promise<ContainerPathStat> {
  const c = ctx.store.get(ref);
  return withContainerFs(ctx, c, async ({ view }) => {
    try {
      return statIn(view, absPathOf(path));
    } catch (err) {
      throw fsError(err, path, ref);
    }
  });
}

/**
 * GET /containers/{id}/archive: the stat, then the tar of the path (its top entry named after
 * the path's base; `dir/.` gives the contents under `./`). The lock and the open filesystem are
 * released when `content` ends or is abandoned.
 */
export async function containerArchivePath(ctx: Ctx, ref: string, path: string): Promise<{ stat: ContainerPathStat; content: AsyncIterableIterator<Uint8Array> }> {
  const c = ctx.store.get(ref);
  let handOver!: (v: { stat: ContainerPathStat; content: AsyncIterableIterator<Uint8Array> }) => void;
  const ready = new Promise<{ stat: ContainerPathStat; content: AsyncIterableIterator<Uint8Array> }>((r) => {
    handOver = r;
  });
  const held = withContainerFs(ctx, c, async ({ view, skipContentsOf }) => {
    const absPath = absPathOf(path);
    let stat: ContainerPathStat;
    try {
      stat = statIn(view, absPath);
    } catch (err) {
      throw fsError(err, path, ref);
    }
    let finished!: () => void;
    const done = new Promise<void>((r) => {
      finished = r;
    });
    // Released on the end, an error, or return() even before the first read (an async
    // generator never started would skip its finally).
    let inner: AsyncIterator<Uint8Array>;
    try {
      inner = tarPathInView(view, absPath, skipContentsOf)[Symbol.asyncIterator]();
    } catch (err) {
      throw fsError(err, path, ref);
    }
    const content: AsyncIterableIterator<Uint8Array> = {
      async next() {
        try {
          const r = await inner.next();
          if (r.done) finished();
          return r;
        } catch (err) {
          finished();
          throw err;
        }
      },
      async return() {
        try {
          await inner.return?.();
        } finally {
          finished();
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    publish(ctx, c, 'archive-path');
    handOver({ stat, content });
    await done;
  });
  return Promise.race([ready, held.then(() => ready)]);
}

export interface ExtractQuery {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

/** PUT /containers/{id}/archive: extracts the tar `body` into the directory at `path`. */
export async function containerExtractToDir(ctx: Ctx, ref: string, path: string, q: ExtractQuery, body: AsyncIterable<Uint8Array>): Promise<void> {
  const c = ctx.store.get(ref);
  await withContainerFs(ctx, c, async ({ view }) => {
    let dest: string;
    try {
      // All links followed, the final one too: a link to a directory is a fine destination.
      const r = view.resolve(absPathOf(path), { flags: O_PATH, followFinal: true });
      try {
        if (!fstatSync(r.fd).isDirectory()) throw invalidParameter('extraction point is not a directory');
      } finally {
        closeSync(r.fd);
      }
      dest = r.path;
    } catch (err) {
      throw fsError(err, path, ref);
    }
    checkWritable(c, dest);
    let chown: { uid: number; gid: number } | undefined;
    if (q.copyUIDGID && c.rec.Config.User) {
      const u = await resolveUser(c.rec.Config.User, null, async (p) => (await view.readFile(p, MAX_ETC_FILE))?.toString('utf8'));
      chown = { uid: u.uid, gid: u.gid };
    }
    await extractTarInRoot(view, dest, body, { noOverwriteDirNonDir: q.noOverwriteDirNonDir, chown, spoolDir: join(ctx.dataRoot, 'tmp') });
    publish(ctx, c, 'extract-to-dir');
  });
}

/** moby's checkIfPathIsInAVolume plus the read-only rootfs check, on the resolved destination. */
export function checkWritable(c: Pick<Container, 'rec' | 'hostConfig'>, dest: string): void {
  let best: [string, boolean] | undefined;
  for (const [d, rw] of writableMounts(c)) {
    if ((dest === d || dest.startsWith(d === '/' ? '/' : `${d}/`)) && (!best || d.length > best[0].length)) best = [d, rw];
  }
  // moby's words; the status is the swagger's 403 (moby's code answers 400).
  if (best && !best[1]) throw forbidden('mounted volume is marked read-only');
  if (!best && c.hostConfig.ReadonlyRootfs) throw forbidden('container rootfs is marked read-only');
}
