// The root filesystem: read-only with --read-only, the kernel filesystems excepted.
import type { SpecOpt } from './types.ts';

/** Mounts that stay writable on a read-only rootfs (as in Docker). */
const KEEP_RW = new Set(['/proc', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev']);

/** Apply after the default mounts, before the user's: only the defaults are made read-only. */
export function withReadonlyRootfs(): SpecOpt {
  return (spec) => {
    spec.root.readonly = true;
    for (const m of spec.mounts) if (!KEEP_RW.has(m.destination) && !m.options.includes('ro')) m.options.push('ro');
  };
}
