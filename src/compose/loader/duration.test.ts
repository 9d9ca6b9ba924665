// Go durations read and printed as Go prints time.Duration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalDuration, formatDuration, parseDuration } from './duration.ts';

test('parse and print like time.Duration', () => {
  const cases: [string, string][] = [
    ['90s', '1m30s'], ['1m', '1m0s'], ['1h', '1h0m0s'], ['1.5h', '1h30m0s'], ['500ms', '500ms'], ['1500ms', '1.5s'],
    ['0', '0s'], ['0s', '0s'], ['10us', '10µs'], ['2d', '48h0m0s'], ['-5s', '-5s'], ['1h2m3.5s', '1h2m3.5s'],
  ];
  for (const [input, want] of cases) assert.equal(formatDuration(parseDuration(input, 'f')), want, input);
  assert.equal(canonicalDuration(5, 'f'), 5);
});

test('bad durations', () => {
  for (const bad of ['', '10', '1x', 's', '-']) assert.throws(() => parseDuration(bad, 'services.a.stop_grace_period'), /^Error: services\.a\.stop_grace_period: time: invalid duration/);
});
