import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { validateSysctls, withSysctls } from './sysctls.ts';

test('added in order, later keys win; none: no sysctl key', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withSysctls({ a: '1', b: '2' }), withSysctls({ a: '3' })]);
  assert.deepEqual(Object.entries(s.linux.sysctl!), [['a', '3'], ['b', '2']]);
  assert.equal(applySpecOpts(baseSpec('c', '/r'), [withSysctls({})]).linux.sysctl, undefined);
});

test('only namespaced sysctls; no path tricks; net.* not with the host network', () => {
  validateSysctls({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '2' }, false);
  assert.throws(() => validateSysctls({ 'kernel.pid_max': '1' }, false), /sysctl 'kernel.pid_max' is not allowed/);
  assert.throws(() => validateSysctls({ 'net./../x': '1' }, false), /is not allowed/);
  assert.throws(() => validateSysctls({ 'net.a': 'x\ny' }, false), /has an invalid value/);
  assert.throws(() => validateSysctls({ 'net.a': '1' }, true), /not allowed in host network namespace/);
});
