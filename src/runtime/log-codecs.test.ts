import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeLocalEntry, encodeLocalEntry, localCodec, parseLogLine, type LogEntry } from './log-codecs.ts';
import { readLogs } from './json-file-log.ts';

const T = 1_765_000_000_123_456_789n;

test('local format: a record round-trips, the newline comes back on whole lines only', () => {
  const rec = encodeLocalEntry({ stream: 'stderr', line: Buffer.from('hello'), timeNs: T });
  assert.equal(rec.readUInt32BE(0), rec.length - 8);
  assert.equal(rec.readUInt32BE(rec.length - 4), rec.length - 8);
  assert.deepEqual(decodeLocalEntry(rec.subarray(4, rec.length - 4)), { stream: 'stderr', line: Buffer.from('hello\n'), timeNs: T });
  const part = encodeLocalEntry({ stream: 'stdout', line: Buffer.from('abc'), timeNs: T, partial: { id: 'x'.repeat(64), ordinal: 1, last: false } });
  assert.equal(decodeLocalEntry(part.subarray(4, part.length - 4))?.line.toString(), 'abc');
  const last = encodeLocalEntry({ stream: 'stdout', line: Buffer.from('def'), timeNs: T, partial: { id: 'x'.repeat(64), ordinal: 2, last: true } });
  assert.equal(decodeLocalEntry(last.subarray(4, last.length - 4))?.line.toString(), 'def\n');
  // An empty line: no line field at all.
  const empty = encodeLocalEntry({ stream: 'stdout', line: Buffer.alloc(0), timeNs: T });
  assert.equal(decodeLocalEntry(empty.subarray(4, empty.length - 4))?.line.toString(), '\n');
});

test('local format: malformed messages are refused, truncated records wait', () => {
  assert.equal(decodeLocalEntry(Buffer.from([0x0a, 0x06, 0x73])), undefined); // truncated string
  assert.equal(decodeLocalEntry(Buffer.from([0x0a, 0x03, 0x66, 0x6f, 0x6f])), undefined); // source "foo"
  assert.equal(decodeLocalEntry(Buffer.from([0x0f])), undefined); // wire type 7
  const recs = Buffer.concat([1, 2, 3].map((i) => encodeLocalEntry({ stream: 'stdout', line: Buffer.from(`l${i}`), timeNs: T + BigInt(i) })));
  const out: LogEntry[] = [];
  const used = localCodec.scan(recs.subarray(0, recs.length - 3), out, false);
  assert.deepEqual(out.map((e) => e.line.toString()), ['l1\n', 'l2\n']);
  assert.equal(used, (recs.length / 3) * 2);
  assert.equal(localCodec.count(recs), 3);
  // A size beyond any record: nothing after it can be read.
  const bad = Buffer.alloc(8);
  bad.writeUInt32BE(0x7fffffff);
  assert.equal(localCodec.scan(bad, [], false), 8);
});

test('local format: the tail walks back over the trailing sizes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-local-'));
  try {
    const p = join(dir, 'container.log');
    await writeFile(p, Buffer.concat(Array.from({ length: 50 }, (_, i) => encodeLocalEntry({ stream: 'stdout', line: Buffer.from(`line-${i}`), timeNs: T + BigInt(i) }))));
    const fh = await open(p, 'r');
    const { size } = await fh.stat();
    const { offset, count } = await localCodec.tailStart(fh, size, 3);
    assert.equal(count, 3);
    const buf = Buffer.alloc(size - offset);
    await fh.read(buf, 0, buf.length, offset);
    await fh.close();
    const out: LogEntry[] = [];
    localCodec.scan(buf, out, true);
    assert.deepEqual(out.map((e) => e.line.toString()), ['line-47\n', 'line-48\n', 'line-49\n']);
    // Through the reader, across a compressed rotated file too.
    await writeFile(`${p}.1.gz`, gzipSync(Buffer.concat(Array.from({ length: 5 }, (_, i) => encodeLocalEntry({ stream: 'stderr', line: Buffer.from(`old-${i}`), timeNs: T - 10n + BigInt(i) })))));
    const all: string[] = [];
    for await (const e of readLogs(p, { format: 'local', follow: false, maxFile: 3 })) all.push(`${e.stream}:${e.line.toString().trim()}`);
    assert.equal(all.length, 55);
    assert.deepEqual(all.slice(0, 2), ['stderr:old-0', 'stderr:old-1']);
    const tail: string[] = [];
    for await (const e of readLogs(p, { format: 'local', follow: false, maxFile: 3, tail: 52 })) tail.push(e.line.toString().trim());
    assert.deepEqual(tail.slice(0, 3), ['old-3', 'old-4', 'line-0']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('json-file lines: the fast path and the general parser agree', () => {
  const lines = [
    '{"log":"plain\\n","stream":"stdout","time":"2025-12-06T05:46:40.123456789Z"}',
    '{"log":"no newline","stream":"stderr","time":"2025-12-06T05:46:40Z"}',
    '{"log":"esc \\"q\\" \\u003c\\n","stream":"stdout","time":"2025-12-06T05:46:40.1Z"}',
    '{"log":"a\\n","stream":"stdout","attrs":{"k":"v"},"time":"2025-12-06T05:46:40.5Z"}',
    '{"log":"tz\\n","stream":"stdout","time":"2025-12-06T06:46:40.5+01:00"}',
  ];
  const es = lines.map((l) => parseLogLine(l));
  assert.deepEqual(es.map((e) => e?.line.toString()), ['plain\n', 'no newline', 'esc "q" <\n', 'a\n', 'tz\n']);
  assert.deepEqual(es.map((e) => e?.stream), ['stdout', 'stderr', 'stdout', 'stdout', 'stdout']);
  assert.equal(es[0]?.timeNs, BigInt(Date.parse('2025-12-06T05:46:40Z')) * 1_000_000n + 123_456_789n);
  assert.equal(es[1]?.timeNs, BigInt(Date.parse('2025-12-06T05:46:40Z')) * 1_000_000n);
  assert.equal(es[2]?.timeNs, BigInt(Date.parse('2025-12-06T05:46:40Z')) * 1_000_000n + 100_000_000n);
  assert.equal(es[4]?.timeNs, es[3]?.timeNs);
  assert.deepEqual(es[3]?.attrs, { k: 'v' });
  assert.equal(parseLogLine('{"log":"x","stream":"stdin","time":"2025-12-06T05:46:40Z"}'), undefined);
  assert.equal(parseLogLine('{"log":"x","stream":"stdout","time":"yesterday"}'), undefined);
});
