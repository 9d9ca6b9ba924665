// The health monitor over a fake shim: what it asks the shim, the events it publishes, the state
// it keeps and saves, and when probing stops and starts again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withHarness, settle, type FakeShimHealth, type Harness } from './containers-test-helpers.ts';
import { startContainer } from './start.ts';
import { stopContainer } from './stop.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { containerDir } from './record.ts';

const MS = 1_000_000;

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The n-th probe request (1-based) on the newest connection. */
function nthRun(h: Harness, n: number): Promise<{ conn: FakeShimHealth; seq: number; timeoutMs: number }> {
  return until(`probe ${n}`, () => {
    const conn = h.runtime.healthConns.at(-1);
    const run = conn?.runs[n - 1];
    return conn && run ? { conn, ...run } : undefined;
  });
}

const result = (seq: number, exitCode: number, output = '') => ({ seq, start: new Date().toISOString(), end: new Date().toISOString(), exitCode, timedOut: false, truncated: false, output });

test('a healthcheck: the probe process written, probes asked for with the timeout, exec and health_status events, the state saved on a change', () => withHarness(async (h) => {
  const id = await h.create('hc', {}, { Healthcheck: { Test: ['CMD', 'true'], Interval: 5 * MS, Timeout: 2000 * MS, Retries: 2 } });
  await startContainer(h.ctx, id);
  const c = h.ctx.store.get(id);
  assert.deepEqual(c.rec.State.Health, { Status: 'starting', FailingStreak: 0, Log: [] });
  const proc = [...h.runtime.healthProcesses.values()][0] as { args: string[]; terminal: boolean };
  assert.deepEqual(proc.args, ['true']);
  assert.equal(proc.terminal, false);

  const r1 = await nthRun(h, 1);
  assert.equal(r1.timeoutMs, 2000);
  r1.conn.emit('result', result(r1.seq, 0, 'ok\n'));
  assert.equal(c.rec.State.Health?.Status, 'healthy');
  assert.deepEqual(c.rec.State.Health?.Log.map((e) => [e.ExitCode, e.Output]), [[0, 'ok\n']]);
  const acts = h.actions(id);
  assert.deepEqual(acts.slice(2), ['exec_create: true ', 'exec_start: true ', 'exec_die', 'health_status: healthy']);
  const die = h.events.find((e) => e.Action === 'exec_die')!;
  assert.equal(die.Actor.Attributes.exitCode, '0');
  assert.equal(die.Actor.Attributes.execID, h.events.find((e) => e.Action.startsWith('exec_create'))!.Actor.Attributes.execID);
  // Saved under the container's lock, after the probe's result.
  await until('the new status on disk', async () => {
    const saved = JSON.parse(await readFile(`${containerDir(h.ctx.dataRoot, id)}/config.v2.json`, 'utf8'));
    return saved.State.Health?.Status === 'healthy' ? true : undefined;
  });

  // A stale result (another seq) is ignored; two failures with retries 2 make it unhealthy.
  const r2 = await nthRun(h, 2);
  r2.conn.emit('result', result(r2.seq + 100, 1));
  assert.equal(c.rec.State.Health?.FailingStreak, 0);
  r2.conn.emit('result', result(r2.seq, 1));
  assert.deepEqual([c.rec.State.Health?.Status, c.rec.State.Health?.FailingStreak], ['healthy', 1]);
  const r3 = await nthRun(h, 3);
  r3.conn.emit('result', { seq: r3.seq, start: new Date().toISOString(), end: new Date().toISOString(), error: 'exec failed: boom' });
  assert.deepEqual([c.rec.State.Health?.Status, c.rec.State.Health?.FailingStreak], ['unhealthy', 2]);
  assert.equal(c.rec.State.Health?.Log.at(-1)?.Output, 'OCI runtime exec failed: exec failed: boom: unknown');
  assert.equal(h.actions(id).filter((a) => a === 'exec_die').length, 2, 'no exec_die for a probe that never started');
  assert.equal(h.actions(id).at(-1), 'health_status: unhealthy');

  // Stopped: no more probes, unhealthy, no event for it.
  await stopContainer(h.ctx, id, { timeout: 0 });
  await settle();
  assert.equal(r3.conn.closed, true);
  assert.equal(c.rec.State.Health?.Status, 'unhealthy');
  const runs = r3.conn.runs.length;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(h.runtime.healthConns.at(-1)!.runs.length, runs);

  // Started again: starting, streak 0, the log kept.
  await startContainer(h.ctx, id);
  assert.deepEqual([c.rec.State.Health?.Status, c.rec.State.Health?.FailingStreak, c.rec.State.Health?.Log.length], ['starting', 0, 3]);
  await stopContainer(h.ctx, id, { timeout: 0 });
}));

test('pause stops the probes (unhealthy, no event), unpause starts them again', () => withHarness(async (h) => {
  const id = await h.create('pz', {}, { Healthcheck: { Test: ['CMD-SHELL', 'exit 0'], Interval: 5 * MS } });
  await startContainer(h.ctx, id);
  const c = h.ctx.store.get(id);
  const r1 = await nthRun(h, 1);
  r1.conn.emit('result', result(r1.seq, 0));
  assert.equal(c.rec.State.Health?.Status, 'healthy');
  await pauseContainer(h.ctx, id);
  assert.equal(r1.conn.closed, true);
  assert.equal(c.rec.State.Health?.Status, 'unhealthy');
  assert.equal(h.actions(id).filter((a) => a.startsWith('health_status')).length, 1);
  const conns = h.runtime.healthConns.length;
  await unpauseContainer(h.ctx, id);
  const again = await until('a new connection', () => (h.runtime.healthConns.length > conns ? h.runtime.healthConns.at(-1) : undefined));
  await until('a probe after unpause', () => again.runs[0]);
  await stopContainer(h.ctx, id, { timeout: 0 });
}));

test('no healthcheck, NONE, or a Test without a command: no probes and no State.Health', () => withHarness(async (h) => {
  for (const hc of [undefined, { Test: ['NONE'] }, { Interval: 5 * MS }]) {
    const id = await h.create(undefined, {}, hc ? { Healthcheck: hc } : {});
    await startContainer(h.ctx, id);
    assert.equal(h.ctx.store.get(id).rec.State.Health, undefined, JSON.stringify(hc));
    await stopContainer(h.ctx, id, { timeout: 0 });
  }
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(h.runtime.healthConns.length, 0);
  assert.equal(h.runtime.healthProcesses.size, 0);
}));
