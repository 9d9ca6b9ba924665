// OCI annotations: key/value metadata for the runtime and its hooks.
import type { SpecOpt } from './types.ts';

export function withAnnotations(annotations: Readonly<Record<string, string>>): SpecOpt {
  return (spec) => {
    if (Object.keys(annotations).length === 0) return;
    spec.annotations = { ...(spec.annotations ?? {}), ...annotations };
  };
}
