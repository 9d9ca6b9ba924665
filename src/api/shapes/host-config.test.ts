import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHostConfigWire } from './host-config.ts';

test('every field of moby\'s HostConfig in its order, zero values for the unset, omitempty ones left out', () => {
  const out = toHostConfigWire({ Memory: 5, NetworkMode: 'default' }) as Record<string, unknown>;
  const keys = Object.keys(out);
  assert.equal(keys[0], 'Binds');
  assert.ok(keys.indexOf('ConsoleSize') < keys.indexOf('CapAdd'));
  assert.ok(keys.indexOf('Isolation') < keys.indexOf('CpuShares'));
  assert.equal(keys.at(-1), 'ReadonlyPaths');
  assert.equal(out.Memory, 5);
  assert.equal(out.Binds, null);
  assert.equal(out.CpuRealtimePeriod, 0);
  assert.equal(out.BlkioWeightDevice, null);
  assert.deepEqual(out.ConsoleSize, [0, 0]);
  assert.deepEqual(out.LogConfig, { Type: '', Config: null });
  assert.deepEqual(out.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
  for (const k of ['Annotations', 'StorageOpt', 'Tmpfs', 'Sysctls', 'Runtime', 'Mounts', 'Init', 'KernelMemory', 'KernelMemoryTCP']) assert.equal(k in out, false, k);
});

test('stored values win, including explicit nulls and empty lists; omitempty fields appear once set', () => {
  const out = toHostConfigWire({ Dns: [], CapAdd: null, Runtime: 'runc', Tmpfs: { '/run': '' }, Init: true, KernelMemory: 0, Sysctls: {} } as never) as Record<string, unknown>;
  assert.deepEqual(out.Dns, []);
  assert.equal(out.CapAdd, null);
  assert.equal(out.Runtime, 'runc');
  assert.deepEqual(out.Tmpfs, { '/run': '' });
  assert.equal(out.Init, true);
  assert.equal('KernelMemory' in out, false);
  assert.equal('Sysctls' in out, false);
});

test('fields it does not know are kept, after the known ones', () => {
  const out = toHostConfigWire({ Memory: 1, SomethingNewer: 'x' } as never) as Record<string, unknown>;
  assert.equal(Object.keys(out).at(-1), 'SomethingNewer');
});
