// POST /containers/{id}/update: Docker's UpdateConfig checked with Docker's messages, merged into
// the container's HostConfig as moby's Container.UpdateContainer does, saved, and applied to a
// running container through the runtime (moby daemon/update.go).
import { conflict, invalidParameter, systemError, BerthError } from '../common/index.ts';
import { API_VERSION, hasFeature } from '../api/index.ts';
import { validateHostConfig } from './host-config/index.ts';
import type { LinuxResourcesUpdate } from '../runtime/index.ts';
import { parseRestartPolicy, isNoRestart, type RestartPolicy } from './containers/restart-policy.ts';
import type { HostConfig } from './containers/record.ts';

/** The resource fields `update` changes (the rest of Resources in the body is ignored, as Docker does). */
export interface UpdateResources {
  BlkioWeight: number;
  CpuShares: number;
  NanoCpus: number;
  CpuPeriod: number;
  CpuQuota: number;
  CpusetCpus: string;
  CpusetMems: string;
  Memory: number;
  MemorySwap: number;
  MemoryReservation: number;
  /** Undefined: unchanged; 0: unlimited. */
  PidsLimit?: number;
}

export interface UpdateRequest {
  resources: UpdateResources;
  /** Only a policy with a name is applied. */
  restartPolicy?: RestartPolicy;
}

const INT_FIELDS = ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'Memory', 'MemorySwap', 'MemoryReservation',
  'KernelMemory', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'] as const;

function goType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Reads the (hostile) JSON body: types as Go's decoder would insist on, API-version quirks. */
export function parseUpdateBody(body: Record<string, unknown>, version = API_VERSION): UpdateRequest {
  for (const f of INT_FIELDS) {
    const v = body[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
      throw invalidParameter(`json: cannot unmarshal ${goType(v) === 'number' ? 'number' : goType(v)} into Go struct field UpdateConfig.${f} of type int64`);
    }
  }
  const weight = body.BlkioWeight as number | undefined;
  if (weight !== undefined && weight !== null && (weight < 0 || weight > 65535)) {
    throw invalidParameter(`json: cannot unmarshal number ${weight} into Go struct field UpdateConfig.BlkioWeight of type uint16`);
  }
  for (const f of ['CpusetCpus', 'CpusetMems'] as const) {
    const v = body[f];
    if (v !== undefined && v !== null && typeof v !== 'string') throw invalidParameter(`json: cannot unmarshal ${goType(v)} into Go struct field UpdateConfig.${f} of type string`);
  }
  if ((body.CpuRealtimePeriod ?? 0) !== 0 || (body.CpuRealtimeRuntime ?? 0) !== 0) {
    throw invalidParameter('CPU real-time period and runtime are not supported by berth');
  }
  let pids: number | undefined;
  const p = body.PidsLimit;
  // API versions before 1.40 had no PidsLimit in update: the field is dropped for them.
  if (p !== undefined && p !== null && hasFeature(version, 'updatePidsLimit')) {
    if (typeof p !== 'number' || !Number.isSafeInteger(p)) throw invalidParameter(`json: cannot unmarshal ${goType(p)} into Go struct field UpdateConfig.PidsLimit of type int64`);
    // 0 and -1 (and, historically, any negative number) mean unlimited.
    pids = p <= 0 ? 0 : p;
  }
  const num = (k: string) => (body[k] as number | undefined | null) ?? 0;
  const resources: UpdateResources = {
    BlkioWeight: num('BlkioWeight'), CpuShares: num('CpuShares'), NanoCpus: num('NanoCpus'), CpuPeriod: num('CpuPeriod'),
    CpuQuota: num('CpuQuota'), CpusetCpus: (body.CpusetCpus as string | undefined | null) ?? '', CpusetMems: (body.CpusetMems as string | undefined | null) ?? '',
    Memory: num('Memory'), MemorySwap: num('MemorySwap'), MemoryReservation: num('MemoryReservation'), PidsLimit: pids,
  };
  const rp = body.RestartPolicy;
  let restartPolicy: RestartPolicy | undefined;
  if (rp !== undefined && rp !== null) {
    const parsed = parseRestartPolicy(rp);
    if (parsed.Name !== '') restartPolicy = parsed;
  }
  return { resources, restartPolicy };
}

