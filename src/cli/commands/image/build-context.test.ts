// packBuildContext: the tar docker CLI's legacy builder sends (names, order, owners, .dockerignore
// with the Dockerfile and .dockerignore always sent, a Dockerfile from outside or from stdin
// under .dockerfile.<random>) and its "unable to prepare context" errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../../../common/index.ts';
import { packBuildContext } from './build-context.ts';

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-pack-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function tree(files: Record<string, string | null>): string {
  const dir = join(tmp, `c${++n}`);
  mkdirSync(dir);
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    if (data === null) mkdirSync(join(dir, p), { recursive: true });
    else writeFileSync(join(dir, p), data);
  }
  return dir;
}

interface Got {
  name: string;
  type: string;
  uid: number;
  gid: number;
  mtime: number;
  linkname: string;
  data: string;
}

async function unpack(packed: { stream: AsyncIterable<unknown> }): Promise<Got[]> {
  const out: Got[] = [];
  for await (const e of readTar(packed.stream as AsyncIterable<Uint8Array>)) {
    const chunks: Buffer[] = [];
    for await (const c of e.body()) chunks.push(Buffer.from(c));
    out.push({ name: e.name, type: e.type, uid: e.uid, gid: e.gid, mtime: e.mtime, linkname: e.linkname, data: Buffer.concat(chunks).toString() });
  }
  return out;
}

test('a context: walk order, directories with a slash, links kept, owners 0, whole-second mtimes; size() counts the bytes', async () => {
  const dir = tree({ Dockerfile: 'FROM scratch', 'b/z.txt': 'z', 'a.txt': 'a', 'b/a.txt': 'ba' });
  symlinkSync('/etc/passwd', join(dir, 'link'));
  utimesSync(join(dir, 'a.txt'), 1_600_000_000.75, 1_600_000_000.75);
  const packed = await packBuildContext(dir, {});
  assert.equal(packed.dockerfile, 'Dockerfile');
  const chunks: Buffer[] = [];
  for await (const c of packed.stream) chunks.push(c as Buffer);
  const total = Buffer.concat(chunks);
  assert.equal(packed.size(), total.length);
  const got = await unpack({ stream: (async function* () { yield total; })() });
  assert.deepEqual(got.map((e) => e.name), ['Dockerfile', 'a.txt', 'b/', 'b/a.txt', 'b/z.txt', 'link']);
  assert.equal(got.find((e) => e.name === 'link')!.linkname, '/etc/passwd');
  assert.equal(got.find((e) => e.name === 'a.txt')!.mtime, 1_600_000_000);
  assert.ok(got.every((e) => e.uid === 0 && e.gid === 0));
});

test('.dockerignore leaves files out; the Dockerfile and .dockerignore are always sent; exceptions below an excluded dir', async () => {
  const dir = tree({
    Dockerfile: 'FROM scratch', '.dockerignore': '*\n!src\n!logs/keep.log\nsrc/**/*.tmp\n', 'src/app.js': 'x', 'src/deep/x.tmp': 't',
    'README.md': 'r', 'logs/1.log': '1', 'logs/keep.log': 'k',
  });
  const got = (await unpack(await packBuildContext(dir, {}))).map((e) => e.name);
  assert.deepEqual(got, ['.dockerignore', 'Dockerfile', 'logs/keep.log', 'src/', 'src/app.js', 'src/deep/']);
});

test('the lowercase dockerfile is found when there is no Dockerfile; -f names one inside the context', async () => {
  const dir = tree({ dockerfile: 'FROM scratch', 'build/prod.Dockerfile': 'FROM prod' });
  assert.equal((await packBuildContext(dir, {})).dockerfile, 'dockerfile');
  const packed = await packBuildContext(dir, { dockerfile: join(dir, 'build/prod.Dockerfile') });
  assert.equal(packed.dockerfile, 'build/prod.Dockerfile');
  await unpack(packed);
});

test('<Dockerfile>.dockerignore beside the Dockerfile wins over .dockerignore', async () => {
  const dir = tree({ 'app.Dockerfile': 'FROM scratch', 'app.Dockerfile.dockerignore': 'a.txt\n', '.dockerignore': 'b.txt\n', 'a.txt': 'a', 'b.txt': 'b' });
  const got = (await unpack(await packBuildContext(dir, { dockerfile: join(dir, 'app.Dockerfile') }))).map((e) => e.name);
  assert.ok(!got.includes('a.txt'));
  assert.ok(got.includes('b.txt'));
});

