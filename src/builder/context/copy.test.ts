// copyIntoRoot: Docker's COPY/ADD rules, each one checked on real directories; the escapes (a
// source link to /etc/shadow, `../`, links in the destination) never reach the host's files.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  chownSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { makeTar } from './context.test-helpers.ts';
import { copyIntoRoot, normalizeDest } from './copy.ts';
import type { CopyRequest } from './types.ts';

let tmp: string;
let src: string;
let dst: string;
let hostSecret: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-copy-'));
  hostSecret = join(tmp, 'host-secret');
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const MTIME = 1_600_000_000;
beforeEach(() => {
  src = join(tmp, 'src');
  dst = join(tmp, 'dst');
  rmSync(src, { recursive: true, force: true });
  rmSync(dst, { recursive: true, force: true });
  writeFileSync(hostSecret, 'HOST SECRET');
  mkdirSync(join(src, 'dir/sub'), { recursive: true });
  mkdirSync(dst);
  const file = (p: string, data: string, mode = 0o644) => {
    writeFileSync(join(src, p), data, { mode });
    chownSync(join(src, p), 1000, 1000);
    utimesSync(join(src, p), MTIME, MTIME);
  };
  file('a.txt', 'A', 0o640);
  file('b.txt', 'B');
  file('run.sh', '#!/bin/sh', 0o755);
  file('dir/one.md', 'one');
  file('dir/two.txt', 'two');
  file('dir/sub/three.txt', 'three');
  linkSync(join(src, 'dir/two.txt'), join(src, 'dir/two-hard.txt'));
  symlinkSync('two.txt', join(src, 'dir/rel-link'));
  symlinkSync(hostSecret, join(src, 'dir/abs-link')); // copied as a link, never as the host's bytes
  symlinkSync('/etc/shadow', join(src, 'shadow-link'));
  symlinkSync(hostSecret, join(src, 'secret-link'));
  symlinkSync('dir', join(src, 'dir-link'));
  chownSync(join(src, 'dir'), 1000, 1000);
  utimesSync(join(src, 'dir'), MTIME, MTIME);
});

const req = (over: Partial<CopyRequest>): CopyRequest => ({
  sources: [], inline: [], dest: '/', workdir: '/', exclude: [], parents: false, unpack: false, ...over,
});
const copy = (over: Partial<CopyRequest>, isContext = true) => copyIntoRoot({ rootDir: src, isContext }, req(over), dst, { tmpDir: join(tmp, 'spool') });
const read = (p: string) => readFileSync(join(dst, p), 'utf8');

test('normalizeDest: relative to the workdir, trailing / kept', () => {
  assert.equal(normalizeDest('/app', 'x'), '/app/x');
  assert.equal(normalizeDest('/app', 'x/'), '/app/x/');
  assert.equal(normalizeDest('/app', '.'), '/app');
  assert.equal(normalizeDest('/', './'), '/');
  assert.equal(normalizeDest('/app', '/abs'), '/abs');
});

test('a file: to a path, into a dir ending in /, into an existing dir; mode and mtime kept, owner 0:0', async () => {
  await copy({ sources: ['a.txt'], dest: '/out/renamed' });
  assert.equal(read('out/renamed'), 'A');
  const st = statSync(join(dst, 'out/renamed'));
  assert.equal(st.mode & 0o7777, 0o640);
  assert.equal(st.uid, 0);
  assert.equal(st.gid, 0);
  assert.equal(Math.floor(st.mtimeMs / 1000), MTIME);
  const parent = statSync(join(dst, 'out'));
  assert.equal(parent.mode & 0o7777, 0o755);
  assert.equal(parent.uid, 0);
  await copy({ sources: ['a.txt'], dest: '/slash/' });
  assert.equal(read('slash/a.txt'), 'A');
  mkdirSync(join(dst, 'exists'));
  await copy({ sources: ['b.txt'], dest: '/exists' });
  assert.equal(read('exists/b.txt'), 'B');
  await copy({ sources: ['./run.sh'], dest: 'bin/', workdir: '/usr/local' });
  assert.equal(statSync(join(dst, 'usr/local/bin/run.sh')).mode & 0o777, 0o755);
});

