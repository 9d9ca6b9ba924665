import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdleTrim, type TrimHooks } from './idle-trim.ts';

const MB = 1 << 20;

/** A fake process: RSS set by the test, a trim brings it down to `settlesAt`. */
function fakeProcess(start: number) {
  const p = { rss: start, busy: 0, settlesAt: start, trims: 0 };
  const hooks: TrimHooks = {
    residentBytes: () => p.rss,
    busySinceLastCheck: () => p.busy,
    collectGarbage: () => true,
    mallocTrim: () => {
      p.trims++;
      p.rss = p.settlesAt;
      return true;
    },
  };
  return { p, trim: new IdleTrim(hooks, { growthBytes: 24 * MB, idleBelow: 0.05 }) };
}

test('trims once when idle after a burst grew the RSS, never while busy', () => {
  const { p, trim } = fakeProcess(70 * MB);
  p.rss = 600 * MB;
  p.busy = 0.9;
  assert.equal(trim.check(), false, 'busy: no trim');
  p.busy = 0.01;
  assert.equal(trim.check(), true);
  assert.equal(p.rss, 70 * MB);
  assert.equal(trim.check(), false, 'nothing to give back');
  assert.equal(p.trims, 1);
});

test('small growth and steady live memory do not make it trim again and again', () => {
  const { p, trim } = fakeProcess(70 * MB);
  p.rss = 80 * MB;
  assert.equal(trim.check(), false, 'under the threshold');
  // Live data: a trim cannot bring it below 110 MB.
  p.rss = 110 * MB;
  p.settlesAt = 108 * MB;
  assert.equal(trim.check(), true);
  for (let i = 0; i < 5; i++) assert.equal(trim.check(), false);
  assert.equal(p.trims, 1);
});

test('a trim in the middle of a slow burst is followed by one after it', () => {
  const { p, trim } = fakeProcess(70 * MB);
  p.rss = 1000 * MB;
  p.settlesAt = 990 * MB; // the burst's data is still live
  assert.equal(trim.check(), true);
  // The burst ends; V8 gave some back by itself but the garbage stays.
  p.rss = 540 * MB;
  p.settlesAt = 75 * MB;
  assert.equal(trim.check(), true);
  assert.equal(p.rss, 75 * MB);
  assert.equal(p.trims, 2);
});

test('with trimAfterStart it trims once at the first idle check, then only after growth', () => {
  const p = { rss: 80 * MB, busy: 0.5, trims: 0, released: 0 };
  const trim = new IdleTrim({
    residentBytes: () => p.rss,
    busySinceLastCheck: () => p.busy,
    collectGarbage: () => true,
    mallocTrim: () => {
      p.trims++;
      p.rss = 70 * MB;
      return true;
    },
    releaseStartupPages: () => {
      p.released++;
      return 1;
    },
  }, { growthBytes: 4 * MB, idleBelow: 0.05, trimAfterStart: true });
  assert.equal(trim.check(), false, 'busy: not yet');
  p.busy = 0;
  assert.equal(trim.check(), true, 'the first idle check trims');
  assert.equal(trim.check(), false);
  p.rss = 72 * MB;
  assert.equal(trim.check(), false, 'under the threshold');
  p.rss = 75 * MB;
  assert.equal(trim.check(), true, 'growth of 4 MB or more');
  assert.equal(p.trims, 2);
  assert.equal(p.released, 1, 'start-up pages are given back once, with the first trim only');
});
