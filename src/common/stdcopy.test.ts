import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Demuxer, framesSize, muxFrame, muxFramesInto } from './stdcopy.ts';

test('muxFramesInto writes what muxFrame writes, for a whole batch at once; raw copies the data alone', () => {
  const frames = [{ stream: 1 as const, data: Buffer.from('out\n') }, { stream: 2 as const, data: Buffer.from('err\n') }, { stream: 1 as const, data: Buffer.alloc(0) }];
  assert.equal(framesSize(frames), 8 * 3 + 8);
  const out = Buffer.alloc(100, 0xff);
  const n = muxFramesInto(frames, out);
  assert.equal(n, framesSize(frames));
  assert.deepEqual(out.subarray(0, n), Buffer.concat(frames.map((f) => muxFrame(f.stream, f.data))));
  assert.deepEqual(new Demuxer().push(out.subarray(0, n)).map((f) => [f.stream, f.data.toString()]), [[1, 'out\n'], [2, 'err\n'], [1, '']]);
  const raw = Buffer.alloc(framesSize(frames, true));
  assert.equal(muxFramesInto(frames, raw, true), 8);
  assert.equal(raw.toString(), 'out\nerr\n');
});
