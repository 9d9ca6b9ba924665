// The seccomp filter: a profile in Docker's format converted for the container's capabilities.
// Run after withCapabilities: the profile's rules follow the bounding set.
import { seccompForContainer, type SeccompProfile } from '../seccomp.ts';
import type { SpecOpt } from './types.ts';

export interface SeccompInput {
  profile: SeccompProfile;
  /** Native arch and kernel release; default this host's. */
  arch?: string;
  kernelVersion?: string;
}

export function withSeccomp(input: SeccompInput): SpecOpt {
  return (spec) => {
    const seccomp = seccompForContainer(input.profile, {
      capabilities: spec.process.capabilities.bounding,
      arch: input.arch,
      kernelVersion: input.kernelVersion,
    });
    if (seccomp) spec.linux.seccomp = seccomp;
  };
}
