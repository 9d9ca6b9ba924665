// Receiving the build context of POST /build (the body: a tar, plain or compressed) onto disk.
// The tar is hostile (DESIGN.md decision 5), checked entry by entry as layer and `cp` tars are:
// names cleaned and `..`/absolute escapes refused (archive's cleanEntryName), symlinks and hard
// links that climb out refused (archive's checkLinkEntry, moby's breakout checks), nothing
// written through a link or below a file the archive made, sizes and counts bounded, device
// nodes and FIFOs never made (left out: a COPY must not open a device or block on a FIFO).
// Every entry is made through directory fds from the fsroot resolver and *at() calls, streaming:
// each regular file is hashed while it is written, so the context is never held in memory and
// never read twice. What is kept is a compact index, path → metadata and content digest, which
// the cache keys (checksum) are computed from.
//
// Then, as moby's builder/remotecontext (withDockerfileFromContext, removeDockerfile): the
// Dockerfile is read (default `Dockerfile`, else `dockerfile`), and .dockerignore (or
// `<Dockerfile>.dockerignore` beside the Dockerfile, which wins, as BuildKit) is applied: moby
// removes only the Dockerfile and .dockerignore when they match (the CLI left out the rest); berth
// removes every matching file, so a client that sends excluded files (curl, an old SDK) gets what
// .dockerignore says too.
import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, fchownSync, futimesSync, write, writeSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { cleanEntryName, checkLinkEntry } from '../../archive/index.ts';
import {
  BerthError, dockerignoreMatcher, invalidParameter, parseDockerignore, readTar, systemError, type PatternMatcher, type TarEntry,
} from '../../common/index.ts';
import {
  ContainerView, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFMT, ParentDirCache,
  fstatat, lchownat, linkat, lutimesat, mkdirAllInRoot, mkdirat, openInRoot, openRoot, openat, readFileInRoot, removeAllAt, symlinkat,
} from '../../fsroot/index.ts';
import { decompressAny } from './decompress.ts';
import { downloadUrl, isUrl } from './download.ts';
import { entryHeader } from './root-checksum.ts';
import { resolveLocalSources } from './sources.ts';
import type { BuildContext, ChecksumOptions } from './types.ts';

const writeAsync = promisify(write);

/** One entry of a received context (hard links are files with their target's digest). */
export interface ContextEntry {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  /** sha256 hex of a file's bytes; '' for directories and symlinks. */
  digest: string;
  linkname: string;
}

export interface ReceiveOptions {
  /** The directory to receive into (made here, must not exist; under <data-root>/builder/tmp). */
  dir: string;
  /** The `dockerfile` parameter: path in the context (default `Dockerfile`, else `dockerfile`). */
  dockerfile?: string;
  /** Largest uncompressed context accepted (default 64 GiB). */
  maxBytes?: number;
  /** Most entries accepted (default 1,000,000). */
  maxEntries?: number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;
const MAX_DOCKERFILE = 32 * 1024 * 1024;
const SMALL_FILE = 128 * 1024;
const MAX_IGNOREFILE = 8 * 1024 * 1024;
const INPUT_ERRNOS = new Set(['ENOTDIR', 'EEXIST', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'EINVAL', 'ENOTEMPTY', 'EMLINK']);
const q = JSON.stringify;

/** Receives the context tar `body` into `opts.dir`; on any error the directory is removed. */
export async function receiveContext(body: AsyncIterable<Uint8Array>, opts: ReceiveOptions): Promise<ReceivedContext> {
  await mkdir(posix.dirname(opts.dir), { recursive: true, mode: 0o700 });
  await mkdir(opts.dir, { mode: 0o700 });
  try {
    // 0700 whatever the umask: the context's files keep the tar's modes and owners (a set-uid
    // root binary too), so no host user may reach them.
    await chmod(opts.dir, 0o700);
    const index = new Map<string, ContextEntry>();
    index.set('', { type: 'dir', mode: 0o700, uid: 0, gid: 0, size: 0, mtime: 0, digest: '', linkname: '' });
    const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    await extractContext(bounded(decompressAny(body), maxBytes), opts.dir, index, { maxEntries: opts.maxEntries ?? 1_000_000, maxBytes });
    const dockerfile = await readDockerfile(opts.dir, opts.dockerfile);
    await applyDockerignore(opts.dir, index, dockerfile.ok ? dockerfile.key : undefined);
    return new ReceivedContext(opts.dir, index, dockerfile);
  } catch (err) {
    await rm(opts.dir, { recursive: true, force: true });
    throw err;
  }
}

/** The bytes of `source`, refusing more than `maxBytes` (a decompression bomb stops early). */
async function* bounded(source: AsyncIterable<Uint8Array>, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > maxBytes) throw invalidParameter(`build context is larger than the limit of ${maxBytes} bytes`);
    yield chunk;
  }
}

