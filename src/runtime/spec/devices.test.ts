import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { parseDeviceCgroupRule, splitDevNumber, withDefaultDeviceRules, withDeviceCgroupRules, withDevices } from './devices.ts';

test('default rules deny all but Docker\'s list; privileged allows every device', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withDefaultDeviceRules()]);
  assert.deepEqual(s.linux.resources.devices[0], { allow: false, access: 'rwm' });
  assert.equal(s.linux.resources.devices.length, 13);
  assert.deepEqual(applySpecOpts(baseSpec('c', '/r'), [withDefaultDeviceRules(true)]).linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

test('--device: a node in the container and a rule allowing it', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withDefaultDeviceRules(), withDevices([
    { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0, access: 'rw' },
  ])]);
  assert.deepEqual(s.linux.devices, [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }]);
  assert.deepEqual(s.linux.resources.devices.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' });
  assert.throws(() => applySpecOpts(baseSpec('c', '/r'), [withDevices([{ path: 'rel', type: 'c', major: 1, minor: 3, fileMode: 0, uid: 0, gid: 0, access: 'r' }])]), /invalid device path/);
  assert.throws(() => applySpecOpts(baseSpec('c', '/r'), [withDevices([{ path: '/d', type: 'c', major: 1, minor: 3, fileMode: 0, uid: 0, gid: 0, access: 'rr' }])]), /invalid device mode: rr/);
});

test('--device-cgroup-rule: Docker\'s form, * for any number', () => {
  assert.deepEqual(parseDeviceCgroupRule('c 10:229 rwm'), { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' });
  assert.deepEqual(parseDeviceCgroupRule('a *:* m'), { allow: true, type: 'a', access: 'm' });
  for (const bad of ['x 1:1 r', 'c 1:1', 'c 1:1 rwx', 'c 1:1 rr']) assert.throws(() => parseDeviceCgroupRule(bad), /invalid device cgroup rule/, bad);
  const s = applySpecOpts(baseSpec('c', '/r'), [withDeviceCgroupRules(['b 8:* r'])]);
  assert.deepEqual(s.linux.resources.devices, [{ allow: true, type: 'b', major: 8, access: 'r' }]);
});

test('dev_t split as glibc does', () => {
  assert.deepEqual(splitDevNumber(0x803), { major: 8, minor: 3 });
  assert.deepEqual(splitDevNumber((259n << 8n) | 1n), { major: 259, minor: 1 });
});
