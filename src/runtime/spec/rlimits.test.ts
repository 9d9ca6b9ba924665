import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withRlimits } from './rlimits.ts';

test('names become RLIMIT_*, -1 is RLIM_INFINITY written as an exact uint64', () => {
  const s = applySpecOpts(baseSpec('c', '/r'), [withRlimits([{ name: 'nofile', soft: 10, hard: -1 }])]);
  assert.equal(JSON.stringify(s.process.rlimits), '[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":10}]');
});

test('none: no rlimits key; an unknown name is refused', () => {
  assert.equal(applySpecOpts(baseSpec('c', '/r'), [withRlimits([])]).process.rlimits, undefined);
  assert.throws(() => applySpecOpts(baseSpec('c', '/r'), [withRlimits([{ name: 'bogus', soft: 1, hard: 1 }])]), /invalid ulimit type: bogus/);
});