test('a directory copies its contents; links stay links, hard links stay linked; a new dest is 0755', async () => {
  await copy({ sources: ['dir'], dest: '/app' });
  assert.equal(read('app/one.md'), 'one');
  assert.equal(read('app/sub/three.txt'), 'three');
  assert.equal(existsSync(join(dst, 'app/dir')), false);
  assert.equal(readlinkSync(join(dst, 'app/rel-link')), 'two.txt');
  assert.equal(readlinkSync(join(dst, 'app/abs-link')), hostSecret);
  assert.equal(lstatSync(join(dst, 'app/abs-link')).uid, 0);
  assert.equal(statSync(join(dst, 'app/two-hard.txt')).ino, statSync(join(dst, 'app/two.txt')).ino);
  assert.equal(statSync(join(dst, 'app')).mode & 0o7777, 0o755);
  assert.equal(statSync(join(dst, 'app/sub')).uid, 0);
  assert.equal(Math.floor(statSync(join(dst, 'app/one.md')).mtimeMs / 1000), MTIME);
});

test('a link source is followed inside the root and named as written', async () => {
  await copy({ sources: ['dir-link'], dest: '/via/' });
  assert.equal(read('via/two.txt'), 'two');
  await copy({ sources: ['dir/rel-link'], dest: '/l/' });
  assert.equal(read('l/rel-link'), 'two');
  assert.equal(lstatSync(join(dst, 'l/rel-link')).isFile(), true);
});

test('a link to /etc/shadow or to a host file resolves inside the root: never the host\'s bytes', async () => {
  await assert.rejects(copy({ sources: ['shadow-link'], dest: '/x' }), /COPY failed: file not found in build context or excluded by \.dockerignore: stat shadow-link: file does not exist/);
  await assert.rejects(copy({ sources: ['secret-link'], dest: '/x' }), /file not found/);
  mkdirSync(join(src, 'etc'));
  writeFileSync(join(src, 'etc/shadow'), 'the root\'s own shadow');
  await copy({ sources: ['shadow-link'], dest: '/x' });
  assert.equal(read('x'), 'the root\'s own shadow');
});

test('`../` is refused with Docker\'s message', async () => {
  await assert.rejects(copy({ sources: ['../x'], dest: '/' }), /COPY failed: forbidden path outside the build context: \.\.\/x \(\)/);
  await assert.rejects(copy({ sources: ['dir/../../host-secret'], dest: '/' }), /forbidden path outside the build context/);
  await assert.rejects(copy({ sources: ['../*'], dest: '/' }), /COPY failed: no source files were specified/);
  assert.equal(existsSync(join(dst, 'host-secret')), false);
});

test('missing sources: the context\'s message and another root\'s', async () => {
  await assert.rejects(copy({ sources: ['nope'], dest: '/' }), /COPY failed: file not found in build context or excluded by \.dockerignore: stat nope: file does not exist/);
  await assert.rejects(copy({ sources: ['nope'], dest: '/' }, false), (err: Error) => err.message === 'COPY failed: stat nope: file does not exist');
  await assert.rejects(copy({ sources: ['nope'], dest: '/', command: 'ADD' }), /: ADD failed: file not found/);
  await assert.rejects(copy({ sources: [], dest: '/' }), /COPY failed: no source files were specified/);
});

