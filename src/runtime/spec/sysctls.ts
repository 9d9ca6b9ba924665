// Sysctls runc writes in the container's namespaces: only namespaced ones, net.* only with a
// network namespace of the container's own.
import { invalidParameter } from '../../common/index.ts';
import { NAMESPACED_SYSCTLS, NAMESPACED_SYSCTL_PREFIXES } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

/** Throws Docker's messages for a sysctl the container may not set. */
export function validateSysctls(sysctls: Record<string, string> | null | undefined, hostNetwork: boolean): void {
  for (const [key, value] of Object.entries(sysctls ?? {})) {
    const namespaced =
      NAMESPACED_SYSCTLS.includes(key) || NAMESPACED_SYSCTL_PREFIXES.some((p) => key.startsWith(p));
    // runc writes /proc/sys/<key with . as />: a key with '/' or an empty part could climb out.
    const plain = /^[A-Za-z0-9_\-:@+]+(\.[A-Za-z0-9_\-:@+]+)*$/.test(key);
    if (!namespaced || !plain) throw invalidParameter(`sysctl '${key}' is not allowed`);
    if (typeof value !== 'string' || /[\0\n]/.test(value)) throw invalidParameter(`sysctl '${key}' has an invalid value`);
    if (hostNetwork && key.startsWith('net.')) {
      throw invalidParameter(`sysctl "${key}" not allowed in host network namespace`);
    }
  }
}

/** Adds sysctls as given (later calls win by key): check the user's with validateSysctls. */
export function withSysctls(sysctls: Readonly<Record<string, string>>): SpecOpt {
  return (spec) => {
    if (Object.keys(sysctls).length === 0) return;
    spec.linux.sysctl = { ...(spec.linux.sysctl ?? {}), ...sysctls };
  };
}