interface Ctx {
  rootFd: number;
  dirs: ParentDirCache;
  index: Map<string, ContextEntry>;
  dirTimes: [string, number][];
}

async function extractContext(
  bytes: AsyncIterable<Uint8Array>, dir: string, index: Map<string, ContextEntry>, limits: { maxEntries: number; maxBytes: number },
): Promise<void> {
  const { maxEntries } = limits;
  const rootFd = openRoot(dir);
  const ctx: Ctx = { rootFd, dirs: new ParentDirCache((p) => mkdirAllInRoot(rootFd, p, 0o755)), index, dirTimes: [] };
  let count = 0;
  try {
    const it = bytes[Symbol.asyncIterator]();
    const tracked: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it };
    // An entry larger than the whole context may be is refused from its header, before any byte is written.
    for await (const e of readTar(tracked, { maxNameLength: 4096, maxEntrySize: limits.maxBytes })) {
      if (++count > maxEntries) throw invalidParameter(`build context has more than ${maxEntries} entries`);
      try {
        await extractEntry(ctx, e);
      } catch (err) {
        if (err instanceof BerthError) throw err;
        const code = (err as NodeJS.ErrnoException).code ?? '';
        const msg = `failed to extract ${q(e.name)}: ${(err as Error).message}`;
        throw INPUT_ERRNOS.has(code) ? invalidParameter(msg, err) : systemError(msg, err);
      }
    }
    // The rest of the body after the end-of-archive blocks is read too: a corrupt compressed
    // stream (a bad xz check, a short gzip) is an error even past the tar's end.
    for (let r = await it.next(); !r.done; r = await it.next());
    for (let i = ctx.dirTimes.length - 1; i >= 0; i--) {
      const [rel, mtime] = ctx.dirTimes[i];
      if (ctx.index.get(rel)?.type !== 'dir') continue; // replaced by a later entry
      const fd = openInRoot(rootFd, rel || '.', { flags: O_RDONLY | O_DIRECTORY });
      try {
        futimesSync(fd, mtime, mtime);
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    ctx.dirs.close();
    closeSync(rootFd);
  }
}

async function extractEntry(ctx: Ctx, e: TarEntry): Promise<void> {
  const { index, dirs } = ctx;
  const rel = cleanEntryName(e.name, 'the build context');
  const bad = (why: string) => invalidParameter(`invalid archive entry ${q(e.name)}: ${why}`);
  if (e.type === 'other') throw bad('unhandled tar header type');
  if (e.uid > 0xfffffffe || e.gid > 0xfffffffe) throw bad('uid/gid out of range');
  if (rel === '') {
    if (e.type !== 'dir') throw bad('the context root must be a directory');
    return;
  }
  if (e.type === 'char' || e.type === 'block' || e.type === 'fifo') return; // never made in a context
  // Nothing is written through a link or below a file the archive made.
  const parent = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  for (let p = parent; p !== ''; p = posix.dirname(p) === '.' ? '' : posix.dirname(p)) {
    const x = index.get(p);
    if (x === undefined) continue;
    if (x.type === 'symlink') throw bad(`it would be written through the link ${q(p)} made by the same archive`);
    if (x.type !== 'dir') throw bad(`${q(p)} is not a directory`);
    break; // a directory in the index: its own parents were checked when it was made
  }
  const linkTarget = checkLinkEntry(rel, rel, e);
  let hardlinkOf: ContextEntry | undefined;
  if (e.type === 'hardlink') {
    hardlinkOf = linkTarget === undefined ? undefined : index.get(linkTarget);
    if (linkTarget === '.' || hardlinkOf?.type === 'dir') throw bad('hard link to a directory');
    if (hardlinkOf === undefined) throw bad(`hard link target ${q(e.linkname)} not found`);
  }
  addParents(index, parent);

  const base = posix.basename(rel);
  const dirFd = dirs.get(parent);
  const existing = fstatat(dirFd, base);
  const existingDir = existing !== null && (existing.mode & S_IFMT) === S_IFDIR;
  if (existing && !(existingDir && e.type === 'dir')) {
    dirs.invalidate();
    removeAllAt(dirFd, base);
    if (existingDir) dropBelow(index, rel);
  }
  switch (e.type) {
    case 'dir': {
      if (!existingDir) mkdirat(dirFd, base, 0o700);
      const fd = openat(dirFd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      try {
        fchownSync(fd, e.uid, e.gid);
        fchmodSync(fd, e.mode & 0o7777);
      } finally {
        closeSync(fd);
      }
      ctx.dirTimes.push([rel, e.mtime]);
      index.set(rel, entry('dir', e, 0, ''));
      return;
    }
    case 'file': {
      const digest = await writeFile(dirFd, base, e);
      index.set(rel, entry('file', e, e.size, digest));
      return;
    }
    case 'symlink':
      dirs.invalidate();
      symlinkat(e.linkname, dirFd, base);
      lchownat(dirFd, base, e.uid, e.gid);
      lutimesat(dirFd, base, e.mtime, e.mtime);
      index.set(rel, { ...entry('symlink', e, 0, ''), mode: 0o777, linkname: e.linkname }); // a link's mode is always 0777 on Linux
      return;
    case 'hardlink': {
      const srcDir = openInRoot(ctx.rootFd, posix.dirname(linkTarget!), { flags: O_PATH | O_DIRECTORY, followFinal: true });
      try {
        linkat(srcDir, posix.basename(linkTarget!), dirFd, base);
      } finally {
        closeSync(srcDir);
      }
      index.set(rel, { ...hardlinkOf! });
      return;
    }
    default:
      throw bad('unhandled tar header type');
  }
}

const entry = (type: ContextEntry['type'], e: TarEntry, size: number, digest: string): ContextEntry => ({
  type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size, mtime: e.mtime, digest, linkname: '',
});

/** Directories the tar did not list but its entries are in: made 0755 root by the resolver. */
function addParents(index: Map<string, ContextEntry>, dir: string): void {
  for (let p = dir; p !== '' && !index.has(p); p = posix.dirname(p) === '.' ? '' : posix.dirname(p)) {
    index.set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, digest: '', linkname: '' });
  }
}

