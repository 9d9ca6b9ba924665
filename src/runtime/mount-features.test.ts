import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supportsRecursiveReadonly } from './mount-features.ts';

test('recursive read-only mounts from Linux 5.12', () => {
  assert.equal(supportsRecursiveReadonly('5.11.22'), false);
  assert.equal(supportsRecursiveReadonly('5.12.0-1-amd64'), true);
  assert.equal(supportsRecursiveReadonly('6.1.0'), true);
  assert.equal(supportsRecursiveReadonly('4.19.0'), false);
  assert.equal(supportsRecursiveReadonly('garbage'), false);
});
