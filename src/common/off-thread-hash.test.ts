import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { OffThreadSha256 } from './off-thread-hash.ts';

const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

test('OffThreadSha256 matches SHA-256 across batch boundaries, empty input and concurrent hashes', async () => {
  const data = randomBytes(3 * (1 << 20) + 12345);
  const sizes = [1, 1000, 1 << 20, (1 << 20) - 1, 300_000, 7];
  const a = new OffThreadSha256();
  const b = new OffThreadSha256();
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length], data.length - off);
    a.update(data.subarray(off, off + n));
    off += n;
  }
  b.update(data.subarray(0, 10));
  const empty = new OffThreadSha256();
  assert.deepEqual(await Promise.all([a.digest(), b.digest(), empty.digest()]), [sha(data), sha(data.subarray(0, 10)), sha(new Uint8Array(0))]);
});

test('OffThreadSha256: a closed hash refuses updates and digests; closing twice is harmless', async () => {
  const h = new OffThreadSha256();
  h.update(Buffer.from('abc'));
  h.close();
  h.close();
  assert.throws(() => h.update(Buffer.from('x')), /closed/);
  await assert.rejects(h.digest(), /closed/);
  const d = new OffThreadSha256();
  d.update(Buffer.from('abc'));
  assert.equal(await d.digest(), sha(Buffer.from('abc')));
  await assert.rejects(d.digest(), /closed/);
});
