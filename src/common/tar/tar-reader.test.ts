import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, writeFile, symlink, link, readFile, rm, utimes } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zstdCompressSync } from 'node:zlib';
import { readTar, decompressStream, detectCompression } from './index.ts';
import type { TarEntry, TarLimits } from './index.ts';
import { BLOCK, computeChecksum, formatPaxRecord } from './tar-format.ts';

let dir: string;
let src: string;
const longDir = 'd'.repeat(60) + '/' + 'e'.repeat(60) + '/' + 'f'.repeat(60);
const longName = `${longDir}/${'g'.repeat(90)}.txt`; // 274 chars: needs PAX or GNU 'L'
const longTarget = '/' + 't'.repeat(150);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-tar-'));
  src = join(dir, 'src');
  await mkdir(join(src, longDir), { recursive: true });
  await writeFile(join(src, 'hello.txt'), 'hello world\n');
  await writeFile(join(src, longName), 'deep');
  await writeFile(join(src, 'big.bin'), Buffer.alloc(100_000, 7));
  await symlink(longTarget, join(src, 'longlink'));
  await symlink('hello.txt', join(src, 'rel'));
  await link(join(src, 'hello.txt'), join(src, 'zhard'));
  execFileSync('mkfifo', [join(src, 'fifo')]);
  execFileSync('mknod', [join(src, 'null'), 'c', '1', '3']);
  // A user xattr with binary bytes (python's os.setxattr: common/ uses no other box's syscalls).
  execFileSync('python3', ['-c', 'import os, sys; os.setxattr(sys.argv[1], "user.berth", bytes([0, 1, 2, 255]))', join(src, 'hello.txt')]);
  await utimes(join(src, 'hello.txt'), 1_600_000_000.25, 1_600_000_000.25);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function gnuTar(out: string, ...args: string[]): string {
  const path = join(dir, out);
  execFileSync('tar', ['-cf', path, '--sort=name', ...args, '-C', src, '.']);
  return path;
}

