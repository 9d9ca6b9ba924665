import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeUpdate, parseUpdateBody, resourcesToApply, updateContainer, validateUpdate, type UpdateDeps } from './update.ts';
import type { HostConfig } from './containers/record.ts';
import type { LinuxResourcesUpdate } from '../runtime/index.ts';

const MiB = 1024 * 1024;

test('parseUpdateBody: Go decoder types, PidsLimit quirks, restart policy only with a name', () => {
  assert.throws(() => parseUpdateBody({ Memory: '64m' }), /cannot unmarshal string into Go struct field UpdateConfig.Memory of type int64/);
  assert.throws(() => parseUpdateBody({ CpusetCpus: 1 }), /UpdateConfig.CpusetCpus of type string/);
  assert.throws(() => parseUpdateBody({ BlkioWeight: 70000 }), /uint16/);
  assert.equal(parseUpdateBody({ PidsLimit: -1 }).resources.PidsLimit, 0);
  assert.equal(parseUpdateBody({ PidsLimit: 20 }).resources.PidsLimit, 20);
  assert.equal(parseUpdateBody({ PidsLimit: 20 }, '1.39').resources.PidsLimit, undefined);
  assert.equal(parseUpdateBody({ RestartPolicy: { Name: '', MaximumRetryCount: 0 } }).restartPolicy, undefined);
  assert.deepEqual(parseUpdateBody({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }).restartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.throws(() => parseUpdateBody({ RestartPolicy: { Name: 'sometimes' } }), /unknown policy 'sometimes'/);
  // KernelMemory is accepted and ignored (removed from the kernel).
  assert.deepEqual(resourcesToApply(parseUpdateBody({ KernelMemory: 50 * MiB }).resources), {});
});

test('validateUpdate: Docker create-time checks, but swap without memory is allowed', () => {
  assert.throws(() => validateUpdate(parseUpdateBody({ Memory: 1024 }).resources), /Minimum memory limit allowed is 6MB/);
  assert.throws(() => validateUpdate(parseUpdateBody({ Memory: 64 * MiB, MemorySwap: 32 * MiB }).resources), /Minimum memoryswap limit should be larger than memory limit/);
  assert.throws(() => validateUpdate(parseUpdateBody({ NanoCpus: 1e9, CpuPeriod: 100000 }).resources), /Nano CPUs and CPU Period cannot both be set/);
  assert.throws(() => validateUpdate(parseUpdateBody({ BlkioWeight: 5 }).resources), /Range of blkio weight is from 10 to 1000/);
  assert.deepEqual(validateUpdate(parseUpdateBody({ MemorySwap: 128 * MiB }).resources), []);
});

test('mergeUpdate: Docker memory/swap rule, implied swap kept, AutoRemove conflict, CPU conflicts', () => {
  const noLimit: HostConfig = { Memory: 0, MemorySwap: 0 };
  assert.throws(() => mergeUpdate(noLimit, parseUpdateBody({ Memory: 64 * MiB })), { kind: 'Conflict', message: 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time' });
  const both = mergeUpdate(noLimit, parseUpdateBody({ Memory: 64 * MiB, MemorySwap: 128 * MiB }));
  assert.equal(both.Memory, 64 * MiB);
  assert.equal(both.MemorySwap, 128 * MiB);
  // Created with -m 32m only: the swap in force is 64m, so -m 64m alone fits and 64m stays the swap.
  const implied = mergeUpdate({ Memory: 32 * MiB, MemorySwap: 0 }, parseUpdateBody({ Memory: 64 * MiB }));
  assert.deepEqual([implied.Memory, implied.MemorySwap], [64 * MiB, 64 * MiB]);
  assert.throws(() => mergeUpdate({ Memory: 32 * MiB, MemorySwap: -1 }, parseUpdateBody({ Memory: 64 * MiB })), { kind: 'Conflict' });

  assert.throws(() => mergeUpdate({ AutoRemove: true }, parseUpdateBody({ RestartPolicy: { Name: 'always' } })),
    { kind: 'Conflict', message: 'Restart policy cannot be updated because AutoRemove is enabled for the container' });
  assert.deepEqual(mergeUpdate({ AutoRemove: true }, parseUpdateBody({ RestartPolicy: { Name: 'no' } })).RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.throws(() => mergeUpdate({ CpuPeriod: 50000 }, parseUpdateBody({ NanoCpus: 1e9 })), /Nano CPUs cannot be updated as CPU Period has already been set/);
  assert.throws(() => mergeUpdate({ NanoCpus: 1e9 }, parseUpdateBody({ CpuQuota: 50000 })), /CPU Quota cannot be updated as NanoCPUs has already been set/);

  const current: HostConfig = { CpuShares: 512, Memory: 0, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } };
  const next = mergeUpdate(current, parseUpdateBody({ CpuShares: 0, PidsLimit: 50, CpusetCpus: '0' }));
  assert.equal(next.CpuShares, 512, 'zero means unchanged');
  assert.equal(next.PidsLimit, 50);
  assert.equal(next.CpusetCpus, '0');
  assert.equal(current.PidsLimit, undefined, 'the current HostConfig is not changed');
});

test('resourcesToApply: NanoCpus as a 100ms period quota, unlimited pids as -1', () => {
  assert.deepEqual(resourcesToApply(parseUpdateBody({ NanoCpus: 1.5e9, Memory: 64 * MiB, MemorySwap: -1, PidsLimit: 0, BlkioWeight: 300 }).resources), {
    blockIO: { weight: 300 }, cpu: { period: 100000, quota: 150000 }, memory: { limit: 64 * MiB, swap: -1 }, pids: { limit: -1 },
  });
  assert.deepEqual(resourcesToApply(parseUpdateBody({ CpuQuota: 20000 }).resources), { cpu: { quota: 20000 } });
});

function fakeDeps(fail?: Error) {
  const saved: HostConfig[] = [];
  const applied: LinuxResourcesUpdate[] = [];
  const policies: unknown[] = [];
  const deps: UpdateDeps = {
    save: async (hc) => void saved.push(hc),
    setRestartPolicy: (p) => void policies.push(p),
    applyResources: async (r) => {
      applied.push(r);
      if (fail) throw fail;
    },
  };
  return { deps, saved, applied, policies };
}

test('updateContainer: saves, sets the policy, applies to a live container only', async () => {
  const f = fakeDeps();
  const out = await updateContainer({ id: 'abc', hostConfig: { Memory: 0 }, removing: false, live: true },
    { Memory: 64 * MiB, MemorySwap: 128 * MiB, RestartPolicy: { Name: 'always' } }, '1.50', f.deps);
  assert.deepEqual(out, { Warnings: [] });
  assert.equal(f.saved[0].Memory, 64 * MiB);
  assert.deepEqual(f.saved[0].RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(f.policies, [{ Name: 'always', MaximumRetryCount: 0 }]);
  assert.deepEqual(f.applied, [{ memory: { limit: 64 * MiB, swap: 128 * MiB } }]);

  const stopped = fakeDeps();
  await updateContainer({ id: 'abc', hostConfig: {}, removing: false, live: false }, { CpuShares: 512 }, '1.50', stopped.deps);
  assert.equal(stopped.applied.length, 0);
  assert.equal(stopped.saved[0].CpuShares, 512);
});

test('updateContainer: Docker\'s "Cannot update container" errors and rollback', async () => {
  const f = fakeDeps();
  await assert.rejects(updateContainer({ id: 'abc', hostConfig: {}, removing: false, live: true }, { Memory: 64 * MiB }, '1.50', f.deps),
    { kind: 'Conflict', message: 'Cannot update container abc: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time' });
  assert.equal(f.saved.length, 0);
  await assert.rejects(updateContainer({ id: 'abc', hostConfig: {}, removing: false, live: true }, { Memory: 1 }, '1.50', f.deps),
    { kind: 'InvalidParameter', message: 'Minimum memory limit allowed is 6MB' });

  const failing = fakeDeps(new Error('runc said no'));
  const original: HostConfig = { CpuShares: 100, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } };
  await assert.rejects(updateContainer({ id: 'abc', hostConfig: original, removing: false, live: true }, { CpuShares: 512, RestartPolicy: { Name: 'always' } }, '1.50', failing.deps),
    { kind: 'System', message: 'Cannot update container abc: runc said no' });
  assert.equal(failing.saved.length, 2);
  assert.deepEqual(failing.saved[1], original, 'the old HostConfig is saved back');
  assert.deepEqual(failing.policies.at(-1), { Name: 'no', MaximumRetryCount: 0 });
});
