import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, readdir, rm, lstat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TarWriter, readTar, computeChecksum } from '../common/index.ts';
import { applyLayer, cleanLayerPath } from './apply-layer.ts';
import { lgetxattr } from './syscalls.linux.ts';
import { setResolverImpl } from '../fsroot/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-apply-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tar(build: (w: TarWriter) => Promise<void>): Promise<AsyncIterable<Uint8Array>> {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const done = (async () => { for await (const c of w.readable) chunks.push(c as Buffer); })();
  await build(w);
  await w.finish();
  await done;
  const b = Buffer.concat(chunks);
  return (async function* () { yield b; })();
}

const apply = async (src: AsyncIterable<Uint8Array>, whiteouts: 'overlay' | 'delete' = 'overlay', maxEntries?: number) =>
  applyLayer(readTar(src), dir, { whiteouts, maxEntries });

test('cleanLayerPath', () => {
  assert.equal(cleanLayerPath('./a//b/'), 'a/b');
  assert.equal(cleanLayerPath('a/../b'), 'b');
  assert.equal(cleanLayerPath('./'), '');
  assert.equal(cleanLayerPath('/bin/sh', 'strip'), 'bin/sh');
  assert.throws(() => cleanLayerPath('a/../../b'), /path escapes the layer/);
  assert.throws(() => cleanLayerPath('..'), /path escapes the layer/);
  assert.throws(() => cleanLayerPath('/etc/passwd'), /absolute path/);
});

test('the root entry sets the layer root metadata; capabilities are kept', async () => {
  const r = await apply(await tar(async (w) => {
    await w.addDir({ name: './', mode: 0o711, uid: 5, gid: 6, mtime: 1_000 });
    await w.addFile({ name: './ping', size: 1, mode: 0o755, xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'security.selinux': Buffer.from('x') } }, Buffer.from('p'));
  }));
  assert.deepEqual(r, { size: 1, entries: 2 });
  const st = await lstat(dir);
  assert.deepEqual([st.mode & 0o7777, st.uid, st.gid, st.mtimeMs], [0o711, 5, 6, 1_000_000]);
  assert.ok(lgetxattr(join(dir, 'ping'), 'security.capability'));
  assert.equal(lgetxattr(join(dir, 'ping'), 'security.selinux'), null);
});

test('a file under a file is an invalid-parameter error', async () => {
  await assert.rejects(apply(await tar(async (w) => {
    await w.addFile({ name: 'a', size: 0 }, Buffer.alloc(0));
    await w.addFile({ name: 'a/b', size: 0 }, Buffer.alloc(0));
  })), { kind: 'InvalidParameter' });
});

test('hard links to themselves, the root or a directory are refused', async () => {
  for (const [name, link] of [['x', 'x'], ['y', './'], ['z', 'd']]) {
    await assert.rejects(apply(await tar(async (w) => {
      await w.addDir({ name: 'd' });
      await w.addFile({ name: 'x', size: 0 }, Buffer.alloc(0));
      await w.addHardlink({ name }, link);
    })), { kind: 'InvalidParameter' }, `${name} -> ${link}`);
  }
});

test('entries replace what is there, directories merge; parents are created', async () => {
  await mkdir(join(dir, 'merge'));
  await writeFile(join(dir, 'merge', 'old'), 'o');
  await writeFile(join(dir, 'was-file'), 'f');
  await mkdir(join(dir, 'was-dir/sub'), { recursive: true });
  await apply(await tar(async (w) => {
    await w.addDir({ name: 'merge', mode: 0o700 });
    await w.addDir({ name: 'was-file' });
    await w.addFile({ name: 'was-dir', size: 1 }, Buffer.from('F'));
    await w.addFile({ name: 'deep/er/file', size: 1 }, Buffer.from('D'));
  }));
  assert.deepEqual(await readdir(join(dir, 'merge')), ['old']);
  assert.ok((await lstat(join(dir, 'was-file'))).isDirectory());
  assert.equal(await readFile(join(dir, 'was-dir'), 'utf8'), 'F');
  assert.equal(await readFile(join(dir, 'deep/er/file'), 'utf8'), 'D');
  assert.equal((await lstat(join(dir, 'deep'))).mode & 0o777, 0o755);
});

test('delete-mode whiteouts remove, opaque keeps only this layer\'s entries', async () => {
  await mkdir(join(dir, 'o/sub'), { recursive: true });
  await writeFile(join(dir, 'o/old'), '');
  await writeFile(join(dir, 'o/sub/old'), '');
  await writeFile(join(dir, 'gone'), '');
  await apply(await tar(async (w) => {
    await w.addDir({ name: 'o' });
    await w.addFile({ name: 'o/new', size: 0 }, Buffer.alloc(0));
    await w.addDir({ name: 'o/sub' });
    await w.addFile({ name: 'o/.wh..wh..opq', size: 0 }, Buffer.alloc(0));
    await w.addFile({ name: '.wh.gone', size: 0 }, Buffer.alloc(0));
    await w.addFile({ name: '.wh.never-existed', size: 0 }, Buffer.alloc(0));
    await w.addFile({ name: '.wh..wh.plnk', size: 0 }, Buffer.alloc(0)); // AUFS bookkeeping: skipped
  }), 'delete');
  assert.deepEqual((await readdir(join(dir, 'o'))).sort(), ['new', 'sub']);
  assert.deepEqual(await readdir(join(dir, 'o/sub')), []);
  assert.deepEqual((await readdir(dir)).sort(), ['o']);
});