test('wildcards (Go filepath.Match), and several sources need a dest ending in /', async () => {
  const multi = /When using COPY with more than one source file, the destination must be a directory and end with a \//;
  await assert.rejects(copy({ sources: ['a.txt', 'b.txt'], dest: '/out' }), multi);
  await assert.rejects(copy({ sources: ['*.txt'], dest: '/out' }), multi);
  await assert.rejects(copy({ sources: ['*.nothing'], dest: '/out/' }), /COPY failed: no source files were specified/);
  await copy({ sources: ['[ab].txt'], dest: '/out/' });
  assert.equal(read('out/a.txt'), 'A');
  assert.equal(read('out/b.txt'), 'B');
  await copy({ sources: ['r?n.*'], dest: '/single' }); // one match: no / needed
  assert.equal(read('single'), '#!/bin/sh');
  await copy({ sources: ['dir/*/three.txt', 'dir/*.md'], dest: '/deep/' });
  assert.equal(read('deep/three.txt'), 'three');
  assert.equal(read('deep/one.md'), 'one');
  await copy({ sources: ['d*'], dest: '/dirs/' }); // dir and dir-link: each a directory's contents
  assert.equal(read('dirs/two.txt'), 'two');
});

test('the final component of the destination is never followed; links on the way stay in the root', async () => {
  symlinkSync(hostSecret, join(dst, 'f'));
  await copy({ sources: ['a.txt'], dest: '/f' });
  assert.equal(lstatSync(join(dst, 'f')).isFile(), true);
  assert.equal(readFileSync(hostSecret, 'utf8'), 'HOST SECRET');
  // A directory link to a host path: followed inside the destination root.
  const hostDir = join(tmp, 'host-dir');
  mkdirSync(hostDir, { recursive: true });
  symlinkSync(hostDir, join(dst, 'd'));
  await copy({ sources: ['b.txt'], dest: '/d/b.txt' });
  assert.equal(existsSync(join(hostDir, 'b.txt')), false);
  assert.equal(readFileSync(join(dst, hostDir, 'b.txt'), 'utf8'), 'B');
  // An existing directory at the file's name is replaced (moby's untar does so).
  mkdirSync(join(dst, 'was-dir/x'), { recursive: true });
  await copy({ sources: ['a.txt'], dest: '/was-dir' }); // exists as a dir: goes inside
  assert.equal(read('was-dir/a.txt'), 'A');
});

test('--chown and --chmod; --chown also owns the parents it makes', async () => {
  await copy({ sources: ['dir'], dest: '/owned/app/', chown: { uid: 33, gid: 44 }, chmod: 0o700 });
  const st = statSync(join(dst, 'owned/app/one.md'));
  assert.equal(st.uid, 33);
  assert.equal(st.gid, 44);
  assert.equal(st.mode & 0o7777, 0o700);
  assert.equal(statSync(join(dst, 'owned/app/sub')).mode & 0o7777, 0o700);
  assert.equal(statSync(join(dst, 'owned')).uid, 0, 'parents above a directory\'s dest are root\'s (CopyWithTar)');
  assert.equal(statSync(join(dst, 'owned/app')).uid, 33);
  await copy({ sources: ['a.txt'], dest: '/fown/deep/a', chown: { uid: 33, gid: 44 } });
  assert.equal(statSync(join(dst, 'fown')).uid, 33, 'a file\'s new parents are the identity\'s (MkdirAllAndChownNew)');
  assert.equal(lstatSync(join(dst, 'owned/app/rel-link')).uid, 33);
  await copy({ sources: ['a.txt'], dest: '/c', chmod: 0o4755 });
  assert.equal(statSync(join(dst, 'c')).mode & 0o7777, 0o4755);
});

test('--exclude leaves out what it matches, below a directory source and among wildcard matches', async () => {
  await copy({ sources: ['dir'], dest: '/e/', exclude: ['*.md', 'sub'] });
  assert.equal(existsSync(join(dst, 'e/one.md')), false);
  assert.equal(existsSync(join(dst, 'e/sub')), false);
  assert.equal(read('e/two.txt'), 'two');
  await copy({ sources: ['*.txt'], dest: '/w/', exclude: ['b.txt'] });
  assert.equal(read('w/a.txt'), 'A');
  assert.equal(existsSync(join(dst, 'w/b.txt')), false);
  await copy({ sources: ['dir'], dest: '/k/', exclude: ['sub', '!sub/three.txt'] });
  assert.equal(read('k/sub/three.txt'), 'three');
});

