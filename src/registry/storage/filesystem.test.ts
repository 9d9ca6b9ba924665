import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemDriver, checkDriverPath } from './filesystem.ts';
import { driverSuite } from './driver.test-helpers.ts';

driverSuite('filesystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fsdriver-'));
  return { driver: new FilesystemDriver(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

test('filesystem: paths that could leave the root are refused', () => {
  for (const bad of ['', 'a', '/a/../b', '/a/./b', '/a//b', '/a/', '/a b', '/../x']) {
    assert.throws(() => checkDriverPath(bad), /invalid storage path/, bad);
  }
  checkDriverPath('/docker/registry/v2/blobs/sha256/ab/abcd/data');
});

test('filesystem: move gives the object a fresh modTime even when the source is old', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fsdriver-'));
  try {
    const d = new FilesystemDriver(dir);
    await d.putContent('/old', Buffer.from('x'));
    const past = new Date('2001-01-01T00:00:00Z');
    await utimes(join(dir, 'old'), past, past);
    await d.move('/old', '/new');
    assert.ok((await d.stat('/new')).modTime.getTime() > past.getTime() + 1000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('filesystem: temp files of an interrupted putContent are not listed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-fsdriver-'));
  try {
    const d = new FilesystemDriver(dir);
    await d.putContent('/x/a', Buffer.from('a'));
    await writeFile(join(dir, 'x', 'a.123abc.tmp'), 'partial');
    assert.deepEqual(await d.list('/x'), ['/x/a']);
    assert.equal((await readdir(join(dir, 'x'))).length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