function dropBelow(index: Map<string, ContextEntry>, dir: string): void {
  const prefix = `${dir}/`;
  for (const k of index.keys()) if (k.startsWith(prefix)) index.delete(k);
}

async function writeFile(dirFd: number, base: string, e: TarEntry): Promise<string> {
  const fd = openat(dirFd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    const hash = createHash('sha256');
    let written = 0;
    // Small files are written synchronously: a thread-pool round trip per write costs more
    // than the copy (tens of thousands of small files are the common context).
    const small = e.size <= SMALL_FILE;
    for await (const chunk of e.body()) {
      hash.update(chunk);
      for (let off = 0; off < chunk.length;) {
        off += small ? writeSync(fd, chunk, off, chunk.length - off) : (await writeAsync(fd, chunk, off, chunk.length - off)).bytesWritten;
      }
      written += chunk.length;
    }
    if (written !== e.size) throw invalidParameter(`invalid archive entry ${q(e.name)}: short body`);
    fchownSync(fd, e.uid, e.gid);
    fchmodSync(fd, e.mode & 0o7777); // after chown, which clears set-id bits
    futimesSync(fd, e.mtime, e.mtime);
    return hash.digest('hex');
  } finally {
    closeSync(fd);
  }
}

type DockerfileResult = { ok: true; key: string; text: string } | { ok: false; error: BerthError };

