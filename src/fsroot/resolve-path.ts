// resolveInRoot: a path string for `path` inside `root`, walked component by component as if
// `root` were `/` (what openat2(RESOLVE_IN_ROOT) does in the kernel): `..` stops at root, and
// every symlink met is read and its target resolved again inside root (absolute targets from
// root, relative ones from the link's directory). Missing components are kept as plain names.
//
// Safety boundary: this answers a string, checked in user space and used later by the caller.
// Use it only to read from roots nobody writes while we work (an image's rootfs, a stopped
// container). Anything that creates or changes files, or reads a live container's root, uses
// the fd-based openInRoot / mkdirAllInRoot (open-in-root.ts) instead.
import { lstat, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isErrno, invalidParameter } from '../common/errors.ts';
import { MAX_SYMLINK_HOPS } from './walk-in-root.ts';

export interface ResolveOptions {
  /** Follow a symlink in the last component too (default false: return the link itself). */
  followFinal?: boolean;
}

/**
 * Resolves `path` inside `root` (see above). Missing components are taken as plain names, so
 * the result may not exist yet. A symlink loop or more than 255 hops is an error (ELOOP).
 */
export async function resolveInRoot(root: string, path: string, opts: ResolveOptions = {}): Promise<string> {
  const base = resolve(root);
  // "dir/" and "dir/." name the directory itself: a trailing slash follows a final link (POSIX).
  const followFinal = opts.followFinal === true || /\/\.?$/.test(path);
  const resolved: string[] = [];
  // Components still to walk, last one at the end; a link's target is spliced in at the front.
  const pending = splitPath(path).reverse();
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (name === '.') continue;
    if (name === '..') {
      resolved.pop();
      continue;
    }
    const isFinal = pending.length === 0;
    const hostPath = join(base, ...resolved, name);
    if (isFinal && !followFinal) {
      resolved.push(name);
      break;
    }
    let isLink = false;
    try {
      isLink = (await lstat(hostPath)).isSymbolicLink();
    } catch (err) {
      // Missing (or under a non-directory): a plain name; using the result then fails normally.
      if (!isErrno(err, 'ENOENT') && !isErrno(err, 'ENOTDIR')) throw err;
    }
    if (!isLink) {
      resolved.push(name);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) {
      throw Object.assign(invalidParameter(`too many levels of symbolic links resolving ${JSON.stringify(path)} in ${root}`), { code: 'ELOOP' });
    }
    const target = await readlink(hostPath);
    if (target.startsWith('/')) resolved.length = 0;
    // The target's components are walked next; its last one is final only if this link was.
    pending.push(...splitPath(target).reverse());
  }
  return join(base, ...resolved);
}

function splitPath(p: string): string[] {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}
