// Copy-up on real directories (root: owners are part of what is copied): what is kept, when
// nothing is copied, and a hostile rootfs whose volume path points out of it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, lchown, link, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { fsetxattr, lgetxattrAt } from '../fsroot/index.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyUp } from './copy-up.ts';

async function withDirs(fn: (rootfs: string, volume: string, base: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'berth-copyup-'));
  const rootfs = join(base, 'rootfs');
  const volume = join(base, 'volume', '_data');
  await mkdir(rootfs);
  await mkdir(volume, { recursive: true });
  try {
    await fn(rootfs, volume, base);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

test('copies the tree with owners, modes, times, symlinks, hard links, fifos and user xattrs; the top dir takes the image dir\'s owner and mode', () => withDirs(async (rootfs, volume) => {
  const data = join(rootfs, 'var', 'lib', 'data');
  await mkdir(join(data, 'sub'), { recursive: true });
  await writeFile(join(data, 'file'), 'content\n');
  await lchown(join(data, 'file'), 1000, 1001);
  await chmod(join(data, 'file'), 0o4750);
  await link(join(data, 'file'), join(data, 'sub', 'hard'));
  await symlink('../file', join(data, 'sub', 'link'));
  await lchown(join(data, 'sub', 'link'), 1002, 1002);
  execFileSync('mkfifo', [join(data, 'fifo')]);
  const fd = openSync(join(data, 'file'), 'r');
  fsetxattr(fd, 'user.origin', Buffer.from('image'));
  closeSync(fd);
  await lchown(join(data, 'sub'), 7, 8);
  await chmod(join(data, 'sub'), 0o710);
  await utimes(join(data, 'sub'), 1_000_000, 1_000_000);
  await lchown(data, 1000, 1000);
  await chmod(data, 0o750);

  assert.equal(await copyUp(rootfs, '/var/lib/data', volume), 'copied');
  const top = await lstat(volume);
  assert.deepEqual([top.uid, top.gid, top.mode & 0o7777], [1000, 1000, 0o750]);
  const file = await lstat(join(volume, 'file'));
  assert.deepEqual([file.uid, file.gid, file.mode & 0o7777, file.nlink], [1000, 1001, 0o4750, 2], 'set-id bits survive the chown');
  assert.equal(await readFile(join(volume, 'sub', 'hard'), 'utf8'), 'content\n');
  assert.equal((await lstat(join(volume, 'sub', 'hard'))).ino, file.ino, 'a hard link stays one inode');
  assert.equal(await readlink(join(volume, 'sub', 'link')), '../file');
  assert.equal((await lstat(join(volume, 'sub', 'link'))).uid, 1002);
  assert.ok((await lstat(join(volume, 'fifo'))).isFIFO());
  const sub = await lstat(join(volume, 'sub'));
  assert.deepEqual([sub.uid, sub.gid, sub.mode & 0o7777, sub.mtimeMs], [7, 8, 0o710, 1_000_000_000]);
  const dir = openSync(volume, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    assert.equal(lgetxattrAt(dir, 'file', 'user.origin')?.toString(), 'image');
  } finally {
    closeSync(dir);
  }
}));

test('nothing is copied into a volume that is not empty, nor from a missing path or a file', () => withDirs(async (rootfs, volume) => {
  await mkdir(join(rootfs, 'data'));
  await writeFile(join(rootfs, 'data', 'a'), 'a');
  await writeFile(join(volume, 'existing'), 'mine');
  assert.equal(await copyUp(rootfs, '/data', volume), 'not-empty');
  assert.deepEqual(await readdir(volume), ['existing']);
  await rm(join(volume, 'existing'));
  assert.equal(await copyUp(rootfs, '/absent', volume), 'no-source');
  assert.equal(await copyUp(rootfs, '/data/a', volume), 'no-source');
  assert.deepEqual(await readdir(volume), []);
}));

test('a hostile rootfs: the volume path as a symlink to a host path resolves inside the rootfs', () => withDirs(async (rootfs, volume, base) => {
  // On the host, next to the rootfs: a secret the container must never get.
  const hostSecret = join(base, 'host-secret');
  await mkdir(hostSecret);
  await writeFile(join(hostSecret, 'key'), 'host only');
  // /data -> <host path> (absolute), /etc/inner -> ../../.. (climbing out), both read inside the rootfs.
  await symlink(hostSecret, join(rootfs, 'data'));
  await mkdir(join(rootfs, base), { recursive: true });
  await symlink('link-target', join(rootfs, base, 'host-secret'));
  await mkdir(join(rootfs, base, 'link-target'));
  await writeFile(join(rootfs, base, 'link-target', 'inside'), 'rootfs file');
  assert.equal(await copyUp(rootfs, '/data', volume), 'copied');
  assert.deepEqual(await readdir(volume), ['inside']);
  await rm(join(volume, 'inside'));
  await mkdir(join(rootfs, 'etc'));
  await symlink('../../../../../../..', join(rootfs, 'etc', 'up'));
  assert.equal(await copyUp(rootfs, '/etc/up', volume), 'copied');
  // The rootfs's own root, not the host's /.
  assert.deepEqual((await readdir(volume)).sort(), (await readdir(rootfs)).sort());
}));

test('a symlink inside the copied tree is copied as a link, never followed to the host', () => withDirs(async (rootfs, volume) => {
  await mkdir(join(rootfs, 'data'));
  await symlink('/etc', join(rootfs, 'data', 'etc'));
  await symlink('/etc/passwd', join(rootfs, 'data', 'passwd'));
  assert.equal(await copyUp(rootfs, '/data', volume), 'copied');
  assert.ok((await lstat(join(volume, 'etc'))).isSymbolicLink());
  assert.equal(await readlink(join(volume, 'passwd')), '/etc/passwd');
  assert.deepEqual((await readdir(volume)).sort(), ['etc', 'passwd']);
}));
