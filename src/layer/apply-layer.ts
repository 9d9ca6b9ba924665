// Applies one layer tar onto a directory nobody else writes (a fresh overlay diff, or a vfs copy
// of the parent). Layer tars are hostile (DESIGN.md decision 5):
//  - names are cleaned; absolute names and names climbing out with `..` are refused;
//  - every parent directory is resolved with resolveInRoot, so a symlink in the layer (or the
//    parent layers, for vfs) is followed inside the layer, never out of it; the final component
//    is replaced, never followed;
//  - hard link targets are resolved inside the layer too (absolute targets mean "in the layer");
//  - chown/utimes never follow links and chmod skips symlinks;
//  - files get exactly the bytes the tar declared; xattrs are filtered.
import { open, mkdir, rm, lstat, symlink, link, lchown, chmod, lutimes, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { posix, join } from 'node:path';
import { type TarEntry, BerthError, invalidParameter, isErrno, systemError } from '../common/index.ts';
import { resolveInRoot } from './resolve-in-root.ts';
import { lsetxattr, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from './syscalls.linux.ts';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';
const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface ApplyOptions {
  /** overlay: whiteouts become char 0/0 devices and opaque xattrs; delete: they remove files (vfs). */
  whiteouts: 'overlay' | 'delete';
  /** Entry count limit (default 10 million). */
  maxEntries?: number;
}

export interface ApplyResult {
  /** Bytes of regular files in the layer. */
  size: number;
  entries: number;
}

/** errno codes that an absurd tar (a file under a file, a too long name) causes: bad input. */
const INPUT_ERRNOS = new Set(['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'EINVAL', 'ENOTEMPTY', 'EMLINK']);

export async function applyLayer(entries: AsyncIterable<TarEntry>, root: string, opts: ApplyOptions): Promise<ApplyResult> {
  const maxEntries = opts.maxEntries ?? 10_000_000;
  const dirTimes: [string, number][] = [];
  const unpacked = new Set<string>(); // host paths this layer wrote (vfs opaque dirs keep them)
  const parents = new ParentCache(root);
  let size = 0;
  let count = 0;
  for await (const e of entries) {
    if (++count > maxEntries) throw invalidParameter(`layer has more than ${maxEntries} entries`);
    try {
      const path = await applyEntry(e, root, opts, unpacked, dirTimes, parents);
      if (path !== undefined) unpacked.add(path);
      if (e.type === 'file') size += e.size;
    } catch (err) {
      if (err instanceof BerthError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const msg = `invalid tar entry ${JSON.stringify(e.name)}: ${(err as Error).message}`;
      throw INPUT_ERRNOS.has(code) ? invalidParameter(msg, err) : systemError(`failed to extract layer: ${msg}`, err);
    }
  }
  // Directory times last: creating entries inside a directory changes its mtime.
  for (let i = dirTimes.length - 1; i >= 0; i--) await lutimes(dirTimes[i][0], dirTimes[i][1], dirTimes[i][1]);
  return { size, entries: count };
}

/**
 * The cleaned, relative form of a tar name ('' for the root). `absolute: 'strip'` reads an
 * absolute name as relative to the layer (hard link targets); otherwise it is refused.
 */
export function cleanLayerPath(name: string, absolute: 'refuse' | 'strip' = 'refuse'): string {
  if (name.startsWith('/')) {
    if (absolute === 'refuse') throw invalidParameter(`invalid tar entry ${JSON.stringify(name)}: absolute path not allowed in a layer`);
    name = name.replace(/^\/+/, '');
  }
  let clean = posix.normalize(name === '' ? '.' : name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) {
    throw invalidParameter(`invalid tar entry ${JSON.stringify(name)}: path escapes the layer`);
  }
  if (clean === '.' || clean === '') clean = '';
  return clean;
}

/**
 * Resolved parent directories, so that a layer of 50,000 files does not lstat every component
 * of every path. Only creating a symlink (or a hard link, which may be one) or removing something
 * can change what a path resolves to (a missing name resolves the same once made a directory),
 * so those drop it.
 */
class ParentCache {
  #root: string;
  #map = new Map<string, string>();

  constructor(root: string) {
    this.#root = root;
  }

  async resolve(rel: string): Promise<string> {
    let host = this.#map.get(rel);
    if (host === undefined) {
      host = await resolveInRoot(this.#root, rel, { followFinal: true });
      this.#map.set(rel, host);
    }
    return host;
  }

  invalidate(): void {
    this.#map.clear();
  }
}

async function applyEntry(
  e: TarEntry, root: string, opts: ApplyOptions, unpacked: Set<string>, dirTimes: [string, number][], parents: ParentCache,
): Promise<string | undefined> {
  const rel = cleanLayerPath(e.name);
  if (e.uid > 0xfffffffe || e.gid > 0xfffffffe) throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: uid/gid out of range`);
  if (rel === '') {
    // "./": the layer root itself. Only its metadata can be set.
    if (e.type !== 'dir') throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: the layer root must be a directory`);
    await setMetadata(root, e, dirTimes);
    return undefined;
  }
  const base = posix.basename(rel);
  // AUFS bookkeeping (.wh..wh.plnk, .wh..wh.aufs) is not content; Docker skips it too.
  if (base.startsWith(WHITEOUT_META_PREFIX) && base !== WHITEOUT_OPAQUE) return undefined;

  const parent = await parents.resolve(posix.dirname(rel));
  await mkdir(parent, { recursive: true, mode: 0o755 });

  if (base === WHITEOUT_OPAQUE) {
    if (opts.whiteouts === 'overlay') lsetxattr(parent, OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
    else {
      parents.invalidate();
      await removeUnpackedExcept(parent, unpacked);
    }
    return undefined;
  }
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const hidden = base.slice(WHITEOUT_PREFIX.length);
    if (hidden === '' || hidden === '.' || hidden === '..') throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: bad whiteout`);
    const target = join(parent, hidden);
    parents.invalidate();
    await rm(target, { recursive: true, force: true }); // rm never follows a symlink it removes
    if (opts.whiteouts === 'overlay') {
      mknod(target, S_IFCHR, 0, 0);
      await lchown(target, e.uid, e.gid);
      return target;
    }
    return undefined;
  }

  const target = join(parent, base);
  // A hard link's source is found before anything at the target is replaced.
  const linkSource = e.type === 'hardlink' ? await hardlinkSource(e, root, target) : undefined;
  const existing = await lstat(target).catch((err) => {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  });
  if (existing && !(existing.isDirectory() && e.type === 'dir')) {
    parents.invalidate();
    await rm(target, { recursive: true, force: true });
  }

  switch (e.type) {
    case 'dir':
      if (!existing?.isDirectory()) await mkdir(target, { mode: 0o700 });
      break;
    case 'file':
      await writeFileEntry(target, e);
      return target;
    case 'symlink':
      // Any target is fine: it resolves inside the container at run time, and extraction
      // resolves through it inside the layer.
      parents.invalidate();
      await symlink(e.linkname, target);
      break;
    case 'hardlink':
      parents.invalidate(); // a hard link to a symlink is a symlink
      await link(linkSource!, target); // link(2) does not follow a symlink source
      return target; // the inode's metadata came with its first name
    case 'char':
    case 'block':
    case 'fifo': {
      const kind = e.type === 'char' ? S_IFCHR : e.type === 'block' ? S_IFBLK : S_IFIFO;
      mknod(target, kind | (e.mode & 0o777), e.type === 'fifo' ? 0 : e.devmajor, e.type === 'fifo' ? 0 : e.devminor);
      break;
    }
    default:
      throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: unhandled tar header type`);
  }
  await setMetadata(target, e, dirTimes);
  return target;
}

/** The host path a hard link entry points at: inside the layer, existing, not a directory. */
async function hardlinkSource(e: TarEntry, root: string, target: string): Promise<string> {
  const bad = (why: string) => invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: ${why}`);
  const linkRel = cleanLayerPath(e.linkname, 'strip');
  if (linkRel === '') throw bad('hard link to the layer root');
  const source = await resolveInRoot(root, linkRel);
  if (source === target) throw bad('hard link to itself');
  const st = await lstat(source).catch(() => undefined);
  if (!st) throw bad(`hard link target ${JSON.stringify(e.linkname)} not found in the layer`);
  if (st.isDirectory()) throw bad('hard link to a directory');
  return source;
}

/** A regular file: its bytes, then its metadata through the open descriptor (no path lookups). */
async function writeFileEntry(target: string, e: TarEntry): Promise<void> {
  const fh = await open(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    let written = 0;
    for await (const chunk of e.body()) {
      for (let off = 0; off < chunk.length; ) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
      written += chunk.length;
    }
    if (written !== e.size) throw invalidParameter(`invalid tar entry ${JSON.stringify(e.name)}: short body`);
    await fh.chown(e.uid, e.gid);
    setXattrs(target, e);
    await fh.chmod(e.mode & 0o7777); // after chown, which clears set-id bits
    await fh.utimes(e.mtime, e.mtime);
  } finally {
    await fh.close();
  }
}

/** Only these xattrs come from a layer; trusted.* (overlay's own), other security.* and system.* never do. */
function layerXattrAllowed(name: string): boolean {
  return name.startsWith('user.') || name === 'security.capability';
}

async function setMetadata(path: string, e: TarEntry, dirTimes: [string, number][]): Promise<void> {
  await lchown(path, e.uid, e.gid);
  setXattrs(path, e);
  // chown clears set-id bits, so the mode comes after it; symlinks have no mode of their own.
  if (e.type !== 'symlink') await chmod(path, e.mode & 0o7777);
  if (e.type === 'dir') dirTimes.push([path, e.mtime]);
  else await lutimes(path, e.mtime, e.mtime);
}

function setXattrs(path: string, e: TarEntry): void {
  for (const [name, value] of Object.entries(e.xattrs)) {
    if (!layerXattrAllowed(name)) continue;
    try {
      lsetxattr(path, name, value);
    } catch (err) {
      // Filesystems without xattrs, and user.* on symlinks/devices, which Linux refuses.
      if (isErrno(err, 'ENOTSUP') || isErrno(err, 'EOPNOTSUPP') || (isErrno(err, 'EPERM') && e.type !== 'file' && e.type !== 'dir')) continue;
      throw err;
    }
  }
}

/** vfs: an opaque directory keeps only what this layer put in it. */
async function removeUnpackedExcept(dir: string, unpacked: Set<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if (!unpacked.has(p)) await rm(p, { recursive: true, force: true });
    else if ((await lstat(p)).isDirectory()) await removeUnpackedExcept(p, unpacked);
  }
}
