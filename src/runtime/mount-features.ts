// What the host's kernel lets the runtime do with mounts.
import { release } from 'node:os';
import { parseKernelVersion } from './seccomp.ts';

/**
 * Recursive mount attributes ("rro": a bind read-only with every mount below it) need
 * mount_setattr, Linux 5.12+; runc has them since 1.1 (Debian 12 ships 1.1.5), crun too.
 */
export function supportsRecursiveReadonly(kernelRelease: string = release()): boolean {
  const [major, minor] = parseKernelVersion(kernelRelease) ?? [0, 0, 0];
  return major > 5 || (major === 5 && minor >= 12);
}
