import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeLeftoverProcess } from './leftover-process.ts';

test('no state dir: nothing to do, the runtime is not asked', async () => {
  const calls: string[] = [];
  const rt = { isAlive: async () => true, delete: async (id: string) => void calls.push(id) };
  assert.equal(await removeLeftoverProcess(rt, 'c1', 'runc', '/nonexistent/berth-state'), false);
  assert.deepEqual(calls, []);
});

test('a live leftover is deleted through the runtime, waited for, and its state dir removed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-leftover-'));
  try {
    const stateDir = join(dir, 'c1');
    await mkdir(stateDir);
    await writeFile(join(stateDir, 'shim.pid'), '1');
    let alive = true;
    const calls: string[] = [];
    const rt = {
      isAlive: async () => alive,
      delete: async (id: string, runtime: string) => {
        calls.push(`${runtime}:${id}`);
        setTimeout(() => (alive = false), 20); // the shim reaps the killed init and exits
      },
    };
    assert.equal(await removeLeftoverProcess(rt, 'c1', 'runc', stateDir), true);
    assert.deepEqual(calls, ['runc:c1']);
    assert.equal(alive, false, 'returns only once the shim is gone');
    assert.equal(existsSync(stateDir), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
