// receiveContext: the context tar in every compression lands on disk through fsroot with its
// index; each hostile entry is refused (and the directory removed); the Dockerfile is found as
// moby finds it; .dockerignore is applied; checksum() changes with one file and only with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { chunked, makeTar, type Member } from './context.test-helpers.ts';
import { receiveContext, type ReceivedContext } from './receive.ts';

let tmp: string;
let n = 0;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-recv-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const newDir = () => join(tmp, `ctx${++n}`);

async function receive(members: Member[], opts: { dockerfile?: string; compress?: (b: Buffer) => Buffer; maxBytes?: number; maxEntries?: number } = {}): Promise<ReceivedContext> {
  const tar = await makeTar(members);
  const body = opts.compress ? opts.compress(tar) : tar;
  return receiveContext(chunked(body), { dir: newDir(), dockerfile: opts.dockerfile, maxBytes: opts.maxBytes, maxEntries: opts.maxEntries });
}

const basic: Member[] = [
  { name: 'Dockerfile', data: 'FROM scratch\n' },
  { name: 'src/', type: 'dir', mode: 0o750, mtime: 1_600_000_000 },
  { name: 'src/app.js', data: 'console.log(1)\n', mode: 0o755, uid: 1000, gid: 1000, mtime: 1_650_000_000 },
  { name: 'src/link', type: 'symlink', target: 'app.js' },
  { name: 'src/hard', type: 'hardlink', target: 'src/app.js' },
];

const host = (tool: string) => (b: Buffer) => execFileSync(tool, ['-c'], { input: b });

for (const [kind, compress] of [
  ['plain', undefined], ['gzip', gzipSync], ['zstd', (b: Buffer) => zstdCompressSync(b)], ['bzip2', host('bzip2')], ['xz', host('xz')],
] as const) {
  test(`a ${kind} context lands on disk with its metadata and index`, async () => {
    const ctx = await receive(basic, { compress: compress as ((b: Buffer) => Buffer) | undefined });
    try {
      assert.equal(await ctx.dockerfile(), 'FROM scratch\n');
      assert.equal(readFileSync(join(ctx.dir, 'src/app.js'), 'utf8'), 'console.log(1)\n');
      const st = statSync(join(ctx.dir, 'src/app.js'));
      assert.equal(st.mode & 0o7777, 0o755);
      assert.equal(st.uid, 1000);
      assert.equal(Math.floor(st.mtimeMs / 1000), 1_650_000_000);
      assert.equal(statSync(join(ctx.dir, 'src')).mode & 0o7777, 0o750);
      assert.equal(Math.floor(statSync(join(ctx.dir, 'src')).mtimeMs / 1000), 1_600_000_000);
      assert.equal(readlinkSync(join(ctx.dir, 'src/link')), 'app.js');
      assert.equal(statSync(join(ctx.dir, 'src/hard')).ino, st.ino);
      const e = ctx.entry('src/app.js')!;
      assert.match(e.digest, /^[0-9a-f]{64}$/);
      assert.equal(e.size, 15);
      assert.deepEqual(ctx.entry('src/hard'), e);
      assert.equal(ctx.entry('src/link')!.linkname, 'app.js');
    } finally {
      await ctx.close();
    }
    assert.equal(existsSync(ctx.dir), false);
  });
}

