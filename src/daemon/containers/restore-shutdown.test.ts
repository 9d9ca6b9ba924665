// Daemon start and stop over fake boxes: what restore makes of the records a previous daemon
// left (exits while it was down, interrupted removals, restart policies), and shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harness, type Harness } from './containers-test-helpers.ts';
import { startContainer } from './start.ts';
import { stopContainer } from './stop.ts';
import { restoreContainers } from './restore.ts';
import { shutdownContainers } from './shutdown.ts';
import { pathsOf } from './container.ts';
import { saveState } from './record.ts';
import type { HostConfig } from './record.ts';

/** A first daemon makes containers; `crash` leaves their records as they are, then a second daemon restores them. */
async function twoDaemons(setup: (h: Harness) => Promise<void>, check: (h: Harness) => Promise<void>, opts: { liveRestore?: boolean; before?: (h: Harness) => void } = {}): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-restore-'));
  try {
    const first = await harness({ dataRoot: dir });
    await setup(first);
    await first.cleanup();
    const second = await harness({ dataRoot: dir });
    opts.before?.(second);
    await restoreContainers(second.ctx, Boolean(opts.liveRestore));
    await check(second);
    await second.cleanup();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runningContainer(h: Harness, name: string, host: Partial<HostConfig> = {}): Promise<string> {
  const id = await h.create(name, host);
  await startContainer(h.ctx, id);
  return id;
}

function exitWhileDown(h: Harness, id: string, code: number): void {
  h.runtime.exits.set(pathsOf(h.ctx, id).stateDir, { exitCode: code, signal: 0, exitedAt: '2026-01-01T00:00:00Z' });
}

test('restore: an exit while the daemon was down is recorded, with a die event', async () => {
  let id = '';
  await twoDaemons(async (h) => {
    id = await runningContainer(h, 'gone');
  }, async (h) => {
    const c = h.ctx.store.get(id);
    assert.deepEqual([c.state.status, c.state.exitCode, c.state.fields.FinishedAt], ['exited', 3, '2026-01-01T00:00:00Z']);
    assert.deepEqual(h.actions(id), ['die']);
  }, { before: (h) => exitWhileDown(h, id, 3) });
});

test('restore: the restart policy decides, with its retry count (on-failure:1 already used up stays down)', async () => {
  const ids: Record<string, string> = {};
  await twoDaemons(async (h) => {
    ids.always = await runningContainer(h, 'always', { RestartPolicy: { Name: 'always' } });
    ids.spent = await runningContainer(h, 'spent', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } });
    const spent = h.ctx.store.get(ids.spent);
    spent.rec.RestartCount = 1;
    await saveState(h.ctx.dataRoot, spent.rec);
    ids.fails = await runningContainer(h, 'fails', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
    ids.clean = await runningContainer(h, 'clean', { RestartPolicy: { Name: 'on-failure' } });
  }, async (h) => {
    assert.equal(h.ctx.store.get(ids.always).state.status, 'running');
    assert.equal(h.ctx.store.get(ids.spent).state.status, 'exited', 'its one retry was spent before the crash');
    assert.equal(h.ctx.store.get(ids.fails).state.status, 'running');
    assert.equal(h.ctx.store.get(ids.clean).state.status, 'exited', 'on-failure does not restart a clean exit');
  }, {
    before: (h) => {
      exitWhileDown(h, ids.always, 0);
      exitWhileDown(h, ids.spent, 1);
      exitWhileDown(h, ids.fails, 1);
      exitWhileDown(h, ids.clean, 0);
    },
  });
});

test('restore: an always container that had stopped by itself starts again; one stopped by hand does not', async () => {
  const ids: Record<string, string> = {};
  await twoDaemons(async (h) => {
    ids.self = await runningContainer(h, 'self', { RestartPolicy: { Name: 'always' } });
    ids.manual = await runningContainer(h, 'manual', { RestartPolicy: { Name: 'always' } });
    ids.never = await h.create('never', { RestartPolicy: { Name: 'always' } });
    await stopContainer(h.ctx, ids.manual, { timeout: 1 });
    // Stopped by itself, its restart failed: exited and not stopped by hand.
    const self = h.ctx.store.get(ids.self);
    self.state.setStopped({ exitCode: 1 });
    await saveState(h.ctx.dataRoot, self.rec);
  }, async (h) => {
    assert.equal(h.ctx.store.get(ids.self).state.status, 'running');
    assert.equal(h.ctx.store.get(ids.manual).state.status, 'exited');
    assert.equal(h.ctx.store.get(ids.never).state.status, 'created', 'never started: not started by the daemon');
  });
});

test('restore: interrupted removals are finished, half-made containers removed, AutoRemove honoured', async () => {
  const ids: Record<string, string> = {};
  await twoDaemons(async (h) => {
    ids.removing = await h.create('removing');
    const c = h.ctx.store.get(ids.removing);
    c.state.setRemovalInProgress();
    await saveState(h.ctx.dataRoot, c.rec);
    ids.auto = await runningContainer(h, 'auto', { AutoRemove: true });
    await mkdir(join(h.ctx.dataRoot, 'containers', 'f'.repeat(64)), { recursive: true });
  }, async (h) => {
    assert.equal(h.ctx.store.find(ids.removing), undefined);
    assert.equal(h.ctx.store.find(ids.auto), undefined);
    assert.deepEqual(h.ctx.store.all(), []);
    assert.ok(h.warnings.includes('removing half-made container'));
  }, { before: (h) => exitWhileDown(h, ids.auto, 0) });
});

test('restore with live-restore: a container whose shim lives is re-adopted, and its exit still recorded', async () => {
  let id = '';
  let pid = 0;
  await twoDaemons(async (h) => {
    id = await runningContainer(h, 'live');
    pid = h.ctx.store.get(id).state.pid;
  }, async (h) => {
    const c = h.ctx.store.get(id);
    assert.deepEqual([c.state.status, c.state.pid], ['running', pid]);
    h.runtime.exit(id, 4);
    assert.equal(await c.state.nextExit(), 4);
  }, { liveRestore: true, before: (h) => h.runtime.setAlive(id, pathsOf(h.ctx, id).stateDir) });
});

test('restore without live-restore: a live container is killed, then recorded', async () => {
  let id = '';
  await twoDaemons(async (h) => {
    id = await runningContainer(h, 'killed');
  }, async (h) => {
    assert.ok(h.runtime.calls.includes(`kill ${id} 9`));
    assert.deepEqual([h.ctx.store.get(id).state.status, h.ctx.store.get(id).state.exitCode], ['exited', 137]);
  }, { before: (h) => h.runtime.setAlive(id, pathsOf(h.ctx, id).stateDir) });
});

test('shutdown: running containers stopped, no restart after it', async () => {
  const h = await harness();
  try {
    const a = await runningContainer(h, 'one', { RestartPolicy: { Name: 'always' } });
    const b = await runningContainer(h, 'two');
    await shutdownContainers(h.ctx, false, 5);
    assert.equal(h.ctx.lifecycle.shuttingDown, true);
    await new Promise((r) => setTimeout(r, 150));
    for (const id of [a, b]) assert.equal(h.ctx.store.get(id).state.status, 'exited');
  } finally {
    await h.cleanup();
  }
});

test('shutdown with live-restore leaves containers running', async () => {
  const h = await harness();
  try {
    const a = await runningContainer(h, 'stays');
    await shutdownContainers(h.ctx, true, 5);
    assert.equal(h.ctx.store.get(a).state.status, 'running');
    assert.equal(h.runtime.calls.some((x) => x.startsWith('kill')), false);
  } finally {
    await h.cleanup();
  }
});
