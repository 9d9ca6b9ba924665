// HostConfig limits as the runtime's cgroup settings, with Docker's conventions: MemorySwap 0
// is twice the memory and -1 unlimited, NanoCpus a CFS quota over 100 ms, shares clamped,
// PidsLimit 0 or -1 unlimited, blkio device limits by the device's major:minor.
import { invalidParameter, isErrno, systemError } from '../../common/index.ts';
import type { ContainerSpecInput } from '../../runtime/index.ts';
import { checkDevicePath } from './validate.ts';
import type { HostConfig, ThrottleDevice, WeightDevice } from './types.ts';

/** Docker clamps CPU shares into the kernel's range. */
const MIN_CPU_SHARES = 2;
const MAX_CPU_SHARES = 262144;

export interface DeviceNumbers {
  major: number;
  minor: number;
}

/** Host device path -> major:minor; throws ENOENT when missing. */
export type StatDevice = (path: string) => DeviceNumbers;

type Resources = Pick<ContainerSpecInput, 'memory' | 'cpu' | 'pidsLimit' | 'blockIO'>;

function devices<D extends WeightDevice | ThrottleDevice>(list: readonly D[] | null | undefined, stat: StatDevice | undefined): { dev: DeviceNumbers; d: D }[] {
  const out: { dev: DeviceNumbers; d: D }[] = [];
  for (const d of list ?? []) {
    checkDevicePath(d.Path);
    if (!stat) throw systemError('no device stat function for blkio device limits');
    let dev: DeviceNumbers;
    try {
      dev = stat(d.Path);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw invalidParameter(`stat ${d.Path}: no such file or directory`, err);
      throw systemError(`stat ${d.Path}: ${(err as Error).message}`, err);
    }
    out.push({ dev, d });
  }
  return out;
}

/** `swapLimit`: whether the kernel accounts swap; when false MemorySwap is dropped. */
export function resourcesOf(hc: HostConfig, statDevice: StatDevice | undefined, swapLimit = true): Resources {
  const mem = hc.Memory ?? 0;
  let swap: number | undefined;
  if (mem > 0 && swapLimit) {
    const s = hc.MemorySwap ?? 0;
    if (s === 0) swap = mem * 2;
    else if (s > 0) swap = s;
  }
  const swappiness = hc.MemorySwappiness;
  const memory = {
    limit: mem > 0 ? mem : undefined,
    reservation: (hc.MemoryReservation ?? 0) > 0 ? hc.MemoryReservation ?? undefined : undefined,
    swap,
    swappiness: swappiness !== undefined && swappiness !== null && swappiness !== -1 ? swappiness : undefined,
    disableOOMKiller: hc.OomKillDisable ?? undefined,
  };

  const shares = hc.CpuShares ?? 0;
  const nano = hc.NanoCpus ?? 0;
  let period = nano > 0 ? 100000 : undefined;
  let quota = nano > 0 ? Number((BigInt(nano) * 100000n) / 1_000_000_000n) : undefined;
  if ((hc.CpuPeriod ?? 0) !== 0) period = hc.CpuPeriod ?? undefined;
  if ((hc.CpuQuota ?? 0) !== 0) quota = hc.CpuQuota ?? undefined;
  const cpu = {
    shares: shares > 0 ? Math.min(MAX_CPU_SHARES, Math.max(MIN_CPU_SHARES, shares)) : undefined,
    cpus: hc.CpusetCpus || undefined,
    mems: hc.CpusetMems || undefined,
    period,
    quota,
  };

  const throttle = (list: ThrottleDevice[] | null | undefined) =>
    devices(list, statDevice).map(({ dev, d }) => ({ ...dev, rate: d.Rate ?? 0 }));
  const blockIO = {
    weight: (hc.BlkioWeight ?? 0) > 0 ? hc.BlkioWeight ?? undefined : undefined,
    weightDevice: devices(hc.BlkioWeightDevice, statDevice).map(({ dev, d }) => ({ ...dev, weight: d.Weight ?? 0 })),
    throttleReadBpsDevice: throttle(hc.BlkioDeviceReadBps),
    throttleWriteBpsDevice: throttle(hc.BlkioDeviceWriteBps),
    throttleReadIOPSDevice: throttle(hc.BlkioDeviceReadIOps),
    throttleWriteIOPSDevice: throttle(hc.BlkioDeviceWriteIOps),
  };
  return { memory, cpu, pidsLimit: hc.PidsLimit ?? undefined, blockIO };
}