test('--parents keeps the source\'s directories, from a /./ pivot if there is one', async () => {
  await copy({ sources: ['dir/sub/three.txt', 'a.txt'], dest: '/p/', parents: true });
  assert.equal(read('p/dir/sub/three.txt'), 'three');
  assert.equal(read('p/a.txt'), 'A');
  await copy({ sources: ['./dir/./sub/three.txt'], dest: '/q/', parents: true });
  assert.equal(read('q/sub/three.txt'), 'three');
  await copy({ sources: ['dir/*/three.txt'], dest: '/r', parents: true });
  assert.equal(read('r/dir/sub/three.txt'), 'three');
});

test('heredoc files', async () => {
  await copy({ inline: [{ name: 'hello.sh', content: 'echo hi\n' }], dest: '/usr/bin/', chmod: 0o755 });
  assert.equal(read('usr/bin/hello.sh'), 'echo hi\n');
  assert.equal(statSync(join(dst, 'usr/bin/hello.sh')).mode & 0o777, 0o755);
  await copy({ inline: [{ name: 'EOF', content: 'x' }], dest: '/etc/conf' });
  assert.equal(read('etc/conf'), 'x');
  assert.equal(statSync(join(dst, 'etc/conf')).mode & 0o777, 0o644);
});

test('ADD extracts local archives (plain, gzip, bzip2, xz) through the shared extraction; COPY and --unpack=false do not', async () => {
  const tar = await makeTar([{ name: 'pkg/', type: 'dir' }, { name: 'pkg/file', data: 'from the archive', uid: 7, gid: 8 }]);
  writeFileSync(join(src, 'a.tar'), tar);
  writeFileSync(join(src, 'a.tar.gz'), gzipSync(tar));
  writeFileSync(join(src, 'a.tar.bz2'), execFileSync('bzip2', ['-c'], { input: tar }));
  writeFileSync(join(src, 'a.tar.xz'), execFileSync('xz', ['-c'], { input: tar }));
  for (const name of ['a.tar', 'a.tar.gz', 'a.tar.bz2', 'a.tar.xz']) {
    await copy({ sources: [name], dest: `/x-${name}/`, command: 'ADD', unpack: true });
    assert.equal(read(`x-${name}/pkg/file`), 'from the archive', name);
    assert.equal(statSync(join(dst, `x-${name}/pkg/file`)).uid, 7, 'the archive\'s owner is kept');
  }
  await copy({ sources: ['a.tar.gz'], dest: '/keep/', command: 'ADD', unpack: false });
  assert.deepEqual(readFileSync(join(dst, 'keep/a.tar.gz')), gzipSync(tar));
  await copy({ sources: ['a.tar'], dest: '/copied/' });
  assert.equal(statSync(join(dst, 'copied/a.tar')).isFile(), true);
  // A hostile archive is refused by the shared extraction.
  writeFileSync(join(src, 'evil.tar'), await makeTar([{ name: 'l', type: 'symlink', target: '../../../../etc' }, { name: 'l/x', data: 'x' }]));
  await assert.rejects(copy({ sources: ['evil.tar'], dest: '/evil/', command: 'ADD', unpack: true }), /invalid symlink|written through/);
  // Not a tar: copied as a file.
  writeFileSync(join(src, 'not.gz'), gzipSync(Buffer.from('plain text')));
  await copy({ sources: ['not.gz'], dest: '/ng/', command: 'ADD', unpack: true });
  assert.equal(statSync(join(dst, 'ng/not.gz')).isFile(), true);
});

