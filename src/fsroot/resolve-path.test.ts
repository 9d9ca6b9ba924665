import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, symlink, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveInRoot } from './resolve-path.ts';

let tmp: string;
let root: string;

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'berth-resolve-'));
  root = join(tmp, 'root');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'run/lock'), { recursive: true });
  await mkdir(join(root, 'usr/lib/x'), { recursive: true });
  await mkdir(join(root, 'var'), { recursive: true });
  await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  await symlink('/run', join(root, 'var/run'));            // absolute, as in real images
  await symlink('../usr/lib', join(root, 'etc/rel'));      // relative to its directory
  await symlink('../../../../../../etc', join(root, 'up')); // climbs past the root
  await symlink('/etc/passwd', join(root, 'pw'));
  await symlink('loop2', join(root, 'loop1'));
  await symlink('loop1', join(root, 'loop2'));
  await symlink('self/x', join(root, 'self'));
  await symlink('usr/lib', join(root, 'lib'));
  await symlink('x/..', join(root, 'usr/lib/dotdot')); // ".." after a real dir
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('plain paths and .. that would climb out stay inside root', async () => {
  assert.equal(await resolveInRoot(root, 'etc/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, '/etc/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, '../../etc/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'usr/../../../etc/./passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, ''), root);
  assert.equal(await resolveInRoot(root, '/'), root);
  assert.equal(await resolveInRoot(root, 'missing/dir/file'), join(root, 'missing/dir/file'));
});

test('absolute symlinks resolve from root: var/run -> /run', async () => {
  assert.equal(await resolveInRoot(root, 'var/run/lock'), join(root, 'run/lock'));
  assert.equal(await resolveInRoot(root, 'var/run/new.pid'), join(root, 'run/new.pid'));
  // Not followed when final, unless asked.
  assert.equal(await resolveInRoot(root, 'var/run'), join(root, 'var/run'));
  assert.equal(await resolveInRoot(root, 'var/run', { followFinal: true }), join(root, 'run'));
  assert.equal(await resolveInRoot(root, 'var/run/'), join(root, 'run'));
  assert.equal(await resolveInRoot(root, 'pw', { followFinal: true }), join(root, 'etc/passwd'));
});

test('relative symlinks resolve from their directory, and cannot climb out', async () => {
  assert.equal(await resolveInRoot(root, 'etc/rel/x'), join(root, 'usr/lib/x'));
  assert.equal(await resolveInRoot(root, 'up/passwd'), join(root, 'etc/passwd'));
  assert.equal(await resolveInRoot(root, 'lib/dotdot/x', {}), join(root, 'usr/lib/x'));
  assert.equal(await resolveInRoot(root, 'lib/x/../../lib/x'), join(root, 'usr/lib/x'));
});

test('symlink loops fail with ELOOP', async () => {
  await assert.rejects(resolveInRoot(root, 'loop1/x'), (e: Error & { code?: string }) => e.code === 'ELOOP' && /too many levels/.test(e.message));
  await assert.rejects(resolveInRoot(root, 'loop1', { followFinal: true }), { code: 'ELOOP' });
  await assert.rejects(resolveInRoot(root, 'self/y'), { code: 'ELOOP' });
  // A final loop that is not followed is just a name.
  assert.equal(await resolveInRoot(root, 'loop1'), join(root, 'loop1'));
});

test('results never leave root', async () => {
  for (const p of ['../../etc/passwd', 'up', 'up/', 'up/../..', 'var/run/../../..', 'pw/../../x', 'etc/rel/../../../..']) {
    for (const followFinal of [false, true]) {
      const r = await resolveInRoot(root, p, { followFinal });
      assert.ok(r === root || r.startsWith(root + '/'), `${p} -> ${r}`);
    }
  }
});
