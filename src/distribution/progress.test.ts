import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressCounter, humanSize, message, progressBar, progressLine, update, type PullMessage } from './progress.ts';
import { pullReference } from './index.ts';

test('go-units sizes and the progress bar as dockerd renders them at 200 columns', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(3316), '3.316kB');
  assert.equal(humanSize(2806054), '2.806MB');
  assert.equal(humanSize(12_000_000), '12MB');
  assert.equal(humanSize(1_234_567_890), '1.235GB');
  assert.equal(progressBar(3316, 2806054), `[>${' '.repeat(50)}]  3.316kB/2.806MB`);
  assert.equal(progressBar(2806054, 2806054), `[${'='.repeat(50)}>]  2.806MB/2.806MB`);
  assert.equal(progressBar(1403027, 2806054), `[${'='.repeat(25)}>${' '.repeat(25)}]  1.403MB/2.806MB`);
  assert.equal(progressBar(5, 0), '      5B');
  assert.equal(progressBar(0, 0), '');
  assert.equal(progressBar(20, 10), `[${'='.repeat(50)}>]      20B`);
});

test('message shapes and field order: status, progressDetail, progress, id', () => {
  assert.deepEqual(Object.keys(update('abc', 'Pulling fs layer')), ['status', 'progressDetail', 'id']);
  assert.deepEqual(message('latest', 'Pulling from library/busybox'), { status: 'Pulling from library/busybox', id: 'latest' });
  assert.deepEqual(message('', 'Digest: sha256:x'), { status: 'Digest: sha256:x' });
  const p = progressLine('abc', 'Downloading', 10, 100);
  assert.deepEqual(Object.keys(p), ['status', 'progressDetail', 'progress', 'id']);
  assert.deepEqual(p.progressDetail, { current: 10, total: 100 });
});

test('progress readers are throttled (every 512 kB or 1 %, at most each 100 ms) and always send the last update', () => {
  const out: PullMessage[] = [];
  const c = new ProgressCounter((m) => out.push(m), 'id', 'Downloading', 1000);
  for (let i = 0; i < 100; i++) c.add(10);
  assert.ok(out.length >= 1 && out.length < 100, `throttled: ${out.length}`);
  c.finish();
  assert.deepEqual(out.at(-1)!.progressDetail, { current: 1000, total: 1000 });
  const resumed: PullMessage[] = [];
  const r = new ProgressCounter((m) => resumed.push(m), 'id', 'Downloading', 1000, 600);
  r.finish();
  assert.deepEqual(resumed[0].progressDetail, { current: 600, total: 1000 }, 'a resumed download counts from where it was');
});

test('fromImage and tag as dockerd reads them', () => {
  assert.deepEqual(pullReference('busybox', 'latest'), { domain: 'docker.io', path: 'library/busybox', tag: 'latest' });
  assert.deepEqual(pullReference('busybox:', ''), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(pullReference('localhost:5000/x', `sha256:${'a'.repeat(64)}`), { domain: 'localhost:5000', path: 'x', digest: `sha256:${'a'.repeat(64)}` });
  assert.throws(() => pullReference('scratch', 'latest'), { message: "'scratch' is a reserved name" });
  assert.throws(() => pullReference('Busybox', 'latest'), /must be lowercase/);
  assert.throws(() => pullReference('busybox', 'bad tag'), { message: 'invalid tag format' });
});
