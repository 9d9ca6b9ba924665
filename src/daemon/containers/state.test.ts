import { test } from 'node:test';
import assert from 'node:assert/strict';
import { State, WaitAborted } from './state.ts';
import { initialState, type ContainerState } from './record.ts';

function fresh(): { s: State; f: ContainerState } {
  const f = initialState();
  return { s: new State('abc', f), f };
}

/** The invariants every transition keeps. */
function consistent(f: ContainerState): void {
  if (f.Running) assert.ok(f.Pid > 0 || f.Restarting, 'a running container has a pid');
  else assert.equal(f.Pid, 0, 'a stopped container has no pid');
  if (f.Paused) assert.ok(f.Running, 'only a running container is paused');
  if (f.Restarting) assert.equal(f.Running, false);
  const expected = f.Dead ? 'dead' : f.Restarting ? 'restarting' : f.Paused ? 'paused' : f.Running ? 'running' : undefined;
  if (expected && f.Status !== 'removing') assert.equal(f.Status, expected);
  if (!f.Running && !f.Dead && !f.Restarting) assert.ok(['created', 'exited', 'removing'].includes(f.Status), f.Status);
}

test('setRunning: running with a pid, a fresh start time, no old exit', () => {
  const { s, f } = fresh();
  f.ExitCode = 3;
  f.OOMKilled = true;
  s.setRunning(42);
  assert.equal(f.Status, 'running');
  assert.deepEqual([f.Running, f.Pid, f.ExitCode, f.OOMKilled, f.Error], [true, 42, 0, false, '']);
  assert.notEqual(f.StartedAt, initialState().StartedAt);
  consistent(f);
});

test('setRunning(pid, false) re-adopts without touching the start time or exit code', () => {
  const { s, f } = fresh();
  f.StartedAt = '2020-01-01T00:00:00Z';
  f.ExitCode = 7;
  s.setRunning(9, false);
  assert.deepEqual([f.Status, f.StartedAt, f.ExitCode, f.Pid], ['running', '2020-01-01T00:00:00Z', 7, 9]);
});

test('setStopped: exited with the code, time and OOM flag; waiters wake with the code', async () => {
  const { s, f } = fresh();
  s.setRunning(42);
  s.setPaused();
  const next = s.nextExit();
  s.setStopped({ exitCode: 137, exitedAt: '2026-01-01T00:00:00Z', oomKilled: true });
  assert.equal(await next, 137);
  assert.deepEqual([f.Status, f.Running, f.Paused, f.Pid, f.ExitCode, f.OOMKilled, f.FinishedAt], ['exited', false, false, 0, 137, true, '2026-01-01T00:00:00Z']);
  consistent(f);
});

test('setRestarting: restarting, not running, the exit recorded and announced', async () => {
  const { s, f } = fresh();
  s.setRunning(42);
  const next = s.nextExit();
  s.setRestarting({ exitCode: 1 });
  assert.equal(await next, 1);
  assert.deepEqual([f.Status, f.Running, f.Restarting, f.Pid, f.ExitCode], ['restarting', false, true, 0, 1]);
  consistent(f);
  s.setRestartCanceled();
  assert.deepEqual([f.Status, f.Restarting], ['exited', false]);
  consistent(f);
});

test('setStartFailed: created if it never ran, exited with a finish time on a non-zero code', () => {
  const a = fresh();
  a.s.setStartFailed(0, 'boom', { everStarted: false, beforeRun: false });
  assert.deepEqual([a.f.Status, a.f.Error, a.f.FinishedAt], ['created', 'boom', initialState().FinishedAt]);
  const b = fresh();
  b.s.setStartFailed(127, 'not found', { everStarted: false, beforeRun: false });
  assert.equal(b.f.Status, 'exited');
  assert.equal(b.f.ExitCode, 127);
  assert.notEqual(b.f.FinishedAt, initialState().FinishedAt);
  const c = fresh();
  c.s.setStartFailed(128, 'network refused', { everStarted: false, beforeRun: true });
  assert.equal(c.f.Status, 'created', 'a network failure before anything ran keeps it created');
  const d = fresh();
  d.s.setStartFailed(128, 'network refused', { everStarted: true, beforeRun: true });
  assert.equal(d.f.Status, 'exited');
  for (const x of [a, b, c, d]) consistent(x.f);
});

test('pause and unpause', () => {
  const { s, f } = fresh();
  s.setRunning(5);
  s.setPaused();
  assert.deepEqual([f.Status, f.Paused, f.Running], ['paused', true, true]);
  consistent(f);
  s.setUnpaused();
  assert.deepEqual([f.Status, f.Paused], ['running', false]);
  consistent(f);
});

test('setRemovalInProgress twice is Docker\'s conflict; setDead marks it dead', () => {
  const { s, f } = fresh();
  s.setRemovalInProgress();
  assert.equal(f.Status, 'removing');
  assert.ok(s.removingOrDead);
  assert.throws(() => s.setRemovalInProgress(), { kind: 'Conflict', message: 'removal of container abc is already in progress' });
  s.setDead();
  assert.deepEqual([f.Status, f.Dead], ['dead', true]);
  consistent(f);
});

test('setRemoved wakes removal waiters, and exit waiters with the last exit code', async () => {
  const { s } = fresh();
  s.setRunning(1);
  s.setStopped({ exitCode: 4 });
  const removed = s.waitRemoved();
  const next = s.nextExit();
  s.setRemoved();
  await removed;
  assert.equal(await next, 4);
  assert.equal(s.removed, true);
  await s.waitRemoved();
});

test('an aborted wait rejects with WaitAborted, once, and is forgotten', async () => {
  const { s } = fresh();
  s.setRunning(1);
  const ac = new AbortController();
  const next = s.nextExit(ac.signal);
  const removed = s.waitRemoved(ac.signal);
  ac.abort();
  await assert.rejects(next, WaitAborted);
  await assert.rejects(removed, WaitAborted);
  // A later exit resolves only the live waiters.
  const later = s.nextExit();
  s.setStopped({ exitCode: 0 });
  assert.equal(await later, 0);
  await assert.rejects(s.nextExit(ac.signal), WaitAborted, 'an already aborted signal rejects at once');
});
