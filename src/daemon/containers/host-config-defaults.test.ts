import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHostConfigDefaults } from './host-config-defaults.ts';
import type { HostConfig } from './record.ts';

const v1 = { defaultRuntime: 'runc', cgroupV2: false };

test('dockerd\'s defaults for an empty HostConfig (cgroup v1 host)', () => {
  const hc: HostConfig = {};
  applyHostConfigDefaults(hc, v1);
  assert.equal(hc.Runtime, 'runc');
  assert.equal(hc.ShmSize, 64 * 1024 * 1024);
  assert.equal(hc.IpcMode, 'private');
  assert.equal(hc.CgroupnsMode, 'host');
  assert.equal(hc.OomKillDisable, false);
  assert.ok((hc.MaskedPaths as string[]).includes('/proc/kcore'));
  assert.ok((hc.ReadonlyPaths as string[]).includes('/proc/sys'));
  assert.deepEqual(hc.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(hc.SecurityOpt, undefined);
});

test('cgroup v2 hosts give containers their own cgroup namespace; given values are kept', () => {
  const hc: HostConfig = { Runtime: 'crun', ShmSize: 1024, IpcMode: 'host', CgroupnsMode: 'host', OomKillDisable: true, MaskedPaths: [], RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } };
  applyHostConfigDefaults(hc, { defaultRuntime: 'runc', cgroupV2: true });
  assert.equal(hc.Runtime, 'crun');
  assert.equal(hc.ShmSize, 1024);
  assert.equal(hc.CgroupnsMode, 'host');
  assert.equal(hc.OomKillDisable, true);
  assert.deepEqual(hc.MaskedPaths, []);
  assert.deepEqual(hc.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(hc.SecurityOpt, ['label=disable'], 'host IPC turns SELinux labelling off');
  const fresh: HostConfig = {};
  applyHostConfigDefaults(fresh, { defaultRuntime: 'runc', cgroupV2: true });
  assert.equal(fresh.CgroupnsMode, 'private');
});

test('"unlimited" PidsLimit and the CLI\'s unset MemorySwappiness become null; real values stay', () => {
  for (const [pids, want] of [[0, null], [-1, null], [-7, null], [50, 50]] as const) {
    const hc: HostConfig = { PidsLimit: pids };
    applyHostConfigDefaults(hc, v1);
    assert.equal(hc.PidsLimit, want);
  }
  const a: HostConfig = { MemorySwappiness: -1 };
  applyHostConfigDefaults(a, v1);
  assert.equal(a.MemorySwappiness, null);
  const b: HostConfig = { MemorySwappiness: 0 };
  applyHostConfigDefaults(b, v1);
  assert.equal(b.MemorySwappiness, 0);
});

test('privileged: no default masked or read-only paths, label=disable unless a label option is given', () => {
  const hc: HostConfig = { Privileged: true };
  applyHostConfigDefaults(hc, v1);
  assert.equal(hc.MaskedPaths, undefined);
  assert.equal(hc.ReadonlyPaths, undefined);
  assert.deepEqual(hc.SecurityOpt, ['label=disable']);
  const labelled: HostConfig = { Privileged: true, SecurityOpt: ['label=type:foo_t'] };
  applyHostConfigDefaults(labelled, v1);
  assert.deepEqual(labelled.SecurityOpt, ['label=type:foo_t']);
});

test('a restart policy with an empty name is stored as "no"', () => {
  const hc: HostConfig = { RestartPolicy: { Name: '', MaximumRetryCount: 4 } };
  applyHostConfigDefaults(hc, v1);
  assert.deepEqual(hc.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
});
