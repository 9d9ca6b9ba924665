// Privileged containers get a writable /sys; privileged and writable-cgroups a writable cgroupfs.
import type { SpecOpt } from './types.ts';

const dropRo = (options: string[]) => options.filter((o) => o !== 'ro');

export function withWritableSysfs(): SpecOpt {
  return (spec) => {
    for (const m of spec.mounts) if (m.destination === '/sys') m.options = dropRo(m.options);
  };
}

export function withWritableCgroups(): SpecOpt {
  return (spec) => {
    for (const m of spec.mounts) if (m.type === 'cgroup') m.options = dropRo(m.options);
  };
}
