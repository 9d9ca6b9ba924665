// The UTS hostname (not set when the container shares the host's UTS namespace).
import type { SpecOpt } from './types.ts';

export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    spec.hostname = hostname;
  };
}