/** The Dockerfile's path in the context, cleaned; a path out of the context is refused. */
function dockerfileKey(name: string): string {
  const clean = posix.normalize(name.replace(/^\/+/, '') || '.');
  if (clean === '..' || clean.startsWith('../')) throw invalidParameter(`forbidden path outside the build context: ${name} ()`);
  return clean;
}

async function readDockerfile(dir: string, requested: string | undefined): Promise<DockerfileResult> {
  const name = requested || 'Dockerfile';
  try {
    const key = dockerfileKey(name);
    let text = await readFileInRoot(dir, key, MAX_DOCKERFILE);
    let found = key;
    if (text === undefined && name === 'Dockerfile') {
      text = await readFileInRoot(dir, 'dockerfile', MAX_DOCKERFILE);
      found = 'dockerfile';
    }
    if (text === undefined) return { ok: false, error: invalidParameter(`Cannot locate specified Dockerfile: ${name}`) };
    return { ok: true, key: found, text: text.toString('utf8') };
  } catch (err) {
    if (err instanceof BerthError) return { ok: false, error: err };
    throw err;
  }
}

/** The patterns of `<Dockerfile>.dockerignore` beside the Dockerfile, else of `.dockerignore`; undefined when neither exists. */
async function readIgnoreFile(dir: string, dockerfileKey: string | undefined): Promise<string[] | undefined> {
  const candidates = dockerfileKey ? [`${dockerfileKey}.dockerignore`, '.dockerignore'] : ['.dockerignore'];
  for (const c of candidates) {
    const text = await readFileInRoot(dir, c, MAX_IGNOREFILE);
    if (text !== undefined) return parseDockerignore(text);
  }
  return undefined;
}

/** Removes from disk and index every entry .dockerignore excludes (directories with kept entries below stay). */
async function applyDockerignore(dir: string, index: Map<string, ContextEntry>, dockerfileKey: string | undefined): Promise<void> {
  const patterns = await readIgnoreFile(dir, dockerfileKey);
  if (patterns === undefined || patterns.length === 0) return;
  let m: PatternMatcher;
  try {
    m = dockerignoreMatcher(patterns);
  } catch (err) {
    throw invalidParameter((err as Error).message, err);
  }
  const keys = [...index.keys()].filter((k) => k !== '').sort();
  const excluded = keys.filter((k) => m.matches(k));
  if (excluded.length === 0) return;
  const gone = new Set(excluded);
  const keptDirs = new Set<string>();
  for (const k of keys) {
    if (gone.has(k)) continue;
    for (let p = posix.dirname(k); p !== '.' && !keptDirs.has(p); p = posix.dirname(p)) keptDirs.add(p);
  }
  const rootFd = openRoot(dir);
  try {
    for (const k of excluded.reverse()) {
      if (index.get(k)?.type === 'dir' && keptDirs.has(k)) continue;
      if (!index.has(k)) continue; // below a directory removed already
      const parentFd = openInRoot(rootFd, posix.dirname(k), { flags: O_PATH | O_DIRECTORY, followFinal: true });
      try {
        removeAllAt(parentFd, posix.basename(k));
      } finally {
        closeSync(parentFd);
      }
      index.delete(k);
      dropBelow(index, k);
    }
  } finally {
    closeSync(rootFd);
  }
}

/** A context on disk with its index: what the engine reads through BuildContext. */
export class ReceivedContext implements BuildContext {
  readonly dir: string;
  readonly #index: Map<string, ContextEntry>;
  readonly #dockerfile: DockerfileResult;
  #sorted?: string[];
  readonly #memo = new Map<string, string>();
  #closed = false;

