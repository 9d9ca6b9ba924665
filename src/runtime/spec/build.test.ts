import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciSpec, type ContainerSpecInput } from './build.ts';

const input = (extra: Partial<ContainerSpecInput> = {}): ContainerSpecInput => ({
  id: 'c1',
  rootfs: '/rootfs',
  process: { args: ['sh'], hostname: 'c1' },
  namespaces: { network: 'new' },
  hostname: 'c1',
  ...extra,
});

test('the key order of the written JSON is fixed', () => {
  const s = buildOciSpec(input({ process: { args: ['sh'], hostname: 'c1', terminal: true, consoleSize: [1, 2] }, rlimits: [{ name: 'nofile', soft: 1, hard: 1 }] }));
  assert.deepEqual(Object.keys(s), ['ociVersion', 'process', 'root', 'mounts', 'linux', 'hostname']);
  assert.deepEqual(Object.keys(s.process), ['terminal', 'user', 'args', 'env', 'cwd', 'capabilities', 'noNewPrivileges', 'oomScoreAdj', 'consoleSize', 'rlimits']);
  assert.deepEqual(Object.keys(s.linux), ['namespaces', 'resources', 'cgroupsPath', 'devices', 'maskedPaths', 'readonlyPaths', 'sysctl']);
});

test('Docker\'s net sysctls in a netns of the container\'s own only; domainname with a private UTS', () => {
  assert.ok(buildOciSpec(input()).linux.sysctl?.['net.ipv4.ping_group_range']);
  assert.equal(buildOciSpec(input({ namespaces: { network: { path: '/p', container: true } } })).linux.sysctl, undefined);
  assert.equal(buildOciSpec(input({ domainname: 'd', namespaces: { network: 'host', hostUts: true } })).linux.sysctl, undefined);
  assert.equal(buildOciSpec(input({ domainname: 'd' })).linux.sysctl?.['kernel.domainname'], 'd');
  assert.throws(() => buildOciSpec(input({ sysctls: { 'net.x': '1' }, namespaces: { network: 'host' } })), /not allowed in host network namespace/);
});

test('privileged: no masks, no seccomp, every device; bad ids and rootfs refused', () => {
  const s = buildOciSpec(input({ privileged: true, seccomp: { profile: { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] } } }));
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.seccomp, undefined);
  assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  assert.throws(() => buildOciSpec(input({ id: '../x' })), /invalid container id/);
  assert.throws(() => buildOciSpec(input({ rootfs: 'rel' })), /rootfs must be an absolute path/);
});

test('no hostname with the host\'s UTS namespace', () => {
  assert.equal(buildOciSpec(input({ namespaces: { network: 'new', hostUts: true } })).hostname, undefined);
});
