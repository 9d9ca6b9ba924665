// Resolving the local sources of a COPY/ADD inside their root (the build context, or a stage's /
// image's root), as moby's copier.calcCopyInfo does, but through the fsroot resolver: a path is
// followed component by component inside the root (a symlink to /etc/shadow is the root's own
// /etc/shadow, never the host's), `..` that climbs out of the root is refused with Docker's
// message, wildcards (Go filepath.Match) are expanded directory by directory. Used by copy.ts to
// copy and by the context's checksum, so the cache key covers exactly what is copied.
import { closeSync, fstatSync } from 'node:fs';
import { posix } from 'node:path';
import { BadPatternError, BerthError, goMatch, hasWildcards, invalidParameter, isErrno, notFound } from '../../common/index.ts';
import { type ContainerView, O_DIRECTORY, O_PATH, readdirat } from '../../fsroot/index.ts';

export interface SourceInfo {
  /** The resolved path in the root, links followed ('/a/b'; '/' for the root). */
  path: string;
  /** The path as written or matched, relative to the root ('.' for the root). */
  rel: string;
  /** The name it takes in a directory destination: the base name of `rel` (of the link, not its target). */
  name: string;
  isDir: boolean;
}

export interface ResolveOptions {
  cmd: 'COPY' | 'ADD';
  /** The build context (its "not found" message names .dockerignore), or another stage's / image's root. */
  isContext: boolean;
}

/** `${cmd} failed: ${msg}` (moby wraps the copier's errors so). */
export function copyFailed(cmd: string, msg: string, kind: 'invalid' | 'notfound' = 'invalid', cause?: unknown): BerthError {
  const text = `${cmd} failed: ${msg}`;
  return kind === 'notfound' ? notFound(text, cause) : invalidParameter(text, cause);
}

/** moby's TrimPrefix of one leading '/' and then of one './'. */
function trimSource(orig: string): string {
  let p = orig.startsWith('/') ? orig.slice(1) : orig;
  if (p.startsWith('./')) p = p.slice(2);
  return p;
}

/** Every local source, in order; throws moby's errors ("COPY failed: ..."). */
export function resolveLocalSources(view: ContainerView, sources: readonly string[], opts: ResolveOptions): SourceInfo[] {
  const out: SourceInfo[] = [];
  for (const orig of sources) out.push(...resolveSource(view, orig, opts));
  return out;
}

export function resolveSource(view: ContainerView, orig: string, opts: ResolveOptions): SourceInfo[] {
  const path = trimSource(orig);
  if (hasWildcards(path)) {
    let matches: string[];
    try {
      matches = expandWildcards(view, path);
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw copyFailed(opts.cmd, (err as Error).message, 'invalid', err);
    }
    return matches.map((rel) => single(view, rel, opts));
  }
  return [single(view, path, opts)];
}

/** calcCopyInfo(path, allowWildcards=false): one file or directory, links followed inside the root. */
function single(view: ContainerView, path: string, opts: ResolveOptions): SourceInfo {
  const clean = posix.normalize(path === '' ? '.' : path);
  if (clean === '..' || clean.startsWith('../')) throw copyFailed(opts.cmd, `forbidden path outside the build context: ${path} ()`);
  let resolved: { fd: number; path: string };
  try {
    resolved = view.resolve(clean, { flags: O_PATH, followFinal: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) {
      const stat = `stat ${path}: file does not exist`;
      throw copyFailed(opts.cmd, opts.isContext ? `file not found in build context or excluded by .dockerignore: ${stat}` : stat, 'notfound', err);
    }
    if (isErrno(err, 'ELOOP')) throw copyFailed(opts.cmd, `stat ${path}: too many levels of symbolic links`, 'invalid', err);
    throw err;
  }
  try {
    const st = fstatSync(resolved.fd);
    const rel = clean.replace(/\/+$/, '') || '.';
    return { path: resolved.path, rel, name: posix.basename(rel === '.' ? '/' : rel) || '.', isDir: st.isDirectory() };
  } finally {
    closeSync(resolved.fd);
  }
}

/**
 * The paths (relative to the root, in lexical order as filepath.Walk gives them) that match the
 * pattern `path`, component by component: a component without wildcards is taken as is, one with
 * wildcards is matched against the names of the directory reached so far (links followed inside the root).
 */
function expandWildcards(view: ContainerView, path: string): string[] {
  const comps = path.split('/').filter((c) => c !== '' && c !== '.');
  let current: string[] = [''];
  for (const comp of comps) {
    const next: string[] = [];
    for (const dir of current) {
      if (!hasWildcards(comp) && !comp.includes('\\')) {
        if (comp === '..') continue; // a walk never yields `..`
        next.push(dir === '' ? comp : `${dir}/${comp}`);
        continue;
      }
      for (const name of listDir(view, dir)) {
        if (matchName(comp, name)) next.push(dir === '' ? name : `${dir}/${name}`);
      }
    }
    current = next;
  }
  // Literal components were not checked: keep what exists.
  return current.filter((rel) => rel !== '' && exists(view, rel)).sort();
}

/** filepath.Match, a malformed pattern matching nothing (moby ignores Match's error). */
function matchName(pattern: string, name: string): boolean {
  try {
    return goMatch(pattern, name);
  } catch (err) {
    if (err instanceof BadPatternError) return false;
    throw err;
  }
}

function listDir(view: ContainerView, dir: string): string[] {
  let fd: number;
  try {
    fd = view.open(dir === '' ? '/' : dir, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return [];
    throw err;
  }
  try {
    return readdirat(fd, '.').sort();
  } finally {
    closeSync(fd);
  }
}

function exists(view: ContainerView, rel: string): boolean {
  try {
    closeSync(view.open(rel, { flags: O_PATH, followFinal: false }));
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR') || isErrno(err, 'ELOOP')) return false;
    throw err;
  }
}
