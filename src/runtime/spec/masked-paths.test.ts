import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withMaskedPaths } from './masked-paths.ts';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../defaults.ts';

test('Docker\'s lists by default, given lists replace them, null leaves them out', () => {
  const d = applySpecOpts(baseSpec('c', '/r'), [withMaskedPaths()]).linux;
  assert.deepEqual([d.maskedPaths, d.readonlyPaths], [DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS]);
  const given = applySpecOpts(baseSpec('c', '/r'), [withMaskedPaths(['/m'], [])]).linux;
  assert.deepEqual([given.maskedPaths, given.readonlyPaths], [['/m'], []]);
  const none = applySpecOpts(baseSpec('c', '/r'), [withMaskedPaths(null, null)]).linux;
  assert.deepEqual([none.maskedPaths, none.readonlyPaths], [undefined, undefined]);
});
