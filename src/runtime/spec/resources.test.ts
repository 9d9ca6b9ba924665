import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withBlockIO, withCpu, withMemory, withPids } from './resources.ts';

test('each section only when it sets something, in the spec\'s key order', () => {
  const empty = applySpecOpts(baseSpec('c', '/r'), [withMemory({}), withCpu({}), withPids(undefined), withBlockIO({ weightDevice: [] })]);
  assert.deepEqual(Object.keys(empty.linux.resources), ['devices']);
  const s = applySpecOpts(baseSpec('c', '/r'), [
    withMemory({ swap: 2, limit: 1, disableOOMKiller: false }),
    withCpu({ quota: 5, period: 10, shares: 2 }),
    withPids(0),
    withBlockIO({ weight: 10 }),
  ]);
  assert.equal(JSON.stringify(s.linux.resources), JSON.stringify({
    devices: [],
    memory: { limit: 1, swap: 2, disableOOMKiller: false },
    cpu: { shares: 2, period: 10, quota: 5 },
    pids: { limit: -1 },
    blockIO: { weight: 10 },
  }));
});