/** Docker's verifyContainerSettings for an update (a swap without memory is allowed here). */
export function validateUpdate(r: UpdateResources, opts: { numCpus?: number; availableCpus?: string; availableMems?: string } = {}): string[] {
  const hc: HostConfig = {
    Memory: r.Memory, MemoryReservation: r.MemoryReservation, NanoCpus: r.NanoCpus, CpuShares: r.CpuShares,
    CpuPeriod: r.CpuPeriod, CpuQuota: r.CpuQuota, CpusetCpus: r.CpusetCpus, CpusetMems: r.CpusetMems, BlkioWeight: r.BlkioWeight,
  };
  if (r.Memory !== 0) hc.MemorySwap = r.MemorySwap;
  return validateHostConfig(hc, opts);
}

/** The memory+swap limit in force: Docker stores 2x the memory when only the memory was set. */
function effectiveSwap(hc: HostConfig): number {
  const memory = (hc.Memory as number | undefined) ?? 0;
  const swap = (hc.MemorySwap as number | undefined) ?? 0;
  return memory > 0 && swap === 0 ? memory * 2 : swap;
}

/**
 * moby Container.UpdateContainer: the request's non-zero fields over the current HostConfig.
 * Returns the new HostConfig; the current one is not changed. Throws Docker's conflicts.
 */
