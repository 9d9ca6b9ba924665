// Paths runc hides (maskedPaths) or makes read-only (readonlyPaths) in /proc and /sys.
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

/** Docker's lists by default; `null` leaves them out (privileged); a list replaces them. */
export function withMaskedPaths(
  masked: readonly string[] | null = DEFAULT_MASKED_PATHS,
  readonly: readonly string[] | null = DEFAULT_READONLY_PATHS,
): SpecOpt {
  return (spec) => {
    if (masked) spec.linux.maskedPaths = [...masked];
    if (readonly) spec.linux.readonlyPaths = [...readonly];
  };
}
