import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, lstat, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TarWriter, readTar } from './index.ts';
import type { TarEntry } from './index.ts';

const longName = `${'a'.repeat(120)}/${'b'.repeat(120)}/${'c'.repeat(40)}.txt`;
const unicode = 'dir/naïve-файл.txt';

async function buildArchive(): Promise<Buffer> {
  const w = new TarWriter();
  const out = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of w.readable) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  })();
  await w.addDir({ name: 'dir', mode: 0o750, uid: 1, gid: 2, mtime: 1_700_000_000 });
  await w.addFile({ name: 'dir/small.txt', size: 5, mode: 0o4755, mtime: 1_700_000_000.123456789, uname: 'alice', gname: 'staff' }, Buffer.from('hello'));
  await w.addFile({ name: longName, size: 3, uid: 3_000_000, gid: 70_000 }, (async function* () { yield Buffer.from('x'); yield Buffer.from('yz'); })());
  await w.addFile({ name: unicode, size: 0, xattrs: { 'user.k': Buffer.from([0, 255]), 'security.capability': Buffer.from('cap') } }, Buffer.alloc(0));
  await w.addFile({ name: 'big.bin', size: 70_000 }, Buffer.alloc(70_000, 9));
  await w.addSymlink({ name: 'dir/link' }, '/'.padEnd(130, 't'));
  await w.addHardlink({ name: 'dir/hard' }, 'dir/small.txt');
  await w.addDevice({ name: 'dev/null', mode: 0o666 }, 'char', 1, 3);
  await w.addDevice({ name: 'dev/big', mode: 0o600 }, 'block', 300, 5_000_000);
  await w.addDevice({ name: 'fifo' }, 'fifo');
  await w.finish();
  return out;
}

async function readAll(buf: Buffer): Promise<Map<string, Omit<TarEntry, 'body'> & { data: string }>> {
  const m = new Map<string, Omit<TarEntry, 'body'> & { data: string }>();
  for await (const e of readTar((async function* () { yield buf; })())) {
    let data = '';
    for await (const c of e.body()) data += Buffer.from(c).toString('latin1');
    m.set(e.name, { ...e, data });
  }
  return m;
}

test('round trip writer -> reader keeps names, ids, modes, times, links, devices, xattrs', async () => {
  const buf = await buildArchive();
  assert.equal(buf.length % 512, 0);
  const m = await readAll(buf);
  assert.equal(m.get('dir/')?.type, 'dir');
  assert.equal(m.get('dir/')?.mode, 0o750);
  assert.equal(m.get('dir/')?.uid, 1);
  const small = m.get('dir/small.txt')!;
  assert.equal(small.data, 'hello');
  assert.equal(small.mode, 0o4755);
  assert.equal(small.mtime, 1_700_000_000.123456789);
  assert.equal(small.uname, 'alice');
  const long = m.get(longName)!;
  assert.equal(long.data, 'xyz');
  assert.equal(long.uid, 3_000_000);
  assert.equal(long.gid, 70_000);
  assert.deepEqual(m.get(unicode)?.xattrs, { 'user.k': Buffer.from([0, 255]), 'security.capability': Buffer.from('cap') });
  assert.equal(m.get('big.bin')?.data.length, 70_000);
  assert.equal(m.get('dir/link')?.linkname, '/'.padEnd(130, 't'));
  assert.equal(m.get('dir/hard')?.type, 'hardlink');
  assert.equal(m.get('dir/hard')?.linkname, 'dir/small.txt');
  assert.deepEqual([m.get('dev/null')?.type, m.get('dev/null')?.devmajor, m.get('dev/null')?.devminor], ['char', 1, 3]);
  assert.deepEqual([m.get('dev/big')?.type, m.get('dev/big')?.devmajor, m.get('dev/big')?.devminor], ['block', 300, 5_000_000]);
  assert.equal(m.get('fifo')?.type, 'fifo');
});

test('output is deterministic', async () => {
  assert.deepEqual(await buildArchive(), await buildArchive());
});

test('GNU tar reads what the writer wrote', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-tarw-'));
  try {
    const w = new TarWriter();
    const chunks: Buffer[] = [];
    const done = (async () => { for await (const c of w.readable) chunks.push(c as Buffer); })();
    await w.addDir({ name: 'd', mode: 0o755, mtime: 1_000_000 });
    await w.addFile({ name: `d/${longName.replace(/\//g, '_').slice(0, 200)}`, size: 2, mode: 0o640, mtime: 1_000_000 }, Buffer.from('ok'));
    await w.addFile({ name: unicode, size: 1, mtime: 1_000_000 }, Buffer.from('u'));
    await w.addSymlink({ name: 'd/s', mtime: 1_000_000 }, '../x');
    await w.finish();
    await done;
    await writeFile(join(dir, 'a.tar'), Buffer.concat(chunks));
    const listing = execFileSync('tar', ['-tf', join(dir, 'a.tar')], { encoding: 'utf8' }).trim().split('\n');
    assert.ok(listing.includes(unicode), listing.join(','));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    assert.equal(await readFile(join(dir, 'd', longName.replace(/\//g, '_').slice(0, 200)), 'utf8'), 'ok');
    assert.equal(await readFile(join(dir, unicode), 'utf8'), 'u');
    assert.equal(await readlink(join(dir, 'd/s')), '../x');
    assert.equal((await lstat(join(dir, unicode))).mtimeMs, 1_000_000_000);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a body that does not match its declared size is an error', async () => {
  const w = new TarWriter();
  const drained = (async () => { for await (const _ of w.readable) void _; })().catch((e: Error) => e);
  await assert.rejects(w.addFile({ name: 'f', size: 10 }, Buffer.from('short')), /declared 10 bytes but 5 were given/);
  assert.match(String(await drained), /declared 10 bytes/);
});

test('entries must be added one at a time', async () => {
  const w = new TarWriter();
  const drained = (async () => { for await (const _ of w.readable) void _; })();
  const first = w.addFile({ name: 'a', size: 1 }, (async function* () { await new Promise((r) => setTimeout(r, 10)); yield Buffer.from('a'); })());
  await assert.rejects(w.addDir({ name: 'b' }), /one at a time/);
  await first;
  await w.finish();
  await drained;
});
