import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContentStore } from './content-store.ts';
import { sha256Digest } from './digest.ts';

async function* chunks(data: Uint8Array, size = 7000): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-content-test-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const collect = async (it: AsyncIterable<Uint8Array>) => {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
};

test('ingest, verify and commit blobs on containerd\'s contract', () =>
  withTempDir(async (dir) => {
    const cs = new ContentStore(join(dir, 'content'));
    await cs.init();
    const data = Buffer.alloc(100_000, 7);
    const digest = sha256Digest(data);

    const w = await cs.ingest();
    for await (const c of chunks(data)) await w.write(c);
    assert.equal(w.written, data.length);
    assert.equal(w.digest(), digest);
    assert.equal(await cs.has(digest), false, 'nothing visible before commit');
    assert.equal(await w.commit(data.length, digest), digest);
    assert.equal(await cs.has(digest), true);
    assert.equal(await cs.size(digest), data.length);
    assert.deepEqual(await collect(cs.read(digest)), data);
    assert.deepEqual(await readdir(join(dir, 'content', 'ingest')), []);

    // Committing the same content again is a no-op.
    assert.equal(await cs.writeBlob(chunks(data), data.length, digest), digest);

    // Wrong digest or size: an error and no leftovers.
    const other = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(cs.writeBlob(chunks(Buffer.from('abc')), undefined, other), /unexpected commit digest sha256:[a-f0-9]{64}, expected sha256:0{64}/);
    await assert.rejects(cs.writeBlob(chunks(Buffer.from('abc')), 4), /unexpected commit size 3, expected 4/);
    assert.equal(await cs.has(other), false);
    assert.deepEqual(await readdir(join(dir, 'content', 'ingest')), []);

    const aborted = await cs.ingest();
    await aborted.write(Buffer.from('partial'));
    await aborted.abort();
    assert.deepEqual(await readdir(join(dir, 'content', 'ingest')), []);

    // Adopting a private file moves it into place.
    const file = join(dir, 'spooled');
    await writeFile(file, 'layer bytes');
    const d2 = sha256Digest('layer bytes');
    await cs.adopt(file, d2);
    assert.equal((await collect(cs.read(d2))).toString(), 'layer bytes');

    assert.deepEqual((await cs.list()).sort(), [digest, d2].sort());
    assert.equal(await cs.delete(digest), true);
    assert.equal(await cs.delete(digest), false);
    await assert.rejects(collect(cs.read(digest)), (e: Error & { kind: string }) => e.kind === 'NotFound');
    assert.throws(() => cs.blobPath('sha256:../../etc'), /invalid content digest/);

    const small = new ContentStore(join(dir, 'content'), { maxBlobSize: 10 });
    await assert.rejects(small.writeBlob(chunks(Buffer.alloc(11))), /exceeds the maximum blob size/);
  }));

test('a writer reads back what it wrote, before and after commit or abort, until closeReader', () =>
  withTempDir(async (dir) => {
    const cs = new ContentStore(join(dir, 'content'));
    await cs.init();
    const w = await cs.ingest();
    await w.write(Buffer.from('hello '));
    assert.equal(Buffer.from(await w.readAt(0, 6)).toString(), 'hello ');
    await w.write(Buffer.from('world'));
    assert.equal(Buffer.from(await w.readAt(6, 100)).toString(), 'world', 'a short read at the end');
    await w.commit(11, sha256Digest('hello world'));
    assert.equal(Buffer.from(await w.readAt(0, 5)).toString(), 'hello', 'still readable after the rename');
    await w.closeReader();
    const a = await cs.ingest();
    await a.write(Buffer.from('gone'));
    assert.equal(Buffer.from(await a.readAt(0, 4)).toString(), 'gone');
    await a.abort();
    assert.equal(Buffer.from(await a.readAt(0, 4)).toString(), 'gone', 'the open descriptor outlives the unlink');
    await a.closeReader();
    assert.deepEqual(await readdir(join(dir, 'content', 'ingest')), []);
  }));
