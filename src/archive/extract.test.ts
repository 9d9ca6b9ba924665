// extractTarInRoot: a good archive lands inside the view with its metadata; a bad one (escaping
// names, links out, writes through a link it made, a broken tar, a dir/non-dir conflict) is
// refused with InvalidParameter and writes nothing at all.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TarWriter } from '../common/index.ts';
import { ContainerView, openRoot } from '../fsroot/index.ts';
import { cleanEntryName, extractTarInRoot, type ExtractOptions } from './extract.ts';

type Member =
  | { name: string; type?: 'file'; data?: string; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { name: string; type: 'dir'; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { name: string; type: 'symlink' | 'hardlink'; target: string };

async function makeTar(members: Member[]): Promise<Buffer> {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of w.readable) chunks.push(c as Buffer);
  })();
  for (const m of members) {
    const meta = m as { mode?: number; uid?: number; gid?: number; mtime?: number };
    const h = { name: m.name, mode: meta.mode ?? 0o644, uid: meta.uid ?? 0, gid: meta.gid ?? 0, mtime: meta.mtime ?? 1_700_000_000 };
    if (m.type === 'dir') await w.addDir({ ...h, mode: m.mode ?? 0o755 });
    else if (m.type === 'symlink') await w.addSymlink(h, m.target);
    else if (m.type === 'hardlink') await w.addHardlink(h, m.target);
    else {
      const data = Buffer.from((m as { data?: string }).data ?? '');
      await w.addFile({ ...h, size: data.length }, data);
    }
  }
  await w.finish();
  await done;
  return Buffer.concat(chunks);
}

let tmp: string;
let root: string;
let outside: string;
let spool: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-extract-'));
  spool = join(tmp, 'spool');
});
after(() => rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  root = join(tmp, 'root');
  outside = join(tmp, 'outside');
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
  mkdirSync(join(root, 'dest/existing-dir'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'dest/existing-file'), 'old');
  symlinkSync(outside, join(root, 'dest/to-host')); // a link a container made, to a host path
});

const listing = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

async function extract(tar: Buffer, dest = '/dest', opts: Partial<ExtractOptions> = {}) {
  const view = new ContainerView(openRoot(root));
  try {
    return await extractTarInRoot(view, dest, (async function* () {
      yield tar;
    })(), { noOverwriteDirNonDir: false, spoolDir: spool, ...opts });
  } finally {
    view.close();
  }
}

async function refused(tar: Buffer, re: RegExp, opts: Partial<ExtractOptions> = {}) {
  const before = listing(root);
  await assert.rejects(extract(tar, '/dest', opts), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'InvalidParameter', e.message);
    assert.match(e.message, re);
    return true;
  });
  assert.deepEqual(listing(root), before, 'nothing written');
  assert.deepEqual(readdirSync(outside), []);
  assert.deepEqual(readdirSync(spool), [], 'the spool is gone');
}

test('cleanEntryName', () => {
  assert.equal(cleanEntryName('./a/b/', '/d'), 'a/b');
  assert.equal(cleanEntryName('.', '/d'), '');
  assert.equal(cleanEntryName('a/../b', '/d'), 'b');
  assert.throws(() => cleanEntryName('a/../../b', '/d'), /"a\/..\/..\/b" is outside of "\/d"/);
  assert.throws(() => cleanEntryName('/etc/passwd', '/d'), /absolute path not allowed/);
});