test('a Dockerfile outside the context or from stdin goes in as .dockerfile.<random>, named in .dockerignore', async () => {
  const outside = join(tmp, 'outside.Dockerfile');
  writeFileSync(outside, 'FROM outside');
  const dir = tree({ 'a.txt': 'a' });
  const packed = await packBuildContext(dir, { dockerfile: outside });
  assert.match(packed.dockerfile, /^\.dockerfile\.[0-9a-f]{20}$/);
  const got = await unpack(packed);
  assert.equal(got.find((e) => e.name === packed.dockerfile)!.data, 'FROM outside');
  assert.equal(got.find((e) => e.name === '.dockerignore')!.data, `.dockerignore\n${packed.dockerfile}\n`);

  const withIgnore = tree({ 'a.txt': 'a', '.dockerignore': 'b.txt' });
  const stdin = await packBuildContext(withIgnore, { dockerfile: '-', dockerfileContent: Buffer.from('FROM stdin') });
  const got2 = await unpack(stdin);
  assert.equal(got2.find((e) => e.name === stdin.dockerfile)!.data, 'FROM stdin');
  assert.equal(got2.find((e) => e.name === '.dockerignore')!.data, `b.txt\n${stdin.dockerfile}\n`);
  assert.equal(got2.filter((e) => e.name === '.dockerignore').length, 1);
});

test('"unable to prepare context" errors', async () => {
  const missing = join(tmp, 'missing');
  await assert.rejects(packBuildContext(missing, {}), { message: `unable to prepare context: path ${JSON.stringify(missing)} not found` });
  const file = join(tmp, 'a-file');
  writeFileSync(file, '');
  await assert.rejects(packBuildContext(file, {}), { message: `unable to prepare context: context must be a directory: ${file}` });
  const empty = tree({ 'x.txt': '' });
  await assert.rejects(packBuildContext(empty, {}), {
    message: `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${join(empty, 'Dockerfile')}: no such file or directory`,
  });
  await assert.rejects(packBuildContext(empty, { dockerfile: join(empty, 'Other') }), /unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat .*\/Other: no such file or directory/);
  const bad = tree({ Dockerfile: '', '.dockerignore': '[\n' });
  await assert.rejects(packBuildContext(bad, {}), /syntax error in pattern/);
});

test('the same entries as docker CLI 28\'s legacy builder sends (recorded from `DOCKER_BUILDKIT=0 docker build`)', async () => {
  const { chmodSync, linkSync } = await import('node:fs');
  const { execFileSync } = await import('node:child_process');
  const dir = tree({
    Dockerfile: 'FROM scratch\n', '.dockerignore': '*.md\n!README.md\nlogs\n!logs/keep.log\nsrc/**/*.tmp\nDockerfile\n.dockerignore\n',
    'README.md': 'r\n', 'CHANGES.md': 'c\n', 'src/a.js': 'a\n', 'src/deep/x.tmp': 't\n', 'logs/keep.log': 'k\n', 'logs/1.log': 'l\n', empty: null,
  });
  symlinkSync('/etc/passwd', join(dir, 'link'));
  linkSync(join(dir, 'src/a.js'), join(dir, 'hard.js'));
  chmodSync(join(dir, 'src/a.js'), 0o4755);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  // The tar docker CLI 28.2 sent for this tree (its order, types, modes and links).
  const recorded = [
    ['.dockerignore', 'file', 0o644, ''], ['Dockerfile', 'file', 0o644, ''], ['README.md', 'file', 0o644, ''], ['empty/', 'dir', 0o755, ''],
    ['fifo', 'fifo', 0o644, ''], ['hard.js', 'file', 0o4755, ''], ['link', 'symlink', 0o777, '/etc/passwd'], ['logs/keep.log', 'file', 0o644, ''],
    ['src/', 'dir', 0o755, ''], ['src/a.js', 'hardlink', 0o4755, 'hard.js'], ['src/deep/', 'dir', 0o755, ''],
  ];
  const got: unknown[] = [];
  const packed = await packBuildContext(dir, {});
  for await (const e of readTar(packed.stream as AsyncIterable<Uint8Array>)) {
    got.push([e.type === 'dir' ? `${e.name.replace(/\/$/, '')}/` : e.name, e.type, e.mode, e.linkname]);
    for await (const _ of e.body());
  }
  assert.deepEqual(got, recorded);
});
