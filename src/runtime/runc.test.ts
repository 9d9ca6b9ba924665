import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../common/index.ts';
import { Runc, isRuncNotExist, runcErrorMessage } from './runc.ts';
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
