// The StorageDriver contract as one test suite, run against every driver (filesystem here; the
// S3 driver runs it against a local S3-compatible server): call driverSuite() from a test file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathNotFoundError, type StorageDriver } from './driver.ts';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

export function driverSuite(label: string, make: () => Promise<{ driver: StorageDriver; cleanup(): Promise<void> }>): void {
  const withDriver = (name: string, fn: (d: StorageDriver) => Promise<void>) =>
    test(`${label}: ${name}`, async () => {
      const { driver, cleanup } = await make();
      try {
        await fn(driver);
      } finally {
        await cleanup();
      }
    });

  withDriver('putContent then getContent, stat and replace', async (d) => {
    await d.putContent('/a/b/c', Buffer.from('hello'));
    assert.equal(Buffer.from(await d.getContent('/a/b/c')).toString(), 'hello');
    const st = await d.stat('/a/b/c');
    assert.equal(st.size, 5);
    assert.equal(st.isDir, false);
    await d.putContent('/a/b/c', Buffer.from('bye'));
    assert.equal(Buffer.from(await d.getContent('/a/b/c')).toString(), 'bye');
    assert.equal((await d.stat('/a/b')).isDir, true);
  });

  withDriver('missing paths throw PathNotFoundError', async (d) => {
    await assert.rejects(d.getContent('/nope'), PathNotFoundError);
    await assert.rejects(d.stat('/nope'), PathNotFoundError);
    await assert.rejects(d.list('/nope'), PathNotFoundError);
    await assert.rejects(d.reader('/nope'), PathNotFoundError);
    await assert.rejects(d.move('/nope', '/other'), PathNotFoundError);
    await assert.rejects(d.delete('/nope'), PathNotFoundError);
  });

  withDriver('list returns direct children as full paths', async (d) => {
    await d.putContent('/r/x/1', Buffer.from('1'));
    await d.putContent('/r/x/2', Buffer.from('2'));
    await d.putContent('/r/y/deep/3', Buffer.from('3'));
    assert.deepEqual((await d.list('/r')).sort(), ['/r/x', '/r/y']);
    assert.deepEqual((await d.list('/r/x')).sort(), ['/r/x/1', '/r/x/2']);
  });

  withDriver('reader streams from an offset', async (d) => {
    const data = Buffer.alloc(3 << 20);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    await d.putContent('/big', data);
    assert.deepEqual(await collect(await d.reader('/big')), data);
    assert.deepEqual(await collect(await d.reader('/big', 1234567)), data.subarray(1234567));
  });

  withDriver('writers append, resume after close, cancel and commit', async (d) => {
    const w = await d.writer('/up/data', false);
    await w.write(Buffer.from('abc'));
    assert.equal(w.size, 3);
    await w.close();
    const w2 = await d.writer('/up/data', true);
    assert.equal(w2.size, 3);
    await w2.write(Buffer.from('def'));
    await w2.commit();
    assert.equal(Buffer.from(await d.getContent('/up/data')).toString(), 'abcdef');
    const w3 = await d.writer('/up/gone', false);
    await w3.write(Buffer.from('x'));
    await w3.cancel();
    await assert.rejects(d.stat('/up/gone'), PathNotFoundError);
  });

  withDriver('move replaces the destination and refreshes modTime; delete removes subtrees', async (d) => {
    await d.putContent('/m/src', Buffer.from('new'));
    await d.putContent('/m/dst', Buffer.from('old'));
    const before = new Date(Date.now() - 1000);
    await d.move('/m/src', '/m/dst');
    assert.equal(Buffer.from(await d.getContent('/m/dst')).toString(), 'new');
    assert.ok((await d.stat('/m/dst')).modTime >= before);
    await assert.rejects(d.stat('/m/src'), PathNotFoundError);
    await d.putContent('/m/sub/a', Buffer.from('a'));
    await d.delete('/m');
    await assert.rejects(d.stat('/m/sub/a'), PathNotFoundError);
  });
}
