import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { displayJsonMessages, formatG, humanSizePrecision, JsonMessageError, progressString } from './index.ts';

async function render(lines: object[], isTerminal: boolean, width = 200): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c) => chunks.push(c));
  await displayJsonMessages(Readable.from(lines.map((l) => JSON.stringify(l) + '\n')), out, { isTerminal, width, now: () => 0 });
  return Buffer.concat(chunks).toString();
}

test("formatG follows Go's %g", () => {
  assert.equal(formatG(1.982464, 4), '1.982');
  assert.equal(formatG(1.5, 3), '1.5');
  assert.equal(formatG(999.95, 3), '1e+03');
  assert.equal(formatG(999.94, 4), '999.9');
  assert.equal(formatG(999.96, 4), '1000');
  assert.equal(formatG(12, 4), '12');
  assert.equal(formatG(100, 3), '100');
});

test('humanSizePrecision uses decimal units', () => {
  assert.equal(humanSizePrecision(0, 4), '0B');
  assert.equal(humanSizePrecision(1982464, 4), '1.982MB');
  assert.equal(humanSizePrecision(1982464, 3), '1.98MB');
  assert.equal(humanSizePrecision(4100, 4), '4.1kB');
});

test('progress bar as docker draws it', () => {
  assert.equal(progressString({ current: 0, total: 0 }), '');
  assert.equal(progressString({ current: 1000, total: 4000 }), `[============>${' '.repeat(38)}]      1kB/4kB`);
  assert.equal(progressString({ current: 1000, total: 4000 }, 80), '     1kB/4kB');
  assert.equal(progressString({ current: 5000, total: 4000 }, 80), '     5kB');
  assert.equal(progressString({ current: 3, total: 10, units: 'files' }, 80), '3/10 files');
  assert.equal(progressString({ current: 2048 }, 80), ' 2.048kB');
});

test('plain lines off a terminal: progress dropped, statuses and streams kept', async () => {
  const text = await render([
    { status: 'Loading layer', progressDetail: { current: 10, total: 100 }, id: 'abc' },
    { stream: 'Loaded image: busybox:latest\n' },
    { status: 'Done' },
  ], false);
  assert.equal(text, 'Loaded image: busybox:latest\nDone\n');
});

test('on a terminal each id owns a line rewritten in place', async () => {
  const text = await render([
    { status: 'Loading layer', progressDetail: { current: 500, total: 1000 }, id: 'aaa' },
    { status: 'Loading layer', progressDetail: { current: 500, total: 1000 }, id: 'bbb' },
    { status: 'Loading layer', progressDetail: { current: 1000, total: 1000 }, id: 'aaa' },
  ], true, 80);
  assert.equal(text,
    '\n\x1b[1A\x1b[2K\raaa: Loading layer     500B/1kB\r\x1b[1B' +
    '\n\x1b[1A\x1b[2K\rbbb: Loading layer     500B/1kB\r\x1b[1B' +
    '\x1b[2A\x1b[2K\raaa: Loading layer      1kB/1kB\r\x1b[2B');
});

test('an error in the stream rejects with its message', async () => {
  await assert.rejects(render([{ status: 'x' }, { errorDetail: { message: 'bad tar' }, error: 'bad tar' }], false),
    (err: unknown) => err instanceof JsonMessageError && err.message === 'bad tar');
});
