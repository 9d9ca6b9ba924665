// The container's cgroup: under the daemon's parent (cgroupfs) or a systemd slice and scope.
import { posix } from 'node:path';
import { DEFAULT_CGROUP_PARENT, DEFAULT_SYSTEMD_CGROUP_PARENT, SYSTEMD_SCOPE_PREFIX } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

export interface CgroupInput {
  id: string;
  /** Default /berth (cgroupfs) or system.slice (systemd). */
  parent?: string;
  driver?: 'cgroupfs' | 'systemd';
}

export function cgroupsPath(input: CgroupInput): string {
  if (input.driver === 'systemd') {
    return `${input.parent || DEFAULT_SYSTEMD_CGROUP_PARENT}:${SYSTEMD_SCOPE_PREFIX}:${input.id}`;
  }
  // Joined under / and cleaned, so "../.." cannot leave the cgroup root.
  return posix.join('/', input.parent || DEFAULT_CGROUP_PARENT, input.id);
}

export function withCgroupsPath(input: CgroupInput): SpecOpt {
  return (spec) => {
    spec.linux.cgroupsPath = cgroupsPath(input);
  };
}