test('the content digest is the sha256 of the bytes', async () => {
  const ctx = await receive([{ name: 'f', data: 'abc' }]);
  try {
    assert.equal(ctx.entry('f')!.digest, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  } finally {
    await ctx.close();
  }
});

async function refused(members: Member[], re: RegExp, opts: { maxBytes?: number; maxEntries?: number } = {}): Promise<void> {
  const before = readdirSync(tmp).length;
  await assert.rejects(receive(members, opts), (err: Error & { kind?: string }) => {
    assert.match(err.message, re);
    assert.equal(err.kind, 'InvalidParameter');
    return true;
  });
  assert.equal(readdirSync(tmp).length, before, 'the context directory is removed');
}

test('hostile entries are refused and the directory removed', async () => {
  await refused([{ name: '../escape', data: 'x' }], /"\.\.\/escape" is outside of "the build context"/);
  await refused([{ name: 'a/../../escape', data: 'x' }], /is outside of/);
  await refused([{ name: '/etc/passwd', data: 'x' }], /absolute path not allowed/);
  await refused([{ name: 'l', type: 'symlink', target: '../../../etc' }], /invalid symlink "l" -> "..\/..\/..\/etc"/);
  await refused([{ name: 'a/l', type: 'symlink', target: '../../x' }], /invalid symlink/);
  await refused([{ name: 'h', type: 'hardlink', target: '../../etc/shadow' }], /invalid hardlink/);
  await refused([{ name: 'h', type: 'hardlink', target: 'missing' }], /hard link target "missing" not found/);
  await refused([{ name: 'd/', type: 'dir' }, { name: 'h', type: 'hardlink', target: 'd' }], /hard link to a directory/);
  await refused([{ name: 'l', type: 'symlink', target: '/etc' }, { name: 'l/passwd', data: 'x' }], /written through the link "l"/);
  await refused([{ name: 'f', data: 'x' }, { name: 'f/g', data: 'x' }], /"f" is not a directory/);
  await refused([{ name: 'big', data: Buffer.alloc(10_000) }], /larger than the limit of 5000 bytes/, { maxBytes: 5000 });
  await refused([{ name: 'big', data: Buffer.alloc(30_000) }], /entry "big" is too large \(30000 bytes, limit 20000\)/, { maxBytes: 20_000 });
  await refused([{ name: 'a', data: '' }, { name: 'b', data: '' }, { name: 'c', data: '' }], /more than 2 entries/, { maxEntries: 2 });
});

test('a truncated or corrupt body is refused', async () => {
  const tar = await makeTar(basic);
  const before = readdirSync(tmp).length;
  await assert.rejects(receiveContext(chunked(tar.subarray(0, 1000)), { dir: newDir() }), /unexpected EOF|truncated/);
  const gz = gzipSync(tar);
  await assert.rejects(receiveContext(chunked(gz.subarray(0, gz.length - 20)), { dir: newDir() }), /gzip|unexpected end/);
  const xz = execFileSync('xz', ['-c'], { input: tar });
  xz[xz.length - 30] ^= 0xff;
  await assert.rejects(receiveContext(chunked(xz), { dir: newDir() }), /xz/);
  assert.equal(readdirSync(tmp).length, before);
});

test('device nodes and FIFOs are never made', async () => {
  const ctx = await receive([
    { name: 'Dockerfile', data: 'FROM scratch' }, { name: 'sda', type: 'block', major: 8, minor: 0 },
    { name: 'null', type: 'char', major: 1, minor: 3 }, { name: 'pipe', type: 'fifo' },
  ]);
  try {
    assert.deepEqual(readdirSync(ctx.dir).sort(), ['Dockerfile']);
    assert.equal(ctx.entry('sda'), undefined);
  } finally {
    await ctx.close();
  }
});

test('a later entry replaces an earlier one; a directory replaced by a file leaves no index entries below', async () => {
  const ctx = await receive([
    { name: 'd/', type: 'dir' }, { name: 'd/x', data: '1' }, { name: 'd', data: 'now a file' }, { name: 'f', data: 'old' }, { name: 'f', data: 'new' },
  ]);
  try {
    assert.equal(readFileSync(join(ctx.dir, 'd'), 'utf8'), 'now a file');
    assert.equal(ctx.entry('d/x'), undefined);
    assert.equal(readFileSync(join(ctx.dir, 'f'), 'utf8'), 'new');
  } finally {
    await ctx.close();
  }
});

test('Dockerfile: default, lowercase fallback, a named one, and moby\'s errors', async () => {
  let ctx = await receive([{ name: 'dockerfile', data: 'lower' }]);
  assert.equal(await ctx.dockerfile(), 'lower');
  await ctx.close();
  ctx = await receive([{ name: 'sub/My.Dockerfile', data: 'named' }], { dockerfile: 'sub/My.Dockerfile' });
  assert.equal(await ctx.dockerfile(), 'named');
  await ctx.close();
  ctx = await receive([{ name: 'x', data: '' }]);
  await assert.rejects(ctx.dockerfile(), /: Cannot locate specified Dockerfile: Dockerfile$/);
  await ctx.close();
  ctx = await receive([{ name: 'dockerfile', data: 'lower' }], { dockerfile: 'Other' });
  await assert.rejects(ctx.dockerfile(), /Cannot locate specified Dockerfile: Other/);
  await ctx.close();
  ctx = await receive([{ name: 'Dockerfile', data: 'x' }], { dockerfile: '../Dockerfile' });
  await assert.rejects(ctx.dockerfile(), /forbidden path outside the build context: \.\.\/Dockerfile/);
  await ctx.close();
  // A Dockerfile that is a link out of the context reads the context's own file, never the host's.
  ctx = await receive([{ name: 'Dockerfile', type: 'symlink', target: '/etc/hostname' }]);
  await assert.rejects(ctx.dockerfile(), /Cannot locate specified Dockerfile/);
  await ctx.close();
});

test('.dockerignore is applied: exceptions, **, directories kept for their exceptions; Dockerfile read first', async () => {
  const ctx = await receive([
    { name: 'Dockerfile', data: 'FROM scratch' },
    { name: '.dockerignore', data: '# ignore\n*.md\n!README.md\n**/*.tmp\nlogs\n!logs/keep.log\nDockerfile\n.dockerignore\n' },
    { name: 'README.md', data: 'r' }, { name: 'CHANGES.md', data: 'c' }, { name: 'a/b/c.tmp', data: 't' }, { name: 'a/b/c.txt', data: 't' },
    { name: 'logs/', type: 'dir' }, { name: 'logs/1.log', data: '1' }, { name: 'logs/keep.log', data: 'k' }, { name: 'sub/x.md', data: 'not at the root' },
  ]);
  try {
    assert.equal(await ctx.dockerfile(), 'FROM scratch');
    const has = (p: string) => existsSync(join(ctx.dir, p)) && ctx.entry(p) !== undefined;
    assert.equal(has('Dockerfile'), false);
    assert.equal(has('.dockerignore'), false);
    assert.equal(has('README.md'), true);
    assert.equal(has('CHANGES.md'), false);
    assert.equal(existsSync(join(ctx.dir, 'CHANGES.md')), false);
    assert.equal(has('a/b/c.tmp'), false);
    assert.equal(has('a/b/c.txt'), true);
    assert.equal(has('logs/1.log'), false);
    assert.equal(has('logs/keep.log'), true);
    assert.equal(has('sub/x.md'), true);
  } finally {
    await ctx.close();
  }
});

test('<Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore', async () => {
  const ctx = await receive([
    { name: 'build/app.Dockerfile', data: 'FROM scratch' }, { name: 'build/app.Dockerfile.dockerignore', data: 'a.txt\n' },
    { name: '.dockerignore', data: 'b.txt\n' }, { name: 'a.txt', data: 'a' }, { name: 'b.txt', data: 'b' },
  ], { dockerfile: 'build/app.Dockerfile' });
  try {
    assert.equal(ctx.entry('a.txt'), undefined);
    assert.notEqual(ctx.entry('b.txt'), undefined);
  } finally {
    await ctx.close();
  }
});

test('a bad .dockerignore pattern is refused', async () => {
  await assert.rejects(receive([{ name: '.dockerignore', data: '[\n' }]), /failed to parse dockerignore: syntax error in pattern/);
});

test('checksum: one changed file changes it, an untouched file keeps it; mtime alone does not count', async () => {
  const files = (over: Record<string, Partial<{ data: string; mode: number; mtime: number; uid: number }>> = {}): Member[] => [
    { name: 'Dockerfile', data: 'FROM scratch' },
    ...['a.txt', 'b.txt', 'dir/c.txt', 'dir/d.txt'].map((name) => ({ name, data: `content of ${name}`, ...over[name] })),
    { name: 'dir/link', type: 'symlink', target: 'c.txt' },
  ];
  const sums = async (members: Member[]) => {
    const ctx = await receive(members);
    try {
      return {
        a: await ctx.checksum(['a.txt'], []), b: await ctx.checksum(['b.txt'], []), dir: await ctx.checksum(['dir'], []),
        all: await ctx.checksum(['.'], []), wild: await ctx.checksum(['*.txt'], []), excl: await ctx.checksum(['dir'], ['d.txt']),
        link: await ctx.checksum(['dir/link'], []),
      };
    } finally {
      await ctx.close();
    }
  };
  const base = await sums(files());
  assert.deepEqual(await sums(files()), base, 'stable');
  assert.match(base.a, /^sha256:[0-9a-f]{64}$/);
  const changedA = await sums(files({ 'a.txt': { data: 'changed' } }));
  assert.notEqual(changedA.a, base.a);
  assert.equal(changedA.b, base.b);
  assert.equal(changedA.dir, base.dir);
  assert.notEqual(changedA.all, base.all);
  assert.notEqual(changedA.wild, base.wild);
  const changedD = await sums(files({ 'dir/d.txt': { data: 'changed' } }));
  assert.notEqual(changedD.dir, base.dir);
  assert.equal(changedD.excl, base.excl, 'an excluded file does not count');
  const changedC = await sums(files({ 'dir/c.txt': { data: 'changed' } }));
  assert.notEqual(changedC.link, base.link, 'a link source is keyed on its target');
  assert.notEqual((await sums(files({ 'a.txt': { mode: 0o600 } }))).a, base.a, 'mode counts');
  assert.notEqual((await sums(files({ 'a.txt': { uid: 5 } }))).a, base.a, 'owner counts');
  // mtime is left out, as BuildKit's contenthash (tarsum v1) leaves it out: a checkout or a
  // `touch` must not bust the cache when no byte changed.
  assert.deepEqual(await sums(files({ 'a.txt': { mtime: 1 } })), base);
  const ctx = await receive(files());
  try {
    await assert.rejects(ctx.checksum(['missing'], []), /COPY failed: file not found in build context or excluded by \.dockerignore: stat missing: file does not exist/);
    await assert.rejects(ctx.checksum(['../x'], []), /forbidden path outside the build context: \.\.\/x \(\)/);
  } finally {
    await ctx.close();
  }
});

test('50,000 files are received with a compact index', async () => {
  const members: Member[] = [{ name: 'Dockerfile', data: 'FROM scratch' }];
  for (let i = 0; i < 50_000; i++) members.push({ name: `d${i % 100}/f${i}`, data: `${i}` });
  const ctx = await receive(members);
  try {
    assert.equal(ctx.size, 1 + 1 + 100 + 50_000);
    assert.equal(readFileSync(join(ctx.dir, 'd7/f12307'), 'utf8'), '12307');
    assert.match(await ctx.checksum(['.'], []), /^sha256:/);
  } finally {
    await ctx.close();
  }
  assert.equal(lstatSync(tmp).isDirectory(), true);
});

test('checksum of ADD <url> sources: the served bytes, or --checksum without a download', async () => {
  const { createServer } = await import('node:http');
  let body = 'v1';
  let hits = 0;
  const server = createServer((_rq, res) => {
    hits++;
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/f.txt`;
  const ctx = await receive([{ name: 'a', data: 'a' }]);
  try {
    const one = await ctx.checksum([url, 'a'], []);
    assert.equal(await ctx.checksum([url, 'a'], []), one);
    body = 'v2';
    assert.notEqual(await ctx.checksum([url, 'a'], []), one);
    const before = hits;
    const pinned = await ctx.checksum([url], [], { urlChecksum: `sha256:${'1'.repeat(64)}` });
    assert.equal(hits, before, 'no download when --checksum is given');
    assert.notEqual(pinned, one);
  } finally {
    server.close();
    await ctx.close();
  }
});

test('the context directory is 0700: a set-uid file from the tar is out of every host user\'s reach', async () => {
  const ctx = await receive([{ name: 'Dockerfile', data: 'FROM scratch' }, { name: 'suid', data: 'x', mode: 0o4755 }]);
  try {
    assert.equal(statSync(ctx.dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(ctx.dir, 'suid')).mode & 0o7777, 0o4755);
  } finally {
    await ctx.close();
  }
});