  constructor(dir: string, index: Map<string, ContextEntry>, dockerfile: DockerfileResult) {
    this.dir = dir;
    this.#index = index;
    this.#dockerfile = dockerfile;
  }

  /** The Dockerfile's path in the context as found (`Dockerfile`, `dockerfile`, `sub/x.Dockerfile`). */
  get dockerfileName(): string | undefined {
    return this.#dockerfile.ok ? this.#dockerfile.key : undefined;
  }

  async dockerfile(): Promise<string> {
    if (!this.#dockerfile.ok) throw this.#dockerfile.error;
    return this.#dockerfile.text;
  }

  /** The entry at `path` (relative, '/'-separated, as in the context), undefined if absent. */
  entry(path: string): ContextEntry | undefined {
    return this.#index.get(path);
  }

  /** Number of entries (the root included). */
  get size(): number {
    return this.#index.size;
  }

  async checksum(sources: string[], exclude: string[], opts: ChecksumOptions = {}): Promise<string> {
    // The context does not change once received: local sources are computed once.
    const memoKey = sources.some(isUrl) ? undefined : JSON.stringify([sources, exclude, opts.command ?? 'COPY']);
    const memo = memoKey === undefined ? undefined : this.#memo.get(memoKey);
    if (memo !== undefined) return memo;
    const sum = await this.#checksum(sources, exclude, opts);
    if (memoKey !== undefined) this.#memo.set(memoKey, sum);
    return sum;
  }

  async #checksum(sources: string[], exclude: string[], opts: ChecksumOptions): Promise<string> {
    const h = createHash('sha256');
    const local = sources.filter((s) => !isUrl(s));
    for (const url of sources.filter(isUrl)) h.update(`url ${q(url)} ${await this.#urlDigest(url, opts)}\n`);
    const view = new ContainerView(openRoot(this.dir));
    try {
      const infos = resolveLocalSources(view, local, { cmd: opts.command ?? 'COPY', isContext: true });
      const m = exclude.length > 0 ? dockerignoreMatcher(exclude) : undefined;
      for (const info of infos) {
        const key = info.path.replace(/^\/+/, '');
        h.update(`source ${q(info.rel)} ${q(info.name)}\n`);
        const top = this.#index.get(key);
        if (top?.type !== 'dir') {
          if (m?.matches(info.rel) || m?.matches(info.name)) continue;
          h.update(`. ${this.#header(key)}\n`);
          continue;
        }
        h.update(`. ${this.#header(key)}\n`);
        const prefix = key === '' ? '' : `${key}/`;
        for (const k of this.#sortedKeys()) {
          if (k === '' || !k.startsWith(prefix)) continue;
          const rel = k.slice(prefix.length);
          if (m?.matches(rel)) continue;
          h.update(`${q(rel)} ${this.#header(k)}\n`);
        }
      }
    } finally {
      view.close();
    }
    return `sha256:${h.digest('hex')}`;
  }

  /** The digest and file name of what `url` serves (or the --checksum given). */
  async #urlDigest(url: string, opts: ChecksumOptions): Promise<string> {
    if (opts.urlChecksum !== undefined) return opts.urlChecksum;
    const base = opts.tmpDir ?? posix.dirname(this.dir);
    await mkdir(base, { recursive: true, mode: 0o700 });
    const tmp = await mkdtemp(posix.join(base, 'url-'));
    try {
      const got = await downloadUrl(url, posix.join(tmp, 'body'), { signal: opts.signal, cmd: 'ADD' });
      return `${got.digest} ${q(got.filename)}`;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** What the cache key holds of one entry: BuildKit contenthash's (tarsum v1) fields, no mtime. */
  #header(key: string): string {
    const e = this.#index.get(key);
    return e === undefined ? 'missing' : entryHeader(e);
  }

  #sortedKeys(): string[] {
    this.#sorted ??= [...this.#index.keys()].sort();
    return this.#sorted;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await rm(this.dir, { recursive: true, force: true });
  }
}
