import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWarnings } from './warnings.ts';

test('Docker\'s OOM warning without a memory limit', () => {
  assert.match(createWarnings({ OomKillDisable: true }, {})[0]!, /^OOM killer is disabled for the container, but no memory limit is set/);
  assert.deepEqual(createWarnings({ OomKillDisable: true, Memory: 1 << 30 }, {}), []);
});

test('anonymous volumes are real volumes now: no warning', () => {
  assert.deepEqual(createWarnings({}, { Volumes: { '/b': {}, '/a': {} } }), []);
});
