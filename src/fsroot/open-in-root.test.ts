// One suite, run on both implementations of the resolver: openat2 in the kernel and the
// user-space walk on fds used where the kernel lacks it.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectFile } from '../common/index.ts';
import { mkdirAllInRoot, openInRoot, openRoot, resolverImpl, setResolverImpl } from './open-in-root.ts';
import { removeAllAt } from './remove-at.ts';
import {
  AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, RENAME_EXCHANGE, RENAME_NOREPLACE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY,
  RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS, S_IFLNK, S_IFMT, fstatat, fsrootAddonConstants, openat2, readlinkat,
} from './syscalls.linux.ts';

const realPath = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`);

test('TS constants match the addon (and so the kernel headers)', () => {
  const c = fsrootAddonConstants();
  const mine = { O_PATH, O_NOFOLLOW, O_DIRECTORY, O_CLOEXEC, O_CREAT, O_EXCL, O_WRONLY, O_RDONLY, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_EMPTY_PATH, RENAME_EXCHANGE, RENAME_NOREPLACE, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS };
  for (const [k, v] of Object.entries(mine)) assert.equal(c[k], v, k);
});

test('this kernel has openat2, so both implementations are really tested', () => {
  const fd = openat2(-100, '/', O_PATH, 0, RESOLVE_IN_ROOT);
  closeSync(fd);
});

for (const impl of ['openat2', 'walk'] as const) {
  describe(`resolver: ${impl}`, () => {
    let tmp: string;
    let root: string;
    let outside: string;
    let rootFd: number;
    const inRoot = (p: string) => p === root || p.startsWith(root + '/');

    before(() => {
      setResolverImpl(impl);
      tmp = mkdtempSync(join(tmpdir(), `berth-fsroot-${impl}-`));
      root = join(tmp, 'root');
      outside = join(tmp, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret'), 'host');
      // root/outside and root/<outside>: where links out of the root land when resolved inside it.
      for (const d of ['etc', 'run/lock', 'usr/lib/x', 'var', 'outside', outside]) mkdirSync(join(root, d), { recursive: true });
      writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
      symlinkSync('/run', join(root, 'var/run'));
      symlinkSync('../usr/lib', join(root, 'etc/rel'));
      symlinkSync('../../../../../../../..' + outside, join(root, 'up'));
      symlinkSync(outside, join(root, 'abs'));
      symlinkSync('../outside', join(root, 'rel-out'));
      symlinkSync('/etc/passwd', join(root, 'pw'));
      symlinkSync('loop2', join(root, 'loop1'));
      symlinkSync('loop1', join(root, 'loop2'));
      symlinkSync('self/x', join(root, 'self'));
      symlinkSync('/', join(root, 'slash'));
      symlinkSync('usr/lib', join(root, 'lib'));
      symlinkSync('x/..', join(root, 'usr/lib/dotdot')); // `..` after a real directory
      symlinkSync('/nowhere/deep', join(root, 'dangling'));
      rootFd = openRoot(root);
    });
    after(() => {
      closeSync(rootFd);
      setResolverImpl('auto');
      rmSync(tmp, { recursive: true, force: true });
    });
    beforeEach(() => setResolverImpl(impl));

    const resolved = (p: string, followFinal = false): string => {
      assert.equal(resolverImpl(), impl);
      const fd = openInRoot(rootFd, p, { followFinal });
      try {
        return realPath(fd);
      } finally {
        closeSync(fd);
      }
    };

    test('plain paths, absolute names and `..` beyond the root stay inside', () => {
      assert.equal(resolved('etc/passwd'), join(root, 'etc/passwd'));
      assert.equal(resolved('/etc/passwd'), join(root, 'etc/passwd'));
      assert.equal(resolved('../../etc/passwd'), join(root, 'etc/passwd'));
      assert.equal(resolved('usr/../../../etc/./passwd'), join(root, 'etc/passwd'));
      assert.equal(resolved(''), root);
      assert.equal(resolved('/'), root);
      assert.equal(resolved('..'), root);
      assert.throws(() => resolved('missing/file'), { code: 'ENOENT' });
      assert.throws(() => resolved('etc/passwd/x'), { code: 'ENOTDIR' });
    });

    test('absolute and relative symlinks resolve inside the root', () => {
      assert.equal(resolved('var/run/lock'), join(root, 'run/lock'));
      assert.equal(resolved('etc/rel/x'), join(root, 'usr/lib/x'));
      assert.equal(resolved('pw', true), join(root, 'etc/passwd'));
      assert.equal(resolved('rel-out', true), join(root, 'outside'));
      assert.equal(resolved('slash/etc', true), join(root, 'etc'));
      assert.equal(resolved('var/run/'), join(root, 'run')); // a trailing slash follows
      assert.equal(resolved('lib/dotdot/x'), join(root, 'usr/lib/x'));
      assert.equal(resolved('lib/x/../../lib/x'), join(root, 'usr/lib/x'));
      assert.equal(resolved('var/run/../../../etc'), join(root, 'etc'));
      // Links out of the root (absolute, or climbing with ..) land inside it, where nothing is.
      assert.throws(() => resolved('abs/secret'), { code: 'ENOENT' });
      assert.throws(() => resolved('up/secret'), { code: 'ENOENT' });
      // A final link is the link itself unless followed.
      const fd = openInRoot(rootFd, 'var/run');
      assert.equal(fstatat(fd, '', AT_EMPTY_PATH)!.mode & S_IFMT, S_IFLNK);
      assert.equal(readlinkat(fd, ''), '/run');
      closeSync(fd);
      assert.throws(() => openInRoot(rootFd, 'pw', { flags: O_RDONLY }), { code: 'ELOOP' });
    });

    test('symlink loops fail with ELOOP', () => {
      assert.throws(() => resolved('loop1/x'), { code: 'ELOOP' });
      assert.throws(() => resolved('loop1', true), { code: 'ELOOP' });
      assert.throws(() => resolved('self/y'), { code: 'ELOOP' });
      assert.equal(resolved('loop1'), join(root, 'loop1')); // not followed: just a name
    });

    test('files are created inside the root, through links out of it too', () => {
      for (const [p, where] of [['abs/created', join(root, outside, 'created')], ['rel-out/created', join(root, 'outside/created')], ['up/x', join(root, outside, 'x')], ['up/../x', join(root, tmp, 'x')], ['rel-out/../../x', join(root, 'x')]] as const) {
        let fd: number;
        try {
          fd = openInRoot(rootFd, p, { flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644 });
        } catch (err) {
          assert.equal((err as NodeJS.ErrnoException).code, 'ENOENT', p); // the link's target dir is missing inside root
          assert.equal(where, null, p);
          continue;
        }
        writeSync(fd, 'x');
        assert.equal(realPath(fd), where);
        closeSync(fd);
      }
      assert.deepEqual(readdirSync(outside), ['secret']);
      // A dangling final link is followed for O_CREAT only when asked, and then inside the root.
      assert.throws(() => openInRoot(rootFd, 'dangling', { flags: O_WRONLY | O_CREAT }), { code: 'ELOOP' });
      assert.throws(() => openInRoot(rootFd, 'dangling', { flags: O_WRONLY | O_CREAT, followFinal: true }), { code: 'ENOENT' });
    });

    test('mkdirAllInRoot follows links inside the root and creates what is missing', () => {
      const cases: [string, string][] = [
        ['var/run/new/dir', join(root, 'run/new/dir')],
        ['abs/made', join(root, outside, 'made')],
        ['dangling/x', join(root, 'nowhere/deep/x')],
        ['up/../../..', root],
      ];
      for (const [p, want] of cases) {
        const fd = mkdirAllInRoot(rootFd, p, 0o700);
        assert.equal(realPath(fd), want, p);
        closeSync(fd);
      }
      assert.throws(() => mkdirAllInRoot(rootFd, 'etc/passwd/x'), { code: 'ENOTDIR' });
      assert.throws(() => mkdirAllInRoot(rootFd, 'loop1/x'), { code: 'ELOOP' });
      assert.deepEqual(readdirSync(outside), ['secret']);
    });

    test('removeAllAt removes a tree without following links', () => {
      mkdirSync(join(root, 'tree/a/b'), { recursive: true });
      writeFileSync(join(root, 'tree/a/b/f'), '');
      symlinkSync(outside, join(root, 'tree/a/l'));
      removeAllAt(rootFd, 'tree');
      removeAllAt(rootFd, 'tree'); // missing: fine
      assert.throws(() => resolved('tree'), { code: 'ENOENT' });
      assert.deepEqual(readdirSync(outside), ['secret']);
    });

    test('magic links (/proc/self/...) never lead out of the root', { skip: process.getuid?.() !== 0 && 'needs root to mount proc' }, () => {
      const proc = join(root, 'proc');
      mkdirSync(proc);
      execFileSync('mount', ['-t', 'proc', 'proc', proc]);
      try {
        writeFileSync(join(root, 'etc/marker'), 'inside');
        symlinkSync('/proc/self/root', join(root, 'via-proc'));
        for (const p of ['proc/self/root/etc/marker', 'via-proc/etc/marker', `proc/self/fd/${rootFd}/etc/marker`, 'proc/self/cwd']) {
          let fd: number;
          try {
            fd = openInRoot(rootFd, p, { flags: O_RDONLY, followFinal: true });
          } catch (err) {
            // openat2 refuses the magic link; the walk reads it as text and resolves that inside the root.
            assert.ok(impl === 'openat2' ? (err as NodeJS.ErrnoException).code === 'ELOOP' : ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code!), `${p}: ${err}`);
            continue;
          }
          assert.equal(impl, 'walk', p);
          const where = realPath(fd);
          closeSync(fd);
          assert.ok(inRoot(where), `${p} -> ${where}`);
          assert.equal(readFileSync(where, 'utf8'), 'inside');
        }
      } finally {
        execFileSync('umount', ['-l', proc]);
      }
    });

    test('a directory swapped for a symlink while resolving never lets anything out', async () => {
      // Another process swaps root/d (a real directory) for links out of the root, as fast as it
      // can, while this one creates files and directories under d/.
      mkdirSync(join(root, 'd'));
      const links = ['../outside', outside, '../../../../../..' + outside];
      links.forEach((t, i) => symlinkSync(t, join(root, `dlink${i}`)));
      // renameat2(RENAME_EXCHANGE): d is always there, now a directory, now a link.
      const swapper = spawn(process.execPath, ['-e', `
        const addon = require(process.argv[1]);
        const root = process.argv[2];
        process.stdout.write('ready\\n');
        for (let i = 0; ; i++) {
          const link = root + '/dlink' + (i % 3);
          addon.renameat2(-100, root + '/d', -100, link, addon.RENAME_EXCHANGE);
          addon.renameat2(-100, root + '/d', -100, link, addon.RENAME_EXCHANGE);
        }
      `, projectFile('build/berth.node'), root], { stdio: ['ignore', 'pipe', 'inherit'], env: { PATH: process.env.PATH } });
      await new Promise((r) => swapper.stdout!.once('data', r)); // its loop is running
      let viaLink = 0;
      let viaDir = 0;
      let failed = 0;
      try {
        for (let i = 0; i < 500_000 && (viaLink < 10 || viaDir < 10); i++) {
          try {
            const fd = i % 2 === 0
              ? openInRoot(rootFd, `d/f${i % 64}`, { flags: O_WRONLY | O_CREAT, mode: 0o644 })
              : mkdirAllInRoot(rootFd, `d/sub${i % 64}/x`, 0o755);
            const where = realPath(fd);
            closeSync(fd);
            assert.ok(inRoot(where), `created outside the root: ${where}`);
            if (/^\/dlink\d\//.test(where.slice(root.length)) || where.startsWith(join(root, 'd') + '/')) viaDir++;
            else viaLink++;
          } catch (err) {
            if (err instanceof assert.AssertionError) throw err;
            failed++; // ENOENT while d is being renamed, ENOTDIR, ELOOP...: refused, fine
          }
        }
      } finally {
        swapper.kill('SIGKILL');
        await new Promise((r) => swapper.once('exit', r));
      }
      assert.deepEqual(readdirSync(outside), ['secret'], 'nothing may appear outside the root');
      // Not vacuous: resolution went through both the directory and the links swapped in.
      assert.ok(viaDir > 0 && viaLink > 0, `dir ${viaDir}, link ${viaLink}, failed ${failed}`);
    });
  });
}