test('files, directories, links and metadata land in the destination', async () => {
  const tar = await makeTar([
    { name: 'top/', type: 'dir', mode: 0o750, uid: 1234, gid: 5678, mtime: 1_600_000_000 },
    { name: 'top/f', data: 'hello', mode: 0o640, uid: 42, gid: 43 },
    { name: 'top/abs', type: 'symlink', target: '/etc/passwd' },
    { name: 'top/rel', type: 'symlink', target: 'f' },
    { name: 'top/hard', type: 'hardlink', target: 'top/f' },
    { name: 'top/deep/er/g', data: 'parents made' },
  ]);
  const r = await extract(gzipSync(tar)); // compressed archives are accepted
  assert.equal(r.entries, 6);
  const top = join(root, 'dest/top');
  assert.equal(readFileSync(join(top, 'f'), 'utf8'), 'hello');
  assert.equal(readlinkSync(join(top, 'abs')), '/etc/passwd');
  assert.equal(readlinkSync(join(top, 'rel')), 'f');
  assert.equal(statSync(join(top, 'hard')).ino, statSync(join(top, 'f')).ino);
  assert.equal(readFileSync(join(top, 'deep/er/g'), 'utf8'), 'parents made');
  const st = statSync(top);
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.mtimeMs, 1_600_000_000_000);
  if (process.getuid?.() === 0) {
    assert.deepEqual([st.uid, st.gid], [1234, 5678]);
    assert.deepEqual([statSync(join(top, 'f')).uid, statSync(join(top, 'f')).gid], [42, 43]);
  }
  assert.deepEqual(readdirSync(spool), []);
});

test('chown and rename options', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
  const tar = await makeTar([{ name: 'a/', type: 'dir', uid: 7 }, { name: 'a/x', data: 'x', uid: 7 }]);
  await extract(tar, '/dest', { chown: { uid: 1000, gid: 1001 }, rename: (n) => n.replace('a', 'renamed') });
  for (const p of ['renamed', 'renamed/x']) {
    const st = lstatSync(join(root, 'dest', p));
    assert.deepEqual([st.uid, st.gid], [1000, 1001], p);
  }
});

test('an existing link in the container is followed inside the root, never to the host', async () => {
  await extract(await makeTar([{ name: 'to-host/x', data: 'stays inside' }]));
  assert.deepEqual(readdirSync(outside), []);
  assert.equal(readFileSync(join(root, outside, 'x'), 'utf8'), 'stays inside');
});

test('escaping names are refused and nothing is written', async () => {
  await refused(await makeTar([{ name: 'ok', data: 'fine' }, { name: '../escape', data: 'x' }]), /"..\/escape" is outside of "\/dest"/);
  await refused(await makeTar([{ name: 'ok', data: 'fine' }, { name: 'a/../../escape', data: 'x' }]), /is outside of/);
  await refused(await makeTar([{ name: 'ok', data: 'fine' }, { name: '/etc/abs', data: 'x' }]), /absolute path not allowed/);
});

test('links out of the destination, and writes through a link the archive made, are refused', async () => {
  await refused(await makeTar([{ name: 'ok', data: 'fine' }, { name: 'l', type: 'symlink', target: '../../../outside' }]), /invalid symlink "\/dest\/l" -> "..\/..\/..\/outside"/);
  await refused(await makeTar([{ name: 'ok', data: 'fine' }, { name: 'h', type: 'hardlink', target: '../existing-file' }]), /invalid hardlink/);
  await refused(await makeTar([{ name: 'a', type: 'symlink', target: '/' }, { name: 'a/etc/evil', data: 'x' }]), /written through the link "a"/);
  await refused(await makeTar([{ name: 'a', type: 'symlink', target: 'b' }, { name: 'b/', type: 'dir' }, { name: 'a/x/y', data: 'x' }]), /written through the link "a"/);
  // A link replaced by a directory in the same archive is a directory again.
  await extract(await makeTar([{ name: 'a', type: 'symlink', target: '/' }, { name: 'a/', type: 'dir' }, { name: 'a/x', data: 'ok' }]));
  assert.equal(readFileSync(join(root, 'dest/a/x'), 'utf8'), 'ok');
});

test('entries that could only fail half way are refused before anything is written', async () => {
  await refused(await makeTar([{ name: 'ok', data: 'x' }, { name: 'existing-file/below', data: 'x' }]), /"\/dest\/existing-file" is not a directory/);
  await refused(await makeTar([{ name: 'ok', data: 'x' }, { name: 'f', data: 'x' }, { name: 'f/g/h', data: 'x' }]), /"f" is not a directory/);
  await refused(await makeTar([{ name: 'ok', data: 'x' }, { name: 'h', type: 'hardlink', target: 'missing' }]), /hard link target "missing" not found/);
  await refused(await makeTar([{ name: 'ok', data: 'x' }, { name: 'h', type: 'hardlink', target: 'existing-dir' }]), /hard link to a directory/);
  await refused(await makeTar([{ name: 'ok', data: 'x' }, { name: 'many/', type: 'dir' }, { name: 'f2', data: 'x' }]), /more than 2 entries/, { maxEntries: 2 });
  // A hard link to a file already in the container is fine.
  await extract(await makeTar([{ name: 'again', type: 'hardlink', target: 'existing-file' }]));
  assert.equal(statSync(join(root, 'dest/again')).ino, statSync(join(root, 'dest/existing-file')).ino);
});

