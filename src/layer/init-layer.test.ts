import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupInitLayer } from './init-layer.ts';

async function withDirs(fn: (root: string, outside: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'init-layer-'));
  try {
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await fn(root, outside);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

test('an empty root gets the mount points, /.dockerenv and /etc/mtab', async () => {
  await withDirs(async (root) => {
    setupInitLayer(root);
    for (const f of ['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf', 'dev/console']) {
      const st = await lstat(join(root, f));
      assert.ok(st.isFile() && st.size === 0, f);
      assert.equal(st.mtimeMs % 1000, 0, `${f}: whole seconds, so vfs copies compare equal`);
    }
    for (const d of ['dev/pts', 'dev/shm', 'proc', 'sys']) assert.ok((await lstat(join(root, d))).isDirectory(), d);
    assert.equal(await readlink(join(root, 'etc/mtab')), '/proc/mounts');
  });
});

test("the image's files there are replaced by empty ones; its directories are kept with their contents", async () => {
  await withDirs(async (root) => {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/hosts'), '1.2.3.4 image');
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0');
    await mkdir(join(root, 'proc'));
    await writeFile(join(root, 'proc/keep'), 'k');
    setupInitLayer(root);
    assert.equal(await readFile(join(root, 'etc/hosts'), 'utf8'), '');
    assert.equal(await readFile(join(root, 'etc/passwd'), 'utf8'), 'root:x:0:0');
    assert.deepEqual(await readdir(join(root, 'proc')), ['keep']);
  });
});

test('symlinks in a hostile image never lead the init outside the root', async () => {
  await withDirs(async (root, outside) => {
    await symlink(outside, join(root, 'etc')); // absolute, to a host directory
    await symlink('../../outside', join(root, 'dev'));
    await symlink(join(outside, 'dockerenv'), join(root, '.dockerenv'));
    await mkdir(join(root, 'sys'));
    await symlink('/', join(root, 'proc'));
    setupInitLayer(root);
    assert.deepEqual(await readdir(outside), [], 'nothing written outside');
    assert.ok((await lstat(join(root, 'etc'))).isDirectory(), 'the link was replaced by a directory');
    assert.ok((await lstat(join(root, 'dev'))).isDirectory());
    assert.ok((await lstat(join(root, '.dockerenv'))).isFile());
    assert.ok((await lstat(join(root, 'proc'))).isDirectory());
    assert.equal(await readFile(join(root, 'etc/hosts'), 'utf8'), '');
  });
});
