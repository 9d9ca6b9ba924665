import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, open, rename, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339Nano } from '../common/index.ts';
import { logFiles, parseLogLine, readLogs, tailStart } from './json-file-log.ts';
import type { LogEntry, ReadLogsOptions } from './json-file-log.ts';

const BASE = 1_700_000_000_000_000_000n;
const tNs = (i: number) => BASE + BigInt(i) * 1_000_000n + 7n;

function entry(i: number, stream: 'stdout' | 'stderr' = 'stdout', text = `line-${i}\n`): string {
  return JSON.stringify({ log: text, stream, time: formatRfc3339Nano(tNs(i)) }) + '\n';
}
function entries(from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += entry(i, i % 2 ? 'stderr' : 'stdout');
  return s;
}

async function collect(path: string, opts: ReadLogsOptions): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of readLogs(path, opts)) out.push(e);
  return out;
}
const texts = (es: LogEntry[]) => es.map((e) => e.line.toString());
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => `line-${from + k}\n`);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-jsonlog-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('parseLogLine decodes entries and rejects malformed ones', () => {
  const e = parseLogLine('{"log":"\\u003ca\\u003e \\u0026\\t\\u0001\\ufffd\\n","stream":"stderr","time":"2024-05-01T10:00:00.123456789Z"}');
  assert.ok(e);
  assert.equal(e.stream, 'stderr');
  assert.deepEqual(e.line, Buffer.from('<a> &\t\u0001\ufffd\n'));
  assert.equal(e.timeNs, 1714557600123456789n);
  assert.equal(parseLogLine('{"log":"x","stream":"stdout","time":"2024-05-01T10:00:00Z"}')?.timeNs, 1714557600000000000n);
  for (const bad of [
    'not json',
    '{"log":"x","stream":"stdout"}',
    '{"log":"x","stream":"other","time":"2024-05-01T10:00:00Z"}',
    '{"log":1,"stream":"stdout","time":"2024-05-01T10:00:00Z"}',
    '{"log":"x","stream":"stdout","time":"yesterday"}',
    '[]',
    'null',
  ]) {
    assert.equal(parseLogLine(bad), undefined, bad);
  }
});

test('tail counts lines across rotated files, oldest first in output', () =>
  withDir(async (dir) => {
    const log = join(dir, 'c-json.log');
    await writeFile(`${log}.2`, entries(0, 5));
    await writeFile(`${log}.1`, entries(5, 10));
    await writeFile(log, entries(10, 15));
    assert.deepEqual(await logFiles(log, 3), [`${log}.2`, `${log}.1`, log]);
    assert.deepEqual(await logFiles(log), [`${log}.2`, `${log}.1`, log]);
    assert.deepEqual(await logFiles(log, 2), [`${log}.1`, log]);

    assert.deepEqual(texts(await collect(log, { follow: false, tail: -1, maxFile: 3 })), range(0, 15));
    assert.deepEqual(texts(await collect(log, { follow: false })), range(0, 15));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 7, maxFile: 3 })), range(8, 15));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 5 })), range(10, 15));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 6 })), range(9, 15));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 100 })), range(0, 15));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 0 })), []);
    assert.deepEqual(texts(await collect(log, { follow: false, tail: -1, maxFile: 2 })), range(5, 15));
    const es = await collect(log, { follow: false, tail: 2 });
    assert.deepEqual(es.map((e) => e.stream), ['stderr', 'stdout']); // odd lines are stderr
    assert.deepEqual(es.map((e) => e.timeNs), [tNs(13), tNs(14)]);
  }));

test('since and until filter by time; until stops reading', () =>
  withDir(async (dir) => {
    const log = join(dir, 'c-json.log');
    await writeFile(`${log}.1`, entries(0, 5));
    await writeFile(log, entries(5, 10));
    assert.deepEqual(texts(await collect(log, { follow: false, since: tNs(3) })), range(3, 10));
    assert.deepEqual(texts(await collect(log, { follow: false, since: tNs(3) + 1n })), range(4, 10));
    assert.deepEqual(texts(await collect(log, { follow: false, until: tNs(6) })), range(0, 7));
    assert.deepEqual(texts(await collect(log, { follow: false, since: tNs(2), until: tNs(7) })), range(2, 8));
    // tail applies to lines first, then since (as Docker does).
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 4, since: tNs(7) })), range(7, 10));
  }));

