// cgroup limits in the spec's own terms (bytes, shares, CFS quota and period, pids, blkio).
// Each option adds its section only when it sets something, in the spec's key order:
// apply withMemory, withCpu, withPids, withBlockIO in that order.
import type { SpecOpt, SpecResources } from './types.ts';

type Memory = NonNullable<SpecResources['memory']>;
type Cpu = NonNullable<SpecResources['cpu']>;
type BlockIO = NonNullable<SpecResources['blockIO']>;

const compact = <T extends object>(o: T): T | undefined => {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return Object.keys(out).length > 0 ? out : undefined;
};

export function withMemory(m: Memory): SpecOpt {
  return (spec) => {
    const memory = compact<Memory>({
      limit: m.limit, reservation: m.reservation, swap: m.swap, swappiness: m.swappiness, disableOOMKiller: m.disableOOMKiller,
    });
    if (memory) spec.linux.resources.memory = memory;
  };
}

export function withCpu(c: Cpu): SpecOpt {
  return (spec) => {
    const cpu = compact<Cpu>({ shares: c.shares, cpus: c.cpus, mems: c.mems, period: c.period, quota: c.quota });
    if (cpu) spec.linux.resources.cpu = cpu;
  };
}

/** A limit of 0 or less is no limit (-1). */
export function withPids(limit: number | undefined): SpecOpt {
  return (spec) => {
    if (limit !== undefined) spec.linux.resources.pids = { limit: limit <= 0 ? -1 : limit };
  };
}

export function withBlockIO(b: BlockIO): SpecOpt {
  return (spec) => {
    const nonEmpty = <T>(l: T[] | undefined) => (l && l.length ? l : undefined);
    const blockIO = compact<BlockIO>({
      weight: b.weight,
      weightDevice: nonEmpty(b.weightDevice),
      throttleReadBpsDevice: nonEmpty(b.throttleReadBpsDevice),
      throttleWriteBpsDevice: nonEmpty(b.throttleWriteBpsDevice),
      throttleReadIOPSDevice: nonEmpty(b.throttleReadIOPSDevice),
      throttleWriteIOPSDevice: nonEmpty(b.throttleWriteIOPSDevice),
    });
    if (blockIO) spec.linux.resources.blockIO = blockIO;
  };
}