async function collect(source: AsyncIterable<Uint8Array>, limits?: TarLimits): Promise<Map<string, Omit<TarEntry, 'body'> & { data: Buffer }>> {
  const out = new Map<string, Omit<TarEntry, 'body'> & { data: Buffer }>();
  for await (const e of readTar(source, limits)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body()) chunks.push(Buffer.from(c));
    out.set(e.name.replace(/^\.\//, ''), { ...e, data: Buffer.concat(chunks) });
  }
  return out;
}

const file = (p: string) => createReadStream(p, { highWaterMark: 777 }); // odd chunk size on purpose

function checkCommon(m: Awaited<ReturnType<typeof collect>>) {
  assert.equal(m.get('hello.txt')?.type, 'file');
  assert.equal(m.get('hello.txt')?.data.toString(), 'hello world\n');
  assert.equal(m.get(longName)?.data.toString(), 'deep');
  assert.equal(m.get('big.bin')?.data.length, 100_000);
  assert.ok(m.get('big.bin')?.data.every((b) => b === 7));
  assert.equal(m.get('longlink')?.type, 'symlink');
  assert.equal(m.get('longlink')?.linkname, longTarget);
  assert.equal(m.get('rel')?.linkname, 'hello.txt');
  // GNU tar stores the second name of a hard-linked pair as a link to the first in sort order.
  assert.equal(m.get('hello.txt')?.type, 'file');
  assert.equal(m.get('zhard')?.type, 'hardlink');
  assert.equal(m.get('zhard')?.linkname.replace(/^\.\//, ''), 'hello.txt');
  assert.equal(m.get('zhard')?.size, 0);
  assert.equal(m.get('fifo')?.type, 'fifo');
  assert.equal(m.get('null')?.type, 'char');
  assert.equal(m.get('null')?.devmajor, 1);
  assert.equal(m.get('null')?.devminor, 3);
  assert.equal(m.get('')?.type, 'dir');
  assert.equal(m.get(longDir + '/')?.type, 'dir');
}

test('reads GNU tar posix (PAX) archives: long names, links, devices, xattrs, fractional mtime', async () => {
  const m = await collect(file(gnuTar('pax.tar', '--format=posix', '--xattrs', '--xattrs-include=user.*')));
  checkCommon(m);
  assert.deepEqual(m.get('hello.txt')?.xattrs['user.berth'], Buffer.from([0, 1, 2, 255]));
  assert.equal(m.get('hello.txt')?.mtime, 1_600_000_000.25);
  assert.equal(m.get('hello.txt')?.mode, 0o644);
  assert.equal(m.get('hello.txt')?.uname, 'root');
});

test('reads GNU format archives: L/K long names and base-256 ids', async () => {
  const m = await collect(file(gnuTar('gnu.tar', '--format=gnu', '--owner=big:3000000', '--group=big:4000000')));
  checkCommon(m);
  assert.equal(m.get('hello.txt')?.uid, 3_000_000);
  assert.equal(m.get('hello.txt')?.gid, 4_000_000);
  assert.equal(m.get('hello.txt')?.uname, 'big');
  assert.equal(m.get('hello.txt')?.mtime, 1_600_000_000);
});

test('reads ustar archives with the prefix field', async () => {
  const ustarSrc = join(dir, 'ustar-src');
  const name = `${'p'.repeat(80)}/${'q'.repeat(60)}/file`;
  await mkdir(join(ustarSrc, name, '..'), { recursive: true });
  await writeFile(join(ustarSrc, name), 'x');
  const path = join(dir, 'ustar.tar');
  execFileSync('tar', ['-cf', path, '--format=ustar', '-C', ustarSrc, name]);
  const m = await collect(file(path));
  assert.equal(m.get(name)?.data.toString(), 'x');
});

test('decompresses gzip and zstd, refuses bzip2 and xz clearly', async () => {
  const plain = gnuTar('plain.tar', '--format=posix');
  execFileSync('tar', ['-czf', join(dir, 'c.tar.gz'), '--sort=name', '-C', src, '.']);
  const zst = zstdCompressSync(await readFile(plain));
  checkCommon(await collect(decompressStream(file(join(dir, 'c.tar.gz')))));
  checkCommon(await collect(decompressStream(file(plain))));
  checkCommon(await collect(decompressStream((async function* () { yield zst.subarray(0, 3); yield zst.subarray(3); })())));
  execFileSync('tar', ['-cjf', join(dir, 'c.tar.bz2'), '-C', src, 'hello.txt']);
  await assert.rejects(collect(decompressStream(file(join(dir, 'c.tar.bz2')))), /unsupported compression: bzip2/);
  assert.equal(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
  assert.equal(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
  assert.equal(detectCompression(Buffer.from('abc')), 'none');
  // A corrupt gzip stream is an invalid-parameter error, not a crash.
  const gz = await readFile(join(dir, 'c.tar.gz'));
  await assert.rejects(collect(decompressStream(once(gz.subarray(0, gz.length / 2)))), (e: Error & { kind?: string }) => e.kind === 'InvalidParameter');
  // Errors of the source itself come through unchanged.
  const boom = new Error('network down');
  await assert.rejects(collect(decompressStream((async function* () { yield gz.subarray(0, 100); throw boom; })())), (e) => e === boom);
});

test('skips unread bodies and refuses a body read after moving on', async () => {
  const names: string[] = [];
  let stale: TarEntry | undefined;
  for await (const e of readTar(file(gnuTar('skip.tar')))) {
    names.push(e.name);
    if (e.name === './big.bin') stale = e;
  }
  assert.ok(names.includes('./hello.txt') && names.includes('./null'));
  assert.ok(stale);
  await assert.rejects(async () => {
    for await (const _ of stale!.body()) void _;
  }, /after moving to the next entry/);
});

test('leaves the source open after the end blocks so that a caller can drain it', async () => {
  const tar = Buffer.concat([header('a', 3), pad(Buffer.from('abc')), endBlocks, Buffer.alloc(5000)]);
  const it = chunks(tar, 1000)[Symbol.asyncIterator]();
  const source = { [Symbol.asyncIterator]: () => it };
  let n = 0;
  for await (const _ of readTar(source)) n++;
  assert.equal(n, 1);
  let rest = 0;
  for (let r = await it.next(); !r.done; r = await it.next()) rest += r.value.length;
  assert.ok(rest >= 4000, `trailing padding still readable (${rest})`);
});

// ---- hostile archives ----

function header(name: string, size: number | string, opts: { type?: string; sizeField?: Uint8Array } = {}): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  if (opts.sizeField) Buffer.from(opts.sizeField).copy(b, 124);
  else b.write(typeof size === 'number' ? size.toString(8).padStart(11, '0') + '\0' : size, 124);
  b.write('00000000000\0', 136);
  b.write(opts.type ?? '0', 156);
  b.write('ustar\0' + '00', 257, 'latin1');
  b.write(computeChecksum(b).toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return b;
}
const pad = (data: Buffer) => Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);
const endBlocks = Buffer.alloc(BLOCK * 2);
async function* once(b: Uint8Array) { yield b; }
async function* chunks(b: Uint8Array, n: number) { for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n); }

test('a well-formed hand-made archive reads back (sanity for the hostile cases)', async () => {
  const m = await collect(once(Buffer.concat([header('a', 3), pad(Buffer.from('abc')), endBlocks])));
  assert.equal(m.get('a')?.data.toString(), 'abc');
});

test('bad checksum: archive/tar: invalid tar header', async () => {
  const h = header('a', 3);
  h[0] = 'b'.charCodeAt(0);
  await assert.rejects(collect(once(Buffer.concat([h, pad(Buffer.from('abc')), endBlocks]))), {
    message: 'archive/tar: invalid tar header', kind: 'InvalidParameter',
  });
});

test('truncated archives fail clearly, in a header or in a body', async () => {
  const whole = Buffer.concat([header('a', 3000), pad(Buffer.alloc(3000, 1)), endBlocks]);
  await assert.rejects(collect(once(whole.subarray(0, 1000))), /unexpected EOF \(truncated archive\)/);
  await assert.rejects(collect(once(whole.subarray(0, 300))), /unexpected EOF/);
  // A PAX header followed by nothing.
  const pax = formatPaxRecord('path', Buffer.from('abcdef'));
  await assert.rejects(collect(once(Buffer.concat([header('p', pax.length, { type: 'x' }), pad(pax)]))), /unexpected EOF/);
});

test('huge size fields: bounded by maxEntrySize, else a truncation error, never a hang', async () => {
  const h = header('huge', '77777777777\0');
  await assert.rejects(collect(once(Buffer.concat([h, Buffer.alloc(BLOCK), endBlocks])), { maxEntrySize: 1 << 30 }), /too large/);
  await assert.rejects(collect(once(Buffer.concat([h, Buffer.alloc(BLOCK), endBlocks]))), /unexpected EOF/);
  // base-256 beyond 2^53 and negative base-256 sizes are invalid headers.
  const big = new Uint8Array(12).fill(0xff);
  big[0] = 0x80;
  await assert.rejects(collect(once(Buffer.concat([header('b', 0, { sizeField: big }), endBlocks]))), /invalid tar header/);
  const neg = new Uint8Array(12).fill(0xff);
  await assert.rejects(collect(once(Buffer.concat([header('n', 0, { sizeField: neg }), endBlocks]))), /invalid tar header/);
  // Garbage in an octal field.
  await assert.rejects(collect(once(Buffer.concat([header('g', '0000000009a\0'), endBlocks]))), /invalid tar header/);
});

test('PAX records: bounded, well-formed, applied', async () => {
  const good = formatPaxRecord('path', Buffer.from('from/pax/name.txt'));
  const m = await collect(once(Buffer.concat([header('x', good.length, { type: 'x' }), pad(good), header('short', 1), pad(Buffer.from('z')), endBlocks])));
  assert.equal(m.get('from/pax/name.txt')?.data.toString(), 'z');
  for (const bad of ['99 path=a\n', '5 p=a\n', 'x path=a\n', '9 patha\n\n']) {
    const rec = Buffer.from(bad);
    await assert.rejects(collect(once(Buffer.concat([header('x', rec.length, { type: 'x' }), pad(rec), header('f', 0), endBlocks]))), /invalid tar header/, bad);
  }
  const huge = Buffer.alloc(4096, 0x41);
  await assert.rejects(collect(once(Buffer.concat([header('x', huge.length, { type: 'x' }), pad(huge), endBlocks])), { maxPaxSize: 1024 }), /exceeds the limit/);
  // A global header sets defaults; a later 'x' overrides them.
  const g = Buffer.from('12 uid=4242\n');
  const x = Buffer.from('10 uid=17\n');
  const m2 = await collect(once(Buffer.concat([
    header('g', g.length, { type: 'g' }), pad(g), header('one', 0), header('x', x.length, { type: 'x' }), pad(x), header('two', 0), endBlocks,
  ])));
  assert.equal(m2.get('one')?.uid, 4242);
  assert.equal(m2.get('two')?.uid, 17);
});

test('a non-zero block after one zero block is an error; names are bounded', async () => {
  await assert.rejects(collect(once(Buffer.concat([Buffer.alloc(BLOCK), header('a', 0), endBlocks]))), /invalid tar header/);
  const long = formatPaxRecord('path', Buffer.from('a'.repeat(2000)));
  await assert.rejects(collect(once(Buffer.concat([header('x', long.length, { type: 'x' }), pad(long), header('f', 0), endBlocks])), { maxNameLength: 1000 }), /name longer than 1000/);
});

test('an input that ends right after the last entry\'s content ends the archive (Go\'s reader; docker build -f outside the context)', async () => {
  const tar = execFileSync('tar', ['-C', src, '-cf', '-', 'hello.txt']);
  // The header, then the 12 bytes of content, and nothing more: no padding, no trailer.
  const cut = tar.subarray(0, BLOCK + 12);
  const got: string[] = [];
  for await (const e of readTar((async function* () { yield cut; })())) {
    const parts: Uint8Array[] = [];
    for await (const c of e.body()) parts.push(c);
    got.push(`${e.name}:${Buffer.concat(parts).toString()}`);
  }
  assert.deepEqual(got, ['hello.txt:hello world\n']);
  // Content cut short, or padding cut short, is still a truncated archive.
  for (const cutAt of [BLOCK + 5, BLOCK + 100]) {
    await assert.rejects(async () => {
      for await (const e of readTar((async function* () { yield tar.subarray(0, cutAt); })())) for await (const _ of e.body()) void _;
    }, /unexpected EOF/);
  }
});
