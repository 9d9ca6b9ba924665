// Opening paths inside a root directory (DESIGN.md decision 5): the kernel's
// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) where it has it, else the same walk in user
// space (walk-in-root.ts). Either way the answer is an fd obtained inside the root, never a
// path string to be looked up again; the *at() functions then act on it.
import { isErrno } from '../common/index.ts';
import {
  AT_FDCWD, O_DIRECTORY, O_NOFOLLOW, O_PATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, openat, openat2,
} from './syscalls.linux.ts';
import { walkInRoot } from './walk-in-root.ts';

export interface OpenInRootOptions {
  /** open(2) flags (default O_PATH). O_CLOEXEC is always added. */
  flags?: number;
  /** Mode for O_CREAT (default 0o600). */
  mode?: number;
  /** Follow a symlink in the final component (default false; a trailing `/` follows too). */
  followFinal?: boolean;
}

/** 'auto' uses openat2 until the kernel answers ENOSYS; tests force either one. */
type Impl = 'auto' | 'openat2' | 'walk';
let impl: Impl = 'auto';

/** For tests: force the user-space walk or openat2; 'auto' restores the default. */
export function setResolverImpl(next: Impl): void {
  impl = next;
}

/** Which implementation openInRoot uses now. */
export function resolverImpl(): 'openat2' | 'walk' {
  return impl === 'walk' ? 'walk' : 'openat2';
}

/** Opens a root directory (a trusted host path) as an O_PATH fd for the functions below. */
export function openRoot(path: string): number {
  return openat(AT_FDCWD, path, O_PATH | O_DIRECTORY);
}

/**
 * Opens `path` inside the root `rootFd` as if the root were `/`: `..` stops at the root,
 * absolute and relative symlinks resolve inside it, magic links are refused (openat2) or read
 * as text (walk). Returns a new fd the caller closes.
 */
export function openInRoot(rootFd: number, path: string, opts: OpenInRootOptions = {}): number {
  const flags = opts.flags ?? O_PATH;
  const mode = opts.mode ?? 0o600;
  const followFinal = opts.followFinal === true || /\/\.?$/.test(path);
  if (impl !== 'walk') {
    const rel = path.replace(/^\/+/, '') || '.';
    const how = flags | (followFinal ? 0 : O_NOFOLLOW);
    for (let attempt = 0; ; attempt++) {
      try {
        return openat2(rootFd, rel, how, mode, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      } catch (err) {
        // EAGAIN: a rename raced a `..`; the kernel asks to retry.
        if (isErrno(err, 'EAGAIN') && attempt < 16) continue;
        if (!isErrno(err, 'ENOSYS') || impl === 'openat2') throw err;
        impl = 'walk';
        break;
      }
    }
  }
  return walkInRoot(rootFd, path, { flags, mode, followFinal });
}

/**
 * mkdir -p inside the root: opens directory `path` (O_PATH), creating what is missing with
 * `mode`. Symlinks on the way are followed inside the root, so `var/run/x` with var/run -> /run
 * creates run/x; a missing symlink target is created as a directory.
 */
export function mkdirAllInRoot(rootFd: number, path: string, mode = 0o755): number {
  try {
    return openInRoot(rootFd, path, { flags: O_PATH | O_DIRECTORY, followFinal: true });
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  return walkInRoot(rootFd, path, { flags: O_PATH | O_DIRECTORY, mode: 0, followFinal: true, mkdirMode: mode });
}
