// A step's cache key. moby's classic cache matches a step when an image has the same parent
// and the same container config (Cmd holding the step: the RUN command with the build args it
// uses, or `#(nop) COPY file:<checksum> in /dest`, Env, Labels, WorkingDir, ...). The key is
// that, hashed, plus what the classic builder did not have and the result depends on (RUN
// --mount and --network, COPY --chmod/--exclude/--parents/--link). Secret bytes never enter it:
// a secret mount is keyed by its id and target only.
import { createHash } from 'node:crypto';
import { canonicalJson, goRunConfig, type RunConfig } from './run-config.ts';

export function cacheKey(parentImageId: string, probeConfig: RunConfig, extra?: Record<string, unknown>): string {
  const text = canonicalJson({ v: 1, parent: parentImageId, config: goRunConfig(probeConfig), extra: extra ?? {} });
  return createHash('sha256').update(text).digest('hex');
}
