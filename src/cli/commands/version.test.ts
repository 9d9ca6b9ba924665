// docker version's layout helpers: Go's tabwriter alignment and time.ANSIC dates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignTabs, ansicDate } from './version.ts';

test('alignTabs pads each run of tabbed lines like docker version (minwidth 20, padding 1)', () => {
  // docker 28.2's own client section, with the tabs its template has.
  const text = 'Client:\n Version:\t28.2.2\n API version:\t1.50\n Context:\tdefault\n\nServer: berth\n Engine:\n  Version:\t0.1.0\n  A very long label here:\tx';
  assert.equal(alignTabs(text), [
    'Client:',
    ' Version:           28.2.2',
    ' API version:       1.50',
    ' Context:           default',
    '',
    'Server: berth',
    ' Engine:',
    '  Version:                0.1.0',
    '  A very long label here: x',
  ].join('\n'));
});

test('ansicDate formats RFC 3339 as Go time.ANSIC and leaves other text alone', () => {
  assert.equal(ansicDate('2025-05-30T12:07:14.000000000+00:00'), 'Fri May 30 12:07:14 2025');
  assert.equal(ansicDate('2026-11-02T03:04:05Z'), 'Mon Nov  2 03:04:05 2026');
  assert.equal(ansicDate(''), '');
  assert.equal(ansicDate('not a date'), 'not a date');
});
