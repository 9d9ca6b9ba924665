// Process rlimits (--ulimit): -1 means unlimited.
import { invalidParameter, rawJson } from '../../common/index.ts';
import { ULIMIT_NAMES } from '../defaults.ts';
import type { SpecOpt } from './types.ts';

export interface RlimitInput {
  /** As `ulimit` names it: nofile, nproc, core... */
  name: string;
  soft: number;
  hard: number;
}

/** RLIM_INFINITY as the uint64 runc reads (beyond a double's exact range, so written raw). */
const RLIM_INFINITY = rawJson('18446744073709551615');

export function withRlimits(list: readonly RlimitInput[]): SpecOpt {
  return (spec) => {
    if (list.length === 0) return;
    spec.process.rlimits = list.map((u) => {
      if (!ULIMIT_NAMES.includes(u.name)) throw invalidParameter(`invalid ulimit type: ${u.name}`);
      return {
        type: `RLIMIT_${u.name.toUpperCase()}`,
        hard: u.hard < 0 ? RLIM_INFINITY : u.hard,
        soft: u.soft < 0 ? RLIM_INFINITY : u.soft,
      };
    });
  };
}
