// docker cp's local path rules (pkg/archive copy.go) and the path stat's Go encodings.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  copyInfoDestinationPath, copyInfoSourcePath, getRebaseName, prepareArchiveCopy, preserveTrailingDotOrSeparator, rebaseName, splitCpArg, splitPathDirEntry,
  type CopyInfo,
} from './copy-info.ts';
import { GO_MODE, decodePathStat, goFileMode, goModeIsDir, goModeIsSymlink, goTimeJson } from './path-stat.ts';

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-copyinfo-'));
  mkdirSync(join(tmp, 'dir/sub'), { recursive: true });
  writeFileSync(join(tmp, 'file'), 'x');
  symlinkSync('dir', join(tmp, 'link-dir'));
  symlinkSync('file', join(tmp, 'link-file'));
  symlinkSync('nowhere', join(tmp, 'dangling'));
  symlinkSync('loop-b', join(tmp, 'loop-a'));
  symlinkSync('loop-a', join(tmp, 'loop-b'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

test('splitCpArg: CONTAINER:PATH, and local paths with a colon made explicit', () => {
  assert.deepEqual(splitCpArg('c1:/etc/passwd'), ['c1', '/etc/passwd']);
  assert.deepEqual(splitCpArg('c1:'), ['c1', '']);
  assert.deepEqual(splitCpArg('/abs/file:name'), ['', '/abs/file:name']);
  assert.deepEqual(splitCpArg('./file:name'), ['', './file:name']);
  assert.deepEqual(splitCpArg('plain'), ['', 'plain']);
  assert.deepEqual(splitCpArg('-'), ['', '-']);
});

test('trailing `/` and `/.` are kept, split and rebased as pkg/archive does', () => {
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/'), '/a/b/');
  assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/.'), '/a/b/.');
  assert.equal(preserveTrailingDotOrSeparator('/', '/.'), '/.');
  assert.equal(preserveTrailingDotOrSeparator('/a', 'a'), '/a');
  assert.deepEqual(splitPathDirEntry('/a/b/'), ['/a', 'b']);
  assert.deepEqual(splitPathDirEntry('/a/b/.'), ['/a/b', '.']);
  assert.deepEqual(splitPathDirEntry('/'), ['/', '/']);
  assert.deepEqual(getRebaseName('/x/link/', '/real/dir'), ['/real/dir/', 'link']);
  assert.deepEqual(getRebaseName('/x/link/.', '/real/dir'), ['/real/dir/.', '']);
  assert.deepEqual(getRebaseName('/x/same', '/y/same'), ['/y/same', '']);
  assert.equal(rebaseName('src/a/src', 'src', 'dst'), 'dst/a/src'); // the first occurrence only
  assert.equal(rebaseName('./x', '.', 'dst'), 'dst/x');
  assert.equal(rebaseName('etc/x', '/', 'dst'), 'dstetc/x'); // Go's Replace with '' inserts at the start
});

test('prepareArchiveCopy: where the archive goes and how its top is renamed', () => {
  const src = (isDir: boolean, path = '/s/src', rebase = ''): CopyInfo => ({ path, exists: true, isDir, rebaseName: rebase });
  const dst = (exists: boolean, isDir: boolean, path = '/d/dst'): CopyInfo => ({ path, exists, isDir, rebaseName: '' });
  // dest is a directory: into it, unchanged.
  assert.deepEqual(prepareArchiveCopy(src(false), dst(true, true)), { dstDir: '/d/dst' });
  assert.deepEqual(prepareArchiveCopy(src(true), dst(true, true)), { dstDir: '/d/dst' });
  // dest a file: a file replaces it under its name; a directory cannot.
  assert.deepEqual(prepareArchiveCopy(src(false), dst(true, false)), { dstDir: '/d', rebase: { from: 'src', to: 'dst' } });
  assert.throws(() => prepareArchiveCopy(src(true), dst(true, false)), /^Error: cannot copy directory$/);
  // dest missing: created under its name; a file to `missing/` is refused.
  assert.deepEqual(prepareArchiveCopy(src(true), dst(false, false)), { dstDir: '/d', rebase: { from: 'src', to: 'dst' } });
  assert.deepEqual(prepareArchiveCopy(src(false), dst(false, false)), { dstDir: '/d', rebase: { from: 'src', to: 'dst' } });
  assert.throws(() => prepareArchiveCopy(src(false), dst(false, false, '/d/dst/')), /^Error: no such directory$/);
  assert.deepEqual(prepareArchiveCopy(src(true, '/s/src/.'), dst(false, false)), { dstDir: '/d', rebase: { from: '.', to: 'dst' } });
  assert.deepEqual(prepareArchiveCopy(src(false, '/s/real', 'link'), dst(false, false)), { dstDir: '/d', rebase: { from: 'link', to: 'dst' } });
});

test('local source and destination paths', () => {
  assert.deepEqual(copyInfoSourcePath(join(tmp, 'link-file'), false), { path: join(tmp, 'link-file'), exists: true, isDir: false, rebaseName: '' });
  assert.deepEqual(copyInfoSourcePath(join(tmp, 'link-file'), true), { path: join(tmp, 'file'), exists: true, isDir: false, rebaseName: 'link-file' });
  // `link/`: the link's directory, under the link's name.
  assert.deepEqual(copyInfoSourcePath(join(tmp, 'link-dir') + '/', false), { path: join(tmp, 'dir') + '/', exists: true, isDir: true, rebaseName: 'link-dir' });
  assert.deepEqual(copyInfoSourcePath(join(tmp, 'link-dir/sub'), false), { path: join(tmp, 'dir/sub'), exists: true, isDir: true, rebaseName: '' });
  assert.throws(() => copyInfoSourcePath(join(tmp, 'missing'), false), /^Error: lstat .*missing: no such file or directory$/);
  assert.deepEqual(copyInfoDestinationPath(join(tmp, 'link-dir')), { path: join(tmp, 'dir'), exists: true, isDir: true, rebaseName: '' });
  assert.deepEqual(copyInfoDestinationPath(join(tmp, 'dangling')), { path: join(tmp, 'nowhere'), exists: false, isDir: false, rebaseName: '' });
  assert.deepEqual(copyInfoDestinationPath(join(tmp, 'new')), { path: join(tmp, 'new'), exists: false, isDir: false, rebaseName: '' });
  assert.throws(() => copyInfoDestinationPath(join(tmp, 'nodir/new')), /^Error: stat .*nodir: no such file or directory$/);
  assert.throws(() => copyInfoDestinationPath(join(tmp, 'file/new')), /not a directory/);
  assert.throws(() => copyInfoDestinationPath(join(tmp, 'loop-a')), /too many symlinks/);
});

test('Go FileMode bits, time JSON and the stat header', () => {
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o040755), GO_MODE.dir + 0o755);
  assert.equal(goFileMode(0o120777), GO_MODE.symlink + 0o777);
  assert.equal(goFileMode(0o020666), GO_MODE.device + GO_MODE.charDevice + 0o666);
  assert.equal(goFileMode(0o104755), GO_MODE.setuid + 0o755);
  assert.equal(goFileMode(0o041777), GO_MODE.dir + GO_MODE.sticky + 0o777);
  assert.equal(GO_MODE.dir, 2147483648);
  assert.ok(goModeIsDir(goFileMode(0o040700)) && !goModeIsDir(goFileMode(0o100700)));
  assert.ok(goModeIsSymlink(goFileMode(0o120777)) && !goModeIsSymlink(goFileMode(0o040777)));
  assert.equal(goTimeJson(1_700_000_000_123_456_789n), '2023-11-14T22:13:20.123456789Z');
  assert.equal(goTimeJson(1_700_000_000_000_000_000n), '2023-11-14T22:13:20Z');
  assert.equal(goTimeJson(1_700_000_000_500_000_000n), '2023-11-14T22:13:20.5Z');
  const header = Buffer.from(JSON.stringify({ name: 'etc', size: 4096, mode: GO_MODE.dir + 0o755, mtime: 'x', linkTarget: '' })).toString('base64');
  assert.deepEqual(decodePathStat(header), { name: 'etc', size: 4096, mode: GO_MODE.dir + 0o755, mtime: 'x', linkTarget: '' });
  assert.equal(decodePathStat('bm90IGpzb24='), undefined);
  assert.equal(decodePathStat(undefined), undefined);
});
