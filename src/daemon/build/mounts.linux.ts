// The mounts a build makes in the daemon's own namespace (DESIGN.md decision 6: a thin adapter
// over the native addon): a small tmpfs per secret, under the exec root, so a secret's bytes
// never touch the data root; an overlay over a context directory for `RUN --mount=type=bind,rw`,
// whose writes are thrown away with its upper directory.
import { mkdirSync, rmSync } from 'node:fs';
import { isErrno, nativeAddon } from '../../common/index.ts';

interface Addon {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null, cwd: string | null): void;
  umount2(target: string, flags: number): void;
}

const MS_NOSUID = 2;
const MS_NODEV = 4;
const MS_NOEXEC = 8;
const MNT_DETACH = 2;
const UMOUNT_NOFOLLOW = 8;

/** A tmpfs of at most `sizeBytes` at `target` (made 0700). */
export function mountTmpfs(target: string, sizeBytes: number): void {
  mkdirSync(target, { recursive: true, mode: 0o700 });
  nativeAddon<Addon>().mount('tmpfs', target, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `size=${sizeBytes},mode=700`, null);
}

/** An overlay at `target`: `lower` read-only below, writes into `upper` (with `work` beside it on one filesystem). */
export function mountOverlay(lower: string, upper: string, work: string, target: string): void {
  for (const d of [upper, work, target]) mkdirSync(d, { recursive: true, mode: 0o700 });
  nativeAddon<Addon>().mount('overlay', target, 'overlay', MS_NOSUID | MS_NODEV, `lowerdir=${lower},upperdir=${upper},workdir=${work}`, null);
}

/** Detaches a mount (lazily) and removes its directory and what else is under `removeDir`. */
export function unmountAndRemove(target: string, removeDir: string): void {
  try {
    nativeAddon<Addon>().umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW);
  } catch (err) {
    if (!isErrno(err, 'EINVAL') && !isErrno(err, 'ENOENT')) throw err;
  }
  rmSync(removeDir, { recursive: true, force: true });
}