export function mergeUpdate(current: HostConfig, req: UpdateRequest): HostConfig {
  const r = req.resources;
  const cur = (k: string) => ((current[k] as number | undefined) ?? 0);
  if (r.NanoCpus > 0 && cur('CpuPeriod') > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (r.NanoCpus > 0 && cur('CpuQuota') > 0) throw conflict('Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (r.CpuPeriod > 0 && cur('NanoCpus') > 0) throw conflict('Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (r.CpuQuota > 0 && cur('NanoCpus') > 0) throw conflict('Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');

  const next: HostConfig = { ...current };
  if (r.BlkioWeight !== 0) next.BlkioWeight = r.BlkioWeight;
  if (r.CpuShares !== 0) next.CpuShares = r.CpuShares;
  if (r.NanoCpus !== 0) next.NanoCpus = r.NanoCpus;
  if (r.CpuPeriod !== 0) next.CpuPeriod = r.CpuPeriod;
  if (r.CpuQuota !== 0) next.CpuQuota = r.CpuQuota;
  if (r.CpusetCpus !== '') next.CpusetCpus = r.CpusetCpus;
  if (r.CpusetMems !== '') next.CpusetMems = r.CpusetMems;
  if (r.Memory !== 0) {
    const swap = effectiveSwap(current);
    if (r.Memory > swap && r.MemorySwap === 0) {
      throw conflict('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    // Keep the swap limit that was in force when it was implied by the old memory limit.
    next.MemorySwap = swap;
    next.Memory = r.Memory;
  }
  if (r.MemorySwap !== 0) next.MemorySwap = r.MemorySwap;
  if (r.MemoryReservation !== 0) next.MemoryReservation = r.MemoryReservation;
  if (r.PidsLimit !== undefined) next.PidsLimit = r.PidsLimit;
  if (req.restartPolicy) {
    if (current.AutoRemove && !isNoRestart(req.restartPolicy)) {
      throw conflict('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    next.RestartPolicy = { ...req.restartPolicy };
  }
  return next;
}

/** moby toContainerdResources: only what the request sets; runc leaves the rest alone. */
export function resourcesToApply(r: UpdateResources): LinuxResourcesUpdate {
  const out: LinuxResourcesUpdate = {};
  if (r.BlkioWeight !== 0) out.blockIO = { weight: r.BlkioWeight };
  const cpu: NonNullable<LinuxResourcesUpdate['cpu']> = {};
  if (r.CpusetCpus) cpu.cpus = r.CpusetCpus;
  if (r.CpusetMems) cpu.mems = r.CpusetMems;
  if (r.CpuShares !== 0) cpu.shares = r.CpuShares;
  if (r.NanoCpus !== 0) {
    cpu.period = 100_000;
    cpu.quota = Number((BigInt(r.NanoCpus) * 100_000n) / 1_000_000_000n);
  } else {
    if (r.CpuPeriod !== 0) cpu.period = r.CpuPeriod;
    if (r.CpuQuota !== 0) cpu.quota = r.CpuQuota;
  }
  if (Object.keys(cpu).length) out.cpu = cpu;
  const memory: NonNullable<LinuxResourcesUpdate['memory']> = {};
  if (r.Memory !== 0) memory.limit = r.Memory;
  if (r.MemoryReservation !== 0) memory.reservation = r.MemoryReservation;
  if (r.MemorySwap !== 0) memory.swap = r.MemorySwap;
  if (Object.keys(memory).length) out.memory = memory;
  // The runtime spec's "unlimited" is -1; runc reads 0 as "leave as is".
  if (r.PidsLimit !== undefined) out.pids = { limit: r.PidsLimit <= 0 ? -1 : r.PidsLimit };
  return out;
}

export interface UpdateTarget {
  id: string;
  hostConfig: HostConfig;
  removing: boolean;
  /** Running or paused, and not restarting: its cgroups exist and get the new limits now. */
  live: boolean;
}

export interface UpdateDeps {
  /** Saves (atomically) and installs the new HostConfig. */
  save(hostConfig: HostConfig): Promise<void>;
  setRestartPolicy(policy: RestartPolicy): void;
  applyResources(resources: LinuxResourcesUpdate): Promise<void>;
  validateOptions?: { numCpus?: number; availableCpus?: string; availableMems?: string };
}

/** "Cannot update container <id>: <why>", keeping the kind (and so the status) of the cause. */
function cannotUpdate(id: string, err: unknown): BerthError {
  const message = `Cannot update container ${id}: ${err instanceof Error ? err.message : String(err)}`;
  return err instanceof BerthError ? new BerthError(err.kind, message, { cause: err }) : systemError(message, err);
}

/** The whole update; call it under the container's lock. */
export async function updateContainer(target: UpdateTarget, body: Record<string, unknown>, version: string, deps: UpdateDeps): Promise<{ Warnings: string[] }> {
  const req = parseUpdateBody(body, version);
  const warnings = validateUpdate(req.resources, deps.validateOptions);
  if (target.removing) throw cannotUpdate(target.id, conflict('container is marked for removal and cannot be "update"'));
  let next: HostConfig;
  try {
    next = mergeUpdate(target.hostConfig, req);
  } catch (err) {
    throw cannotUpdate(target.id, err);
  }
  // A copy: the installed HostConfig may be updated in place by save().
  const previous: HostConfig = { ...target.hostConfig };
  try {
    await deps.save(next);
  } catch (err) {
    throw cannotUpdate(target.id, err);
  }
  if (req.restartPolicy) deps.setRestartPolicy(req.restartPolicy);
  if (target.live) {
    try {
      await deps.applyResources(resourcesToApply(req.resources));
    } catch (err) {
      // The limits in force are the old ones: so is the record.
      await deps.save(previous).catch(() => {});
      if (req.restartPolicy) deps.setRestartPolicy(parseRestartPolicy(previous.RestartPolicy ?? { Name: 'no' }));
      throw cannotUpdate(target.id, systemError(err instanceof Error ? err.message : String(err), err));
    }
  }
  return { Warnings: warnings };
}
