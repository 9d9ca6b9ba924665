import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../common/index.ts';
import { writeFile } from 'node:fs/promises';
import { Runc, isRuncNotExist, runcErrorMessage, runRuntime, runtimeVersion } from './runc.ts';
import { RUNC, containerTestSkipReason, makeBundle, removeTestCgroups } from './bundle.test-helpers.ts';

test('runcErrorMessage takes the last json error, else the last line', () => {
  assert.equal(
    runcErrorMessage('{"level":"warning","msg":"w","time":"t"}\n{"level":"error","msg":"container does not exist","time":"t"}\n'),
    'container does not exist',
  );
  assert.equal(runcErrorMessage('something\nplain failure\n'), 'plain failure');
  assert.equal(runcErrorMessage(''), '');
});

test('bad ids and signals are rejected before runc runs', async () => {
  const r = new Runc({ path: '/nonexistent/runc' });
  await assert.rejects(r.start('--help'), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidParameter');
  await assert.rejects(r.kill('a b', 9), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidParameter');
  await assert.rejects(r.kill('abc', 'KILL; rm'), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidParameter');
});

describe('runRuntime, the one way runc is spawned', () => {
  let dir = '';
  let fake = '';
  before(async () => {
    dir = await mkdtemp('/tmp/berth-fake-runtime-');
    fake = join(dir, 'fake-runc');
    // Echoes its arguments and stdin; "fail" makes it exit 1 with a runc-style json error.
    await writeFile(fake, '#!/bin/sh\ncase "$*" in *--version*) echo "runc version 9.8.7"; exit 0;; *fail*) echo \'{"level":"error","msg":"boom"}\' >&2; exit 1;; esac\necho "args: $*"\ncat\n', { mode: 0o755 });
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('passes --root and --log-format json, and the input on stdin', async () => {
    assert.equal(await runRuntime({ path: fake, root: '/r' }, ['update', '-'], { input: '{"x":1}' }), 'args: --root /r --log-format json update -\n{"x":1}');
    assert.equal(await runRuntime({ path: fake }, ['list']), 'args: --log-format json list\n');
  });

  test('rejects with the runtime\'s own message', async () => {
    await assert.rejects(runRuntime({ path: fake }, ['fail']), (e: unknown) => e instanceof BerthError && e.kind === 'System' && e.message === 'boom');
    await assert.rejects(runRuntime({ path: join(dir, 'missing') }, ['list']), (e: unknown) => e instanceof BerthError && e.kind === 'System');
  });

  test('Runc.delete spawns the runtime only when it has state for the container', async () => {
    const marker = join(dir, 'ran');
    const logging = join(dir, 'logging-runc');
    await writeFile(logging, `#!/bin/sh\necho "$*" >> ${marker}\n`, { mode: 0o755 });
    const root = join(dir, 'state');
    const r = new Runc({ path: logging, root });
    await r.delete('never-created', true);
    assert.equal(existsSync(marker), false, 'no runtime process for a container it never knew');
    await mkdir(join(root, 'known'), { recursive: true });
    await r.delete('known', true);
    assert.equal(await readFile(marker, 'utf8'), `--root ${root} --log-format json delete --force known\n`);
    await assert.rejects(r.delete('../x'), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidParameter');
  });

  test('Runc.update sends the resources as json; the version is parsed, or empty', async () => {
    await new Runc({ path: fake }).update('abc', { pids: { limit: 5 } });
    await assert.rejects(new Runc({ path: fake }).update('-x', {}), (e: unknown) => e instanceof BerthError && e.kind === 'InvalidParameter');
    assert.equal(await runtimeVersion(fake), '9.8.7');
    assert.equal(await runtimeVersion(join(dir, 'missing')), '');
  });
});

const skip = containerTestSkipReason() ?? false;

describe('Runc against the real binary', { skip, concurrency: false }, () => {
  let dir = '';
  let runc: Runc;
  const id = `br-${randomBytes(6).toString('hex')}`;

  before(async () => {
    dir = await mkdtemp('/tmp/berth-runc-test-');
    runc = new Runc({ path: RUNC, root: join(dir, 'root') });
  });

  after(async () => {
    await runc.delete(id, true).catch(() => {});
    if (dir) await rm(dir, { recursive: true, force: true });
    await removeTestCgroups();
  });

  test('unknown containers: state undefined, delete a no-op, others fail with runc\'s message', async () => {
    assert.equal(await runc.state('nope'), undefined);
    await runc.delete('nope');
    await runc.delete('nope', true);
    assert.deepEqual(await runc.list(), []);
    await assert.rejects(runc.kill('nope', 'TERM'), (e: unknown) => {
      assert.ok(e instanceof BerthError && e.kind === 'System');
      assert.equal(e.message, 'container does not exist');
      assert.ok(isRuncNotExist(e));
      return true;
    });
  });

  test('lifecycle: state, ps, list, pause, resume, kill, delete', async () => {
    const { bundle } = await makeBundle(join(dir, 'bundle'), id, ['sleep', '1000']);
    const res = spawnSync(RUNC, ['--root', join(dir, 'root'), 'run', '--detach', '--bundle', bundle, id], { stdio: 'ignore' });
    assert.equal(res.status, 0);
    const st = await runc.state(id);
    assert.ok(st && st.status === 'running' && st.pid > 0);
    assert.deepEqual(await runc.ps(id), [st.pid]);
    assert.deepEqual(await runc.list(), [{ id, status: 'running', pid: st.pid }]);
    await runc.pause(id);
    assert.equal((await runc.state(id))?.status, 'paused');
    await runc.resume(id);
    assert.equal((await runc.state(id))?.status, 'running');
    await assert.rejects(runc.start(id), /cannot start an already running container|not in created state|already running/);
    await runc.kill(id, 'SIGKILL', true);
    for (let i = 0; i < 100 && (await runc.state(id))?.status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal((await runc.state(id))?.status, 'stopped');
    await runc.delete(id);
    assert.equal(await runc.state(id), undefined);
  });
});
