import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile, readFile, lstat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MS, MNT_DETACH, MNT_FORCE, MNT_EXPIRE, UMOUNT_NOFOLLOW, S_IFCHR, addonConstants, lgetxattr, llistxattr, lsetxattr, mknod, mount, umount2,
} from './syscalls.linux.ts';
import { isMountPoint } from '../common/index.ts';

test('TS constants match the addon (and so <sys/mount.h>)', () => {
  const c = addonConstants();
  for (const [k, v] of Object.entries(MS)) assert.equal(c[`MS_${k}`], v, k);
  assert.deepEqual([c.MNT_FORCE, c.MNT_DETACH, c.MNT_EXPIRE, c.UMOUNT_NOFOLLOW], [MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW]);
});

test('xattrs: set, get, list, null when absent, never through a symlink', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sys-'));
  try {
    const f = join(dir, 'f');
    await writeFile(f, '');
    await symlink('f', join(dir, 'l'));
    lsetxattr(f, 'user.a', Buffer.from([1, 0, 2]));
    assert.deepEqual(lgetxattr(f, 'user.a'), Buffer.from([1, 0, 2]));
    assert.equal(lgetxattr(f, 'user.none'), null);
    assert.ok(llistxattr(f).includes('user.a'));
    assert.equal(lgetxattr(join(dir, 'l'), 'user.a'), null); // the link itself has none
    assert.throws(() => lsetxattr(join(dir, 'l'), 'user.b', Buffer.from('x')), { code: 'EPERM' });
    lsetxattr(f, 'trusted.overlay.opaque', Buffer.from('y'));
    assert.deepEqual(lgetxattr(f, 'trusted.overlay.opaque'), Buffer.from('y'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mknod makes whiteout devices; errors carry errno codes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sys-'));
  try {
    mknod(join(dir, 'wh'), S_IFCHR, 0, 0);
    const st = await lstat(join(dir, 'wh'));
    assert.ok(st.isCharacterDevice());
    assert.equal(st.rdev, 0);
    mknod(join(dir, 'null'), S_IFCHR | 0o666, 1, 3);
    assert.equal((await lstat(join(dir, 'null'))).rdev, (1 << 8) | 3);
    assert.throws(() => mknod(join(dir, 'wh'), S_IFCHR, 0, 0), (e: NodeJS.ErrnoException) =>
      e.code === 'EEXIST' && e.syscall === 'mknod' && e.errno === -17 && /file exists/.test(e.message));
    assert.throws(() => umount2(join(dir, 'nowhere')), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mount with cwd resolves relative paths there and leaves process.cwd() alone', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sys-'));
  const cwd = process.cwd();
  try {
    for (const d of ['lo', 'up', 'wk', 'mnt']) await mkdir(join(dir, d));
    await writeFile(join(dir, 'lo', 'f'), 'lower');
    mount('overlay', 'mnt', 'overlay', 0, 'lowerdir=lo,upperdir=up,workdir=wk', dir);
    try {
      assert.equal(process.cwd(), cwd);
      assert.ok(await isMountPoint(join(dir, 'mnt')));
      assert.equal(await readFile(join(dir, 'mnt', 'f'), 'utf8'), 'lower');
    } finally {
      umount2(join(dir, 'mnt'), MNT_DETACH);
    }
    assert.equal(await isMountPoint(join(dir, 'mnt')), false);
    assert.throws(() => mount('overlay', 'mnt', 'overlay', 0, 'lowerdir=lo', join(dir, 'missing')), { code: 'ENOENT' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
