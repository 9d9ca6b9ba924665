import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { LogConsumer, RAINBOW_CODES, WATCH_LOGGER } from './log-consumer.ts';
import { containerDisplayName, pipeContainerOutput } from './container-logs.ts';
import { LABEL } from '../labels.ts';

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString() };
}

test('prefixes are padded to the longest registered name, as compose prints them', () => {
  const out = sink();
  const err = sink();
  const c = new LogConsumer({ stdout: out.stream, stderr: err.stream, color: false, prefix: true });
  c.register('web-1');
  c.register('database-1');
  c.log('web-1', 'hello');
  c.err('database-1', 'oops');
  c.log('web-1', 'a\nb');
  assert.equal(out.text(), 'web-1       | hello\nweb-1       | a\nweb-1       | b\n');
  assert.equal(err.text(), 'database-1  | oops\n');
});

test('colours cycle through compose rainbow per container and wrap after ten', () => {
  const out = sink();
  const c = new LogConsumer({ stdout: out.stream, stderr: out.stream, color: true, prefix: true });
  const names = Array.from({ length: 11 }, (_, i) => `s${i}-1`);
  for (const n of names) c.register(n);
  for (const n of names) c.log(n, 'x');
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines[0], `\x1b[36ms0-1   | \x1b[0mx`);
  assert.equal(lines[1], `\x1b[33ms1-1   | \x1b[0mx`);
  assert.equal(lines[5], `\x1b[36;1ms5-1   | \x1b[0mx`);
  assert.equal(lines[10], `\x1b[${RAINBOW_CODES[0]}ms10-1  | \x1b[0mx`);
});

test('--no-log-prefix prints the bare line; a sub-name shares its root colour; watch gets its marker', () => {
  const out = sink();
  const bare = new LogConsumer({ stdout: out.stream, stderr: out.stream, color: true, prefix: false });
  bare.log('web-1', 'plain');
  assert.equal(out.text(), 'plain\n');
  const o2 = sink();
  const c = new LogConsumer({ stdout: o2.stream, stderr: o2.stream, color: true, prefix: true });
  c.register('web-1');
  c.log('web-1 (init)', 'x');
  c.log(WATCH_LOGGER, 'Syncing');
  const lines = o2.text().trimEnd().split('\n');
  assert.equal(lines[0], `\x1b[36mweb-1 (init)  | \x1b[0mx`);
  assert.equal(lines[1], `\x1b[92m              ⦿ \x1b[0mSyncing`);
});

test('timestamps: the print time in RFC3339NanoFixed after the prefix', () => {
  const out = sink();
  const c = new LogConsumer({ stdout: out.stream, stderr: out.stream, color: false, prefix: true, timestamps: true, now: () => new Date('2026-01-02T03:04:05.678Z') });
  c.log('a-1', 'x');
  assert.equal(out.text(), 'a-1  | 2026-01-02T03:04:05.678000000Z x\n');
});

test('pipeContainerOutput demultiplexes frames, joins split lines and flushes the last partial line', async () => {
  const out = sink();
  const err = sink();
  const c = new LogConsumer({ stdout: out.stream, stderr: err.stream, color: false, prefix: true });
  const frame = (stream: number, s: string) => {
    const data = Buffer.from(s);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(data.length, 4);
    return Buffer.concat([head, data]);
  };
  const all = Buffer.concat([frame(1, 'one\ntw'), frame(2, 'e1\n'), frame(1, 'o\nthree')]);
  // delivered in awkward pieces
  async function* chunks() {
    for (let i = 0; i < all.length; i += 5) yield all.subarray(i, i + 5);
  }
  await pipeContainerOutput(c, 'w-1', chunks(), false);
  assert.equal(out.text(), 'w-1  | one\nw-1  | two\nw-1  | three\n');
  assert.equal(err.text(), 'w-1  | e1\n');
});

test('containerDisplayName drops the project for compose names, keeps container_name', () => {
  const labels = { [LABEL.project]: 'app', [LABEL.service]: 'web' };
  assert.equal(containerDisplayName({ Names: ['/app-web-2'], Labels: labels }), 'web-2');
  assert.equal(containerDisplayName({ Names: ['/app-web-run-0123456789ab'], Labels: labels }), 'web-run-0123456789ab');
  assert.equal(containerDisplayName({ Names: ['/custom'], Labels: labels }), 'custom');
});
