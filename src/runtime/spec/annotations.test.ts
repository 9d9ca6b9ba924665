import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withAnnotations } from './annotations.ts';

test('annotations are copied; none leaves the key out', () => {
  assert.deepEqual(applySpecOpts(baseSpec('c', '/r'), [withAnnotations({ 'com.example.a': '1' })]).annotations, { 'com.example.a': '1' });
  assert.equal('annotations' in applySpecOpts(baseSpec('c', '/r'), [withAnnotations({})]), false);
});
