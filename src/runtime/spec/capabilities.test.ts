import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { normalizeCapabilities, tweakCapabilities, withCapabilities } from './capabilities.ts';
import { DEFAULT_CAPABILITIES } from '../defaults.ts';

test('Docker\'s defaults in bounding, effective and permitted; none inheritable or ambient', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withCapabilities({})]);
  assert.deepEqual(s.process.capabilities.bounding, DEFAULT_CAPABILITIES);
  assert.deepEqual(s.process.capabilities.effective, DEFAULT_CAPABILITIES);
  assert.deepEqual(s.process.capabilities.permitted, DEFAULT_CAPABILITIES);
  assert.deepEqual(s.process.capabilities.inheritable, []);
  assert.deepEqual(s.process.capabilities.ambient, []);
});

test('add, drop, ALL and privileged', () => {
  assert.deepEqual(tweakCapabilities(['CAP_CHOWN', 'CAP_KILL'], ['net_admin'], ['kill'], false), ['CAP_CHOWN', 'CAP_NET_ADMIN']);
  assert.deepEqual(tweakCapabilities(['CAP_CHOWN'], ['KILL'], ['ALL'], false), ['CAP_KILL']);
  assert.deepEqual(tweakCapabilities(['CAP_CHOWN'], ['ALL'], ['CHOWN'], false, ['CAP_CHOWN', 'CAP_KILL']), ['CAP_KILL']);
  const s = applySpecOpts(baseSpec('c', '/r'), [withCapabilities({ privileged: true, drop: ['ALL'], known: ['CAP_CHOWN'] })]);
  assert.deepEqual(s.process.capabilities.bounding, ['CAP_CHOWN']);
});

test('names: any case, with or without CAP_; unknown and unavailable refused', () => {
  assert.deepEqual(normalizeCapabilities(['sys_admin', 'CAP_KILL', 'all']), ['CAP_SYS_ADMIN', 'CAP_KILL', 'ALL']);
  assert.throws(() => normalizeCapabilities(['foo']), /unknown capability: "CAP_FOO"/);
  assert.throws(() => normalizeCapabilities(['bpf'], ['CAP_CHOWN']), /not supported by your kernel .*"CAP_BPF"/);
});