test('a broken archive is refused with nothing written', async () => {
  const good = await makeTar([{ name: 'first', data: 'a'.repeat(5000) }, { name: 'second', data: 'b' }]);
  await refused(good.subarray(0, 1024 + 512), /unexpected EOF|truncated|archive/i); // cut inside a body
  const bad = Buffer.from(good);
  bad[700] ^= 0xff; // a body byte of `first`: still a valid tar
  await extract(bad);
  const corrupt = Buffer.from(good);
  corrupt[512 * 11 + 100] ^= 0x55; // the second header's mode field: bad checksum
  await refused(corrupt, /invalid tar header/);
  await refused(Buffer.from('definitely not a tar archive '.repeat(40)), /invalid tar header/);
  await refused(Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]), /invalid gzip data|unexpected end/i);
});

test('noOverwriteDirNonDir refuses dir/non-dir replacements, before writing anything', async () => {
  await refused(await makeTar([{ name: 'new', data: 'x' }, { name: 'existing-dir', data: 'x' }]), /cannot overwrite directory "\/dest\/existing-dir" with non-directory "\/dest"/, { noOverwriteDirNonDir: true });
  await refused(await makeTar([{ name: 'new', data: 'x' }, { name: 'existing-file/', type: 'dir' }]), /cannot overwrite non-directory "\/dest\/existing-file" with directory "\/dest"/, { noOverwriteDirNonDir: true });
  // Without it, both are replaced; a file replaces a file either way.
  await extract(await makeTar([{ name: 'existing-dir', data: 'now a file' }, { name: 'existing-file', data: 'new' }]));
  assert.equal(readFileSync(join(root, 'dest/existing-dir'), 'utf8'), 'now a file');
  assert.equal(readFileSync(join(root, 'dest/existing-file'), 'utf8'), 'new');
});

test('skipDevices leaves device nodes out (the CLI\'s local side), FIFOs are made', { skip: process.getuid?.() !== 0 && 'needs root for mknod' }, async () => {
  const w = new TarWriter();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of w.readable) chunks.push(c as Buffer);
  })();
  await w.addDevice({ name: 'sda', mode: 0o666 }, 'block', 8, 0);
  await w.addDevice({ name: 'mem', mode: 0o666 }, 'char', 1, 1);
  await w.addDevice({ name: 'pipe', mode: 0o644 }, 'fifo');
  await w.finish();
  await done;
  await extract(Buffer.concat(chunks), '/dest', { skipDevices: true });
  assert.ok(!readdirSync(join(root, 'dest')).includes('sda') && !readdirSync(join(root, 'dest')).includes('mem'));
  assert.ok(lstatSync(join(root, 'dest/pipe')).isFIFO());
});

test('a large archive goes through the spool in bounded memory', async () => {
  const big = 'z'.repeat(1 << 20);
  const members: Member[] = Array.from({ length: 40 }, (_, i) => ({ name: `big/f${i}`, data: big }));
  const tar = await makeTar(members);
  const chunks = (async function* () {
    for (let i = 0; i < tar.length; i += 65536) yield tar.subarray(i, i + 65536);
  })();
  const view = new ContainerView(openRoot(root));
  try {
    const r = await extractTarInRoot(view, '/dest', chunks, { noOverwriteDirNonDir: true, spoolDir: spool });
    assert.equal(r.size, 40 << 20);
  } finally {
    view.close();
  }
  assert.equal(statSync(join(root, 'dest/big/f39')).size, 1 << 20);
});
