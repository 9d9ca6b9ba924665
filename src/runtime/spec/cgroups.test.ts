import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupsPath } from './cgroups.ts';

test('cgroupfs under the parent, cleaned so it cannot climb; systemd slice:prefix:id', () => {
  assert.equal(cgroupsPath({ id: 'abc' }), '/berth/abc');
  assert.equal(cgroupsPath({ id: 'abc', parent: '../../x' }), '/x/abc');
  assert.equal(cgroupsPath({ id: 'abc', driver: 'systemd' }), 'system.slice:berth:abc');
  assert.equal(cgroupsPath({ id: 'abc', driver: 'systemd', parent: 'my.slice' }), 'my.slice:berth:abc');
});
