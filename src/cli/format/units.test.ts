// go-units' own expectations for sizes and durations, and moby's State.String() shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binarySize, humanSize, timeAgo } from './index.ts';
import { humanDurationMs as humanDuration } from './units.ts';

test('humanSize: 3 significant digits, decimal units, Go %g quirks', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(1024), '1.02kB');
  assert.equal(humanSize(1982405), '1.98MB');
  assert.equal(humanSize(999_500), '1e+03kB'); // %.3g of 999.5, exactly as docker prints it
  assert.equal(humanSize(4_100), '4.1kB');
  assert.equal(humanSize(1_125), '1.12kB'); // Go rounds the tie 1.125 to even
  assert.equal(humanSize(1_000_000_000), '1GB');
  assert.equal(humanSize(1.5e12), '1.5TB');
  assert.equal(humanSize(1e27), '1e+03YB'); // no unit above YB, so %.3g of 1000
});

test('binarySize: 4 significant digits, binary units', () => {
  assert.equal(binarySize(0), '0B');
  assert.equal(binarySize(1024), '1KiB');
  assert.equal(binarySize(1536 * 1024), '1.5MiB');
  assert.equal(binarySize(1024 * 1024 * 1024 - 1), '1024MiB');
  assert.equal(binarySize(5 * 1024 ** 4), '5TiB');
  assert.equal(binarySize(123456789), '117.7MiB');
});

// Go's integer division below hours, as the docker 28.2 CLI shows (a 56.9-year-old image is "56 years ago").
test("humanDuration: go-units' table", () => {
  const s = 1000;
  const min = 60 * s;
  const h = 60 * min;
  const day = 24 * h;
  const week = 7 * day;
  const month = 30 * day;
  const year = 365 * day;
  const cases: [number, string][] = [
    [450, 'Less than a second'], [s, '1 second'], [45 * s, '45 seconds'], [59 * s, '59 seconds'], [60 * s, 'About a minute'],
    [3 * min, '3 minutes'], [35 * min + 40 * s, '35 minutes'], [59 * min, '59 minutes'], [h, 'About an hour'],
    [h + 29 * min, 'About an hour'], [h + 31 * min, '2 hours'], [3 * h + 29 * min, '3 hours'], [3 * h + 31 * min, '4 hours'],
    [24 * h, '24 hours'], [day + 12 * h, '36 hours'], [2 * day, '2 days'], [7 * day, '7 days'], [13 * day + 5 * h, '13 days'],
    [2 * day + 17 * h, '2 days'], [13 * day + 12 * h, '13 days'], [2 * week, '2 weeks'], [2 * week + 4 * day, '2 weeks'],
    [3 * week + 6 * day, '3 weeks'], [month, '4 weeks'], [8 * week + 3 * day, '8 weeks'], [month + 2 * week, '6 weeks'],
    [2 * month, '2 months'], [3 * month + 20 * day, '3 months'], [23 * month, '23 months'], [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'], [3 * year + 2 * month, '3 years'], [3 * year + 8 * month, '3 years'], [56 * year + 330 * day, '56 years'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('timeAgo takes RFC 3339 strings and epoch seconds', () => {
  const now = Date.parse('2026-11-22T13:00:00Z');
  assert.equal(timeAgo('2026-11-22T12:57:00.123456789Z', now), '2 minutes ago');
  assert.equal(timeAgo(now / 1000 - 3 * 86400, now), '3 days ago');
  assert.equal(timeAgo('2026-11-22T13:00:00Z', now), 'Less than a second ago');
});