test('unknown entry types and too many entries are refused', async () => {
  await assert.rejects(apply(await tar(async (w) => {
    for (let i = 0; i < 5; i++) await w.addFile({ name: `f${i}`, size: 0 }, Buffer.alloc(0));
  }), 'overlay', 3), /more than 3 entries/);
  // A 'V' (volume label) entry: a valid header of a type a layer has no use for.
  const chunks: Buffer[] = [];
  for await (const c of await tar(async (w) => { await w.addFile({ name: 'label', size: 0 }, Buffer.alloc(0)); })) chunks.push(Buffer.from(c));
  const b = Buffer.concat(chunks);
  b[156] = 'V'.charCodeAt(0);
  b.write(computeChecksum(b).toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  await assert.rejects(apply((async function* () { yield b; })()), /unhandled tar header type/);
});

for (const impl of ['openat2', 'walk'] as const) test(`hostile entries act inside the layer only (${impl}): links through symlink parents, hard links out, whiteouts through links`, async () => {
  setResolverImpl(impl);
  const victim = await mkdtemp(join(tmpdir(), 'berth-victim-'));
  try {
    await writeFile(join(victim, 'secret'), 's');
    await mkdir(join(victim, 'd'));
    const layer = join(dir, 'layer');
    await mkdir(layer);
    const applyTo = async (build: (w: TarWriter) => Promise<void>, whiteouts: 'overlay' | 'delete' = 'overlay') =>
      applyLayer(readTar(await tar(build)), layer, { whiteouts });
    await applyTo(async (w) => {
      await w.addSymlink({ name: 'out' }, victim);                          // absolute link out
      await w.addSymlink({ name: 'up' }, `../../../../../../../..${victim}`); // relative link out
      await w.addDir({ name: `out/d`, mode: 0o777 });                       // a directory's metadata through a link
      await w.addDir({ name: 'up/newdir', mode: 0o777 });
      await w.addFile({ name: 'out/secret', size: 1, mode: 0o777 }, Buffer.from('X'));
      await w.addDevice({ name: 'up/fifo' }, 'fifo');
      await w.addSymlink({ name: 'up/link' }, '/etc/shadow');
    });
    // Everything landed under the layer, at the links' targets taken inside it.
    assert.equal(await readFile(join(layer, victim, 'secret'), 'utf8'), 'X');
    assert.ok((await lstat(join(layer, victim, 'newdir'))).isDirectory());
    assert.ok((await lstat(join(layer, victim, 'fifo'))).isFIFO());
    // Hard links to a host file, directly or through a link out: resolved in the layer.
    for (const linkname of [join(victim, 'secret'), 'out/secret', 'up/secret']) {
      await applyTo(async (w) => { await w.addHardlink({ name: `h${linkname.length}` }, linkname); });
      assert.equal((await lstat(join(layer, `h${linkname.length}`))).ino, (await lstat(join(layer, victim, 'secret'))).ino);
    }
    await assert.rejects(applyTo(async (w) => { await w.addHardlink({ name: 'h' }, '/etc/passwd'); }), /not found in the layer/);
    // Whiteouts and opaque directories through links out remove only what is in the layer.
    await applyTo(async (w) => {
      await w.addFile({ name: 'out/.wh.secret', size: 0 }, Buffer.alloc(0));
      await w.addFile({ name: 'up/d/.wh..wh..opq', size: 0 }, Buffer.alloc(0));
    }, 'delete');
    await applyTo(async (w) => { await w.addFile({ name: 'out/.wh..wh..opq', size: 0 }, Buffer.alloc(0)); }, 'delete');
    assert.deepEqual((await readdir(victim)).sort(), ['d', 'secret']);
    assert.equal(await readFile(join(victim, 'secret'), 'utf8'), 's');
    assert.equal((await lstat(join(victim, 'secret'))).nlink, 1);
    assert.equal((await lstat(join(victim, 'd'))).mode & 0o777, 0o777 & ~process.umask());
    assert.deepEqual(await readdir(join(layer, victim)), []); // the opaque entry emptied it, in the layer
  } finally {
    setResolverImpl('auto');
    await rm(victim, { recursive: true, force: true });
  }
});

test('the layer size counts regular files and symlink targets, as moby overlay2 directory.Size', async () => {
  const r = await apply(await tar(async (w) => {
    await w.addDir({ name: 'bin' });
    await w.addFile({ name: 'bin/busybox', size: 3 }, Buffer.from('abc'));
    await w.addSymlink({ name: 'bin/sh' }, 'busybox');
    await w.addSymlink({ name: 'bin/ls' }, 'busybox');
    await w.addHardlink({ name: 'bin/bb2' }, 'bin/busybox');
  }));
  assert.deepEqual(r, { size: 3 + 7 + 7, entries: 5 });
});