test('ADD <url>: downloaded 0600 with Last-Modified, named from the URL, --checksum verified, never extracted', async () => {
  const body = gzipSync(await makeTar([{ name: 'inner', data: 'x' }]));
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const server: Server = createServer((rq, res) => {
    if (rq.url === '/redirect') {
      res.writeHead(302, { location: '/files/pkg.tar.gz' });
      res.end();
    } else if (rq.url === '/files/pkg.tar.gz') {
      res.writeHead(200, { 'last-modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'content-type': 'application/gzip' });
      res.end(body);
    } else if (rq.url === '/star/') {
      res.writeHead(200, { 'content-disposition': "attachment; filename*=UTF-8''na%C3%AFve.bin" });
      res.end('star');
    } else if (rq.url === '/dir/') {
      res.writeHead(200, { 'content-disposition': 'attachment; filename="named.bin"' });
      res.end('cd');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such thing\n');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await copy({ sources: [`${base}/files/pkg.tar.gz`], dest: '/dl/', command: 'ADD', unpack: true });
    const st = statSync(join(dst, 'dl/pkg.tar.gz'));
    assert.equal(st.mode & 0o7777, 0o600);
    assert.equal(st.mtimeMs, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'));
    assert.deepEqual(readFileSync(join(dst, 'dl/pkg.tar.gz')), body);
    await copy({ sources: [`${base}/redirect`], dest: '/renamed', command: 'ADD', unpack: true, checksum: digest });
    assert.deepEqual(readFileSync(join(dst, 'renamed')), body);
    await copy({ sources: [`${base}/dir/`], dest: '/cd/', command: 'ADD', unpack: true });
    assert.equal(read('cd/named.bin'), 'cd');
    await copy({ sources: [`${base}/star/`], dest: '/cd/', command: 'ADD', unpack: true });
    assert.equal(read('cd/naïve.bin'), 'star');
    const wrong = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(copy({ sources: [`${base}/files/pkg.tar.gz`], dest: '/bad', command: 'ADD', unpack: true, checksum: wrong }),
      new RegExp(`digest mismatch ${digest}: ${wrong}`));
    assert.equal(existsSync(join(dst, 'bad')), false);
    await assert.rejects(copy({ sources: [`${base}/missing`], dest: '/m', command: 'ADD', unpack: true }),
      /failed to GET http:\/\/127\.0\.0\.1:\d+\/missing with status 404 Not Found: no such thing/);
    await assert.rejects(copy({ sources: [`${base}/files/pkg.tar.gz`], dest: '/c' }), /COPY failed: source can't be a URL for COPY/);
    await assert.rejects(copy({ sources: ['a.txt'], dest: '/c', command: 'ADD', checksum: digest }), /checksum can't be specified for non-HTTP\(S\) sources/);
    await assert.rejects(copy({ sources: [`${base}/x`, `${base}/y`], dest: '/c/', command: 'ADD', checksum: digest }), /checksum can't be specified for multiple sources/);
    await assert.rejects(copy({ sources: [`${base}/x`], dest: '/c', checksum: digest }), /checksum can't be specified for COPY/);
    await assert.rejects(copy({ sources: ['https://example.invalid/repo.git'], dest: '/g', command: 'ADD' }), /adding a git repository .* is not supported/);
  } finally {
    server.close();
  }
});

test('mtimes are whole seconds (moby\'s tar copy); file capabilities are kept', async () => {
  const { openSync, closeSync } = await import('node:fs');
  const { fsetxattr, lgetxattrAt, openRoot } = await import('../../fsroot/index.ts');
  utimesSync(join(src, 'b.txt'), MTIME + 0.75, MTIME + 0.75);
  const cap = Buffer.alloc(20);
  cap.writeUInt32LE(0x02000001, 0); // VFS_CAP_REVISION_2 | effective
  cap.writeUInt32LE(1 << 13, 4); // permitted: CAP_NET_RAW
  const fd = openSync(join(src, 'dir/two.txt'), 'r');
  fsetxattr(fd, 'security.capability', cap);
  closeSync(fd);
  await copy({ sources: ['b.txt', 'dir/two.txt'], dest: '/t/' });
  await copy({ sources: ['dir'], dest: '/td' });
  assert.equal(statSync(join(dst, 't/b.txt')).mtimeMs, MTIME * 1000);
  const root = openRoot(join(dst, 't'));
  const root2 = openRoot(join(dst, 'td'));
  try {
    assert.deepEqual(lgetxattrAt(root, 'two.txt', 'security.capability'), cap);
    assert.deepEqual(lgetxattrAt(root2, 'two.txt', 'security.capability'), cap);
    assert.equal(lgetxattrAt(root, 'b.txt', 'security.capability'), null);
  } finally {
    closeSync(root);
    closeSync(root2);
  }
});

test('with the user-space walk (kernels without openat2) the escapes stay refused', async () => {
  const { setResolverImpl } = await import('../../fsroot/index.ts');
  setResolverImpl('walk');
  try {
    await assert.rejects(copy({ sources: ['secret-link'], dest: '/x' }), /file not found/);
    symlinkSync(hostSecret, join(dst, 'f'));
    await copy({ sources: ['a.txt'], dest: '/f' });
    assert.equal(readFileSync(hostSecret, 'utf8'), 'HOST SECRET');
    assert.equal(read('f'), 'A');
    await copy({ sources: ['dir'], dest: '/w' });
    assert.equal(read('w/sub/three.txt'), 'three');
  } finally {
    setResolverImpl('auto');
  }
});

test('end to end: a received context with .dockerignore, copied with COPY . /app/', async () => {
  const { receiveContext } = await import('./receive.ts');
  const { chunked } = await import('./context.test-helpers.ts');
  const tar = await makeTar([
    { name: 'Dockerfile', data: 'FROM scratch\nCOPY . /app/\n' }, { name: '.dockerignore', data: 'secret.env\n*.log\n!keep.log\nDockerfile\n' },
    { name: 'secret.env', data: 'TOKEN=x' }, { name: 'debug.log', data: 'd' }, { name: 'keep.log', data: 'k' }, { name: 'src/index.js', data: 'js' },
    { name: 'src/evil', type: 'symlink', target: '/etc/shadow' },
  ]);
  const ctx = await receiveContext(chunked(tar), { dir: join(tmp, 'e2e-ctx') });
  try {
    await copyIntoRoot({ rootDir: ctx.dir, isContext: true }, req({ sources: ['.'], dest: '/app/' }), dst);
    assert.equal(read('app/src/index.js'), 'js');
    assert.equal(read('app/keep.log'), 'k');
    assert.equal(readlinkSync(join(dst, 'app/src/evil')), '/etc/shadow');
    for (const gone of ['secret.env', 'debug.log', 'Dockerfile']) assert.equal(existsSync(join(dst, 'app', gone)), false, gone);
    assert.equal(read('app/.dockerignore').startsWith('secret.env'), true);
    await assert.rejects(copyIntoRoot({ rootDir: ctx.dir, isContext: true }, req({ sources: ['secret.env'], dest: '/' }), dst),
      /file not found in build context or excluded by \.dockerignore: stat secret\.env/);
    await assert.rejects(copyIntoRoot({ rootDir: ctx.dir, isContext: true }, req({ sources: ['src/evil'], dest: '/x' }), dst), /file not found/);
  } finally {
    await ctx.close();
  }
});

test('a cancelled build stops the copy', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(copyIntoRoot({ rootDir: src, isContext: true }, req({ sources: ['dir'], dest: '/x/' }), dst, { signal: ac.signal }), { name: 'AbortError' });
  assert.equal(existsSync(join(dst, 'x/one.md')), false);
});
