import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, link, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar, type TarEntry } from '../common/index.ts';
import { fsetxattr } from '../fsroot/index.ts';
import { closeSync, openSync } from 'node:fs';
import { tarTree, type TreeTarOptions } from './index.ts';

const isRoot = process.getuid?.() === 0;

function setXattr(path: string, name: string, value: string): void {
  const fd = openSync(path, 'r');
  try {
    fsetxattr(fd, name, Buffer.from(value));
  } finally {
    closeSync(fd);
  }
}

type Got = Omit<TarEntry, 'body'> & { data: Buffer };

async function entries(root: string, path: string, opts: TreeTarOptions): Promise<Got[]> {
  const { stream } = tarTree(root, path, opts);
  const out: Got[] = [];
  for await (const e of readTar(stream)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body()) chunks.push(Buffer.from(c));
    out.push({ ...e, data: Buffer.concat(chunks) });
  }
  return out;
}

async function withTree(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tar-tree-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A root with a tree at /data: files, a setuid file, a dir with sticky bit, symlinks, hard links, a fifo. */
async function makeTree(root: string): Promise<void> {
  const d = join(root, 'data');
  await mkdir(join(d, 'sub', 'deep'), { recursive: true });
  await writeFile(join(d, 'b.txt'), 'bee');
  await writeFile(join(d, 'a.txt'), 'ay');
  await writeFile(join(d, 'sub', 'deep', 'big.bin'), Buffer.alloc(1_000_000, 7));
  await writeFile(join(d, 'suid'), '#!/bin/sh\n');
  await chmod(join(d, 'suid'), 0o4755);
  await chmod(join(d, 'sub'), 0o1777);
  await symlink('/etc/passwd', join(d, 'abs-link'));
  await symlink('../../a.txt', join(d, 'sub', 'deep', 'rel-link'));
  await link(join(d, 'a.txt'), join(d, 'sub', 'hard-a'));
  execFileSync('mkfifo', [join(d, 'fifo')]);
  await utimes(join(d, 'b.txt'), 1_600_000_000.75, 1_600_000_000.75);
}

test('a directory: top renamed, sorted walk order, modes, links, fifo, mtimes in seconds', async () => {
  await withTree(async (root) => {
    await makeTree(root);
    const got = await entries(root, '/data', { name: 'copy' });
    assert.deepEqual(got.map((e) => `${e.type} ${e.name}`), [
      'dir copy/',
      'file copy/a.txt',
      'symlink copy/abs-link',
      'file copy/b.txt',
      'fifo copy/fifo',
      'dir copy/sub/',
      'dir copy/sub/deep/',
      'file copy/sub/deep/big.bin',
      'symlink copy/sub/deep/rel-link',
      'hardlink copy/sub/hard-a',
      'file copy/suid',
    ]);
    const by = new Map(got.map((e) => [e.name, e]));
    assert.equal(by.get('copy/a.txt')!.data.toString(), 'ay');
    assert.equal(by.get('copy/sub/deep/big.bin')!.data.length, 1_000_000);
    assert.ok(by.get('copy/sub/deep/big.bin')!.data.every((b) => b === 7));
    assert.equal(by.get('copy/abs-link')!.linkname, '/etc/passwd');
    assert.equal(by.get('copy/sub/deep/rel-link')!.linkname, '../../a.txt');
    assert.equal(by.get('copy/sub/hard-a')!.linkname, 'copy/a.txt');
    assert.equal(by.get('copy/suid')!.mode & 0o7777, 0o4755);
    assert.equal(by.get('copy/sub/')!.mode & 0o7777, 0o1777);
    assert.equal(by.get('copy/b.txt')!.mtime, 1_600_000_000);
    assert.equal(by.get('copy/a.txt')!.uid, process.getuid!());
  });
});

test("an empty name leaves the top out and names the contents relative (docker export's layout)", async () => {
  await withTree(async (root) => {
    await makeTree(root);
    const got = await entries(root, '/', { name: '' });
    assert.equal(got[0].name, 'data/');
    assert.ok(got.some((e) => e.name === 'data/sub/deep/big.bin'));
    assert.ok(!got.some((e) => e.name === '' || e.name === './' || e.name === '/'));
  });
});

test('a single file or symlink is one entry under the asked name; followTop follows a top symlink only', async () => {
  await withTree(async (root) => {
    await makeTree(root);
    const file = await entries(root, 'data/b.txt', { name: 'renamed' });
    assert.deepEqual(file.map((e) => [e.type, e.name, e.data.toString()]), [['file', 'renamed', 'bee']]);
    const link = await entries(root, 'data/sub/deep/rel-link', { name: 'rel-link' });
    assert.deepEqual(link.map((e) => [e.type, e.linkname]), [['symlink', '../../a.txt']]);
    const followed = await entries(root, 'data/sub/deep/rel-link', { name: 'rel-link', followTop: true });
    assert.deepEqual(followed.map((e) => [e.type, e.name, e.data.toString()]), [['file', 'rel-link', 'ay']]);
  });
});

test('symlinks resolve inside the root: an absolute link to a dir lists the dir in the root, not the host', async () => {
  await withTree(async (root) => {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc', 'only-in-root'), 'x');
    await symlink('/etc', join(root, 'link'));
    await symlink('../../../../etc', join(root, 'climb'));
    const viaAbs = await entries(root, '/link', { name: 'etc', followTop: true });
    assert.deepEqual(viaAbs.map((e) => e.name), ['etc/', 'etc/only-in-root']);
    const viaClimb = await entries(root, '/climb/', { name: 'etc', followTop: true });
    assert.deepEqual(viaClimb.map((e) => e.name), ['etc/', 'etc/only-in-root']);
    // Not followed below the top: the link stays a link.
    const top = await entries(root, '/', { name: '' });
    assert.equal(top.find((e) => e.name === 'link')!.type, 'symlink');
  });
});

test('a missing top is ENOENT before any byte; a file top with no name is refused', async () => {
  await withTree(async (root) => {
    await writeFile(join(root, 'f'), 'x');
    assert.throws(() => tarTree(root, '/nope/x', { name: 'x' }), { code: 'ENOENT' });
    assert.throws(() => tarTree(root, '/f', { name: '' }), { code: 'ENOTDIR' });
  });
});

test('skip leaves an entry and everything below it out', async () => {
  await withTree(async (root) => {
    await makeTree(root);
    const got = await entries(root, '/data', { name: 'd', skip: (rel) => rel === 'sub' || rel === 'fifo' });
    assert.deepEqual(got.map((e) => e.name), ['d/', 'd/a.txt', 'd/abs-link', 'd/b.txt', 'd/suid']);
  });
});

test('names beyond ustar and non-ASCII names survive (PAX)', async () => {
  await withTree(async (root) => {
    const long = 'x'.repeat(150);
    await mkdir(join(root, long));
    await writeFile(join(root, long, 'файл'), 'u');
    const got = await entries(root, '/', { name: '' });
    assert.deepEqual(got.map((e) => e.name), [`${long}/`, `${long}/файл`]);
  });
});

test('backpressure: the walk waits for the reader (a 64 MiB file is not buffered)', async () => {
  await withTree(async (root) => {
    await writeFile(join(root, 'big'), Buffer.alloc(64 << 20));
    const { stream } = tarTree(root, '/big', { name: 'big' });
    await new Promise((r) => setTimeout(r, 300));
    // Unread, the stream holds about one chunk, not the file.
    assert.ok(stream.readableLength < 4 << 20, `buffered ${stream.readableLength}`);
    let n = 0;
    for await (const c of stream) n += (c as Buffer).length;
    assert.equal(n, 512 + (64 << 20) + 1024);
  });
});

test('the consumer going away stops the walk and closes its fds', async () => {
  await withTree(async (root) => {
    await writeFile(join(root, 'big'), Buffer.alloc(8 << 20));
    const { readdirSync } = await import('node:fs');
    const before = readdirSync('/proc/self/fd').length;
    const { stream } = tarTree(root, '/', { name: '' });
    stream.destroy();
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(readdirSync('/proc/self/fd').length, before);
  });
});

test('root: owners, device nodes, user xattrs kept, trusted ones left out', { skip: !isRoot }, async () => {
  await withTree(async (root) => {
    await mkdir(join(root, 'dev'));
    execFileSync('mknod', ['-m', '0620', join(root, 'dev', 'tty0'), 'c', '4', '0']);
    execFileSync('mknod', ['-m', '0660', join(root, 'dev', 'blk'), 'b', '259', '70000']);
    await writeFile(join(root, 'owned'), 'o');
    await chown(join(root, 'owned'), 1234, 5678);
    setXattr(join(root, 'owned'), 'user.note', 'hello');
    setXattr(join(root, 'owned'), 'trusted.other', 'no');
    const got = await entries(root, '/', { name: '' });
    const by = new Map(got.map((e) => [e.name, e]));
    assert.deepEqual([by.get('dev/tty0')!.type, by.get('dev/tty0')!.devmajor, by.get('dev/tty0')!.devminor, by.get('dev/tty0')!.mode & 0o777], ['char', 4, 0, 0o620]);
    assert.deepEqual([by.get('dev/blk')!.type, by.get('dev/blk')!.devmajor, by.get('dev/blk')!.devminor], ['block', 259, 70000]);
    assert.deepEqual([by.get('owned')!.uid, by.get('owned')!.gid], [1234, 5678]);
    assert.equal(Buffer.from(by.get('owned')!.xattrs['user.note']).toString(), 'hello');
    assert.equal(by.get('owned')!.xattrs['trusted.other'], undefined);
  });
});

test('root: overlay whiteouts and opaque dirs become .wh. entries', { skip: !isRoot }, async () => {
  await withTree(async (root) => {
    await mkdir(join(root, 'etc'));
    execFileSync('mknod', [join(root, 'etc', 'gone'), 'c', '0', '0']);
    await mkdir(join(root, 'opq'), { mode: 0o750 });
    setXattr(join(root, 'opq'), 'trusted.overlay.opaque', 'y');
    await writeFile(join(root, 'opq', 'new'), 'n');
    const plain = await entries(root, '/', { name: '' });
    assert.equal(plain.find((e) => e.name === 'etc/gone')!.type, 'char');
    const got = await entries(root, '/', { name: '', overlayWhiteouts: true });
    assert.deepEqual(got.map((e) => `${e.type} ${e.name}`), [
      'dir etc/', 'file etc/.wh.gone', 'dir opq/', 'file opq/.wh..wh..opq', 'file opq/new',
    ]);
    const opq = got.find((e) => e.name === 'opq/')!;
    assert.equal(opq.xattrs['trusted.overlay.opaque'], undefined);
  });
});

test('a tree round-trips through GNU tar: same bytes, links and modes', async () => {
  await withTree(async (root) => {
    await makeTree(root);
    const out = join(root, 'out');
    await mkdir(out);
    const { stream } = tarTree(root, '/data', { name: 'data' });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    execFileSync('tar', ['-x', '-p', '-C', out], { input: Buffer.concat(chunks) });
    assert.equal(await readFile(join(out, 'data', 'b.txt'), 'utf8'), 'bee');
    assert.equal(await readlink(join(out, 'data', 'abs-link')), '/etc/passwd');
    const [a, h] = await Promise.all([lstat(join(out, 'data', 'a.txt')), lstat(join(out, 'data', 'sub', 'hard-a'))]);
    assert.equal(a.ino, h.ino);
    assert.equal((await lstat(join(out, 'data', 'suid'))).mode & 0o7777, 0o4755);
    assert.ok((await lstat(join(out, 'data', 'fifo'))).isFIFO());
  });
});

test('root: oneFileSystem archives a mount point but nothing mounted on it', { skip: !isRoot }, async () => {
  await withTree(async (root) => {
    await mkdir(join(root, 'mnt'));
    await writeFile(join(root, 'own'), 'o');
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', join(root, 'mnt')]);
    try {
      await writeFile(join(root, 'mnt', 'secret'), 's');
      const all = await entries(root, '/', { name: '' });
      assert.ok(all.some((e) => e.name === 'mnt/secret'), 'without the option the walk goes on into the mount');
      const one = await entries(root, '/', { name: '', oneFileSystem: true });
      assert.deepEqual(one.map((e) => e.name), ['mnt/', 'own']);
    } finally {
      execFileSync('umount', [join(root, 'mnt')]);
    }
  });
});