test('malformed lines are skipped, an unterminated last line is read', () =>
  withDir(async (dir) => {
    const log = join(dir, 'c-json.log');
    await writeFile(log, entry(0) + 'garbage\n\n{"log":"x"}\n' + entry(1) + entry(2).trimEnd());
    assert.deepEqual(texts(await collect(log, { follow: false })), range(0, 3));
    assert.deepEqual(texts(await collect(log, { follow: false, tail: 1 })), range(2, 3));
  }));

test('missing log file yields nothing', () =>
  withDir(async (dir) => {
    assert.deepEqual(await collect(join(dir, 'none.log'), { follow: false, tail: 5 }), []);
  }));

test('tail of a large file scans backwards (long lines too)', () =>
  withDir(async (dir) => {
    const log = join(dir, 'big.log');
    const fh = await open(log, 'w');
    const long = 'y'.repeat(200 * 1024) + '\n';
    let chunk = '';
    for (let i = 0; i < 60_000; i++) {
      chunk += entry(i);
      if (chunk.length > 1 << 20) {
        await fh.write(chunk);
        chunk = '';
      }
    }
    chunk += entry(60_000, 'stdout', long) + entry(60_001);
    await fh.write(chunk);
    await fh.close();
    const got = await collect(log, { follow: false, tail: 3 });
    assert.deepEqual(texts(got), ['line-59999\n', long, 'line-60001\n']);

    const fh2 = await open(log, 'r');
    const size = (await fh2.stat()).size;
    const { offset, count } = await tailStart(fh2, size, 2);
    assert.equal(count, 2);
    const head = Buffer.alloc(20);
    await fh2.read(head, 0, 20, offset);
    assert.equal(head.toString(), '{"log":"' + 'y'.repeat(12));
    assert.deepEqual(await tailStart(fh2, size, 0), { offset: size, count: 0 });
    await fh2.close();
  }));

test('follow yields new lines, survives rotation and partial writes, ends on stopWhen', () =>
  withDir(async (dir) => {
    const log = join(dir, 'c-json.log');
    await writeFile(log, entries(0, 2));
    let stopped = false;
    const got: LogEntry[] = [];
    const reading = (async () => {
      for await (const e of readLogs(log, { follow: true, tail: -1, pollMs: 50, stopWhen: () => stopped })) got.push(e);
    })();
    await until(() => got.length === 2);
    await appendFile(log, entry(2));
    await until(() => got.length === 3);
    // A line arriving in two pieces is read once, whole.
    const half = entry(3);
    await appendFile(log, half.slice(0, 10));
    await new Promise((r) => setTimeout(r, 120));
    await appendFile(log, half.slice(10) + entry(4));
    await until(() => got.length === 5);
    // Rotation: the rest of the old file, then the new one.
    await appendFile(log, entry(5));
    await rename(log, `${log}.1`);
    await writeFile(log, entry(6));
    await until(() => got.length === 7);
    await appendFile(log, entry(7));
    stopped = true; // written before the stop: must still be read
    await reading;
    assert.deepEqual(texts(got), range(0, 8));
  }));

test('follow with tail 0 gives only new lines; truncation restarts; abort ends it', () =>
  withDir(async (dir) => {
    const log = join(dir, 'c-json.log');
    await writeFile(log, entries(0, 3));
    const ac = new AbortController();
    const got: LogEntry[] = [];
    const reading = (async () => {
      for await (const e of readLogs(log, { follow: true, tail: 0, pollMs: 50, signal: ac.signal })) got.push(e);
    })();
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(log, entry(3));
    await until(() => got.length === 1);
    await truncate(log, 0); // max-file 1 rotation truncates in place
    await new Promise((r) => setTimeout(r, 150));
    await appendFile(log, entry(4));
    await until(() => got.length === 2);
    ac.abort();
    await reading;
    assert.deepEqual(texts(got), ['line-3\n', 'line-4\n']);
  }));

test('follow waits for a log file that does not exist yet; until ends it', () =>
  withDir(async (dir) => {
    const log = join(dir, 'later.log');
    const got: LogEntry[] = [];
    const stopAt = BigInt(Date.now() + 600) * 1_000_000n;
    const reading = (async () => {
      for await (const e of readLogs(log, { follow: true, pollMs: 30, until: stopAt })) got.push(e);
    })();
    await new Promise((r) => setTimeout(r, 100));
    await writeFile(log, JSON.stringify({ log: 'hi\n', stream: 'stdout', time: formatRfc3339Nano(BigInt(Date.now()) * 1_000_000n) }) + '\n');
    await until(() => got.length === 1);
    await reading; // returns on its own once `until` has passed
    assert.equal(got[0].line.toString(), 'hi\n');
  }));
