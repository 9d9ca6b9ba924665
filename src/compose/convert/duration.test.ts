import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from './duration.ts';
import { apiAtLeast } from './api-version.ts';

test('Go durations to nanoseconds', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('10s'), 10e9);
  assert.equal(parseGoDuration('1m30s'), 90e9);
  assert.equal(parseGoDuration('1.5h'), 5400e9);
  assert.equal(parseGoDuration('500ms'), 500e6);
  assert.equal(parseGoDuration('2us'), 2000);
  assert.equal(parseGoDuration('3µs'), 3000);
  assert.equal(parseGoDuration('7ns'), 7);
  assert.equal(parseGoDuration('-1s'), -1e9);
  assert.equal(parseGoDuration('.5s'), 500e6);
});

test('bad durations are refused as time.ParseDuration does', () => {
  for (const bad of ['', '10', 's', '1 s', '1d', '1s5', '--1s']) assert.throws(() => parseGoDuration(bad), /time: invalid duration/, bad);
});

test('API versions compare by number', () => {
  assert.equal(apiAtLeast('1.44', '1.44'), true);
  assert.equal(apiAtLeast('1.50', '1.44'), true);
  assert.equal(apiAtLeast('1.9', '1.44'), false);
  assert.equal(apiAtLeast('1.43', '1.44'), false);
});
