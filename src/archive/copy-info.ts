// docker cp's path rules on the client side (moby/go-archive copy.go, docker/cli cp.go): what
// the source and destination are, where an archive is extracted and how its top entry is renamed
// so that `cp a b` gives `b` when b does not exist and `b/a` when b is a directory. Local paths are
// the user's own (trusted); the archive from a container is not, and is extracted by
// extractTarInRoot with the destination directory as its root.
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { posix } from 'node:path';

/** Info about the source or destination of a copy (pkg/archive CopyInfo). */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

const hasTrailingSeparator = (p: string) => p.length > 0 && p.endsWith('/');
const specifiesCurrentDir = (p: string) => posix.basename(p) === '.';
/** Go's filepath.Clean ('' is '.'). */
const clean = (p: string) => (p === '' ? '.' : posix.normalize(p).replace(/(.)\/+$/, '$1'));

/** Whether the path asserts a directory: a trailing `/` or `/.`. */
const assertsDirectory = (p: string) => hasTrailingSeparator(p) || specifiesCurrentDir(p);

/** PreserveTrailingDotOrSeparator: puts back the `/.` or `/` that cleaning took off. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

/** SplitPathDirEntry: directory and base of the cleaned path, a trailing `.` kept. */
export function splitPathDirEntry(p: string): [string, string] {
  let c = clean(p);
  if (specifiesCurrentDir(p)) c += '/.';
  return [posix.dirname(c), c === '/' ? '/' : posix.basename(c)];
}

/** GetRebaseName: the resolved path with the original's trailing `/` or `/.`, and the name to rebase to. */
export function getRebaseName(path: string, resolved: string): [string, string] {
  let out = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(out)) out += '/';
  return [out, posix.basename(path) !== posix.basename(out) ? posix.basename(path) : ''];
}

/**
 * docker cp's splitCpArg: `CONTAINER:PATH` or a local path. A local path with a `:` is made
 * explicit with a leading `/` or `.` (`./file:name`).
 */
export function splitCpArg(arg: string): [string, string] {
  if (arg.startsWith('/')) return ['', arg];
  const i = arg.indexOf(':');
  if (i === -1 || arg.slice(0, i).startsWith('.')) return ['', arg];
  return [arg.slice(0, i), arg.slice(i + 1)];
}

/** Go's filepath.Base-style errors of os.Lstat/os.Stat: "lstat PATH: no such file or directory". */
function statError(op: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const text = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return Object.assign(new Error(`${op} ${path}: ${text}`), { code });
}

/** ResolveHostSourcePath: -L resolves every link; else only the links before the last `/`. */
function resolveHostSourcePath(path: string, followLink: boolean): [string, string] {
  if (followLink) {
    let resolved: string;
    try {
      resolved = realpathSync(path);
    } catch (err) {
      throw statError('lstat', path, err);
    }
    return getRebaseName(path, resolved);
  }
  const i = path.lastIndexOf('/');
  const dirPath = path.slice(0, i + 1);
  const basePath = path.slice(i + 1);
  let resolvedDir: string;
  try {
    resolvedDir = realpathSync(dirPath || '.');
  } catch (err) {
    throw statError('lstat', dirPath, err);
  }
  const resolved = `${resolvedDir === '/' ? '' : resolvedDir}/${basePath}`;
  const rebase = hasTrailingSeparator(path) && posix.basename(path) !== posix.basename(resolved) ? posix.basename(path) : '';
  return [resolved, rebase];
}

/** CopyInfoSourcePath: the local source (must exist). */
export function copyInfoSourcePath(path: string, followLink: boolean): CopyInfo {
  const [resolved, rebaseName] = resolveHostSourcePath(path, followLink);
  let st;
  try {
    st = lstatSync(resolved);
  } catch (err) {
    throw statError('lstat', resolved, err);
  }
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** CopyInfoDestinationPath: the local destination; links at the end followed, its parent must exist. */
export function copyInfoDestinationPath(path: string): CopyInfo {
  const original = path;
  let st = lstatOrUndefined(path);
  for (let n = 0; st?.isSymbolicLink(); n++) {
    if (n > 10) throw new Error(`too many symlinks in ${original}`);
    let target = readlinkSync(path);
    if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(path)[0], target);
    path = target;
    st = lstatOrUndefined(path);
  }
  if (st) return { path, exists: true, isDir: st.isDirectory(), rebaseName: '' };
  const [parent] = splitPathDirEntry(path);
  let pst;
  try {
    pst = statSync(parent);
  } catch (err) {
    throw statError('stat', parent, err);
  }
  if (!pst.isDirectory()) throw new Error('not a directory');
  return { path, exists: false, isDir: false, rebaseName: '' };
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw statError('lstat', path, err);
  }
}

/** What PrepareArchiveCopy decides: the directory to extract into, and the archive's rebase. */
export interface ArchiveCopyPlan {
  dstDir: string;
  /** Replace the first occurrence of `from` in each name (and hard link target) by `to`. */
  rebase?: { from: string; to: string };
}

/** PrepareArchiveCopy's decision, with its errors. */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): ArchiveCopyPlan {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let [, srcBase] = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new Error('no such directory');
  if (src.rebaseName) srcBase = src.rebaseName;
  return { dstDir, rebase: { from: srcBase, to: dstBase } };
}

/** RebaseArchiveEntries on one name: Go's strings.Replace(name, from, to, 1), with `/` as from meaning ''. */
export function rebaseName(name: string, from: string, to: string): string {
  const f = from === '/' ? '' : from;
  const i = name.indexOf(f);
  return i === -1 ? name : name.slice(0, i) + to + name.slice(i + f.length);
}
