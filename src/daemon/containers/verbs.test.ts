// Each verb over fake boxes: what it asks of the runtime and layers, the state it leaves, the
// events it publishes, and Docker's errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { withHarness, settle } from './containers-test-helpers.ts';
import { startContainer } from './start.ts';
import { stopContainer } from './stop.ts';
import { killContainer } from './kill.ts';
import { restartContainer } from './restart.ts';
import { removeContainer } from './delete.ts';
import { renameContainer } from './rename.ts';
import { pauseContainer, unpauseContainer } from './pause.ts';
import { waitContainer } from './wait.ts';
import { pruneContainers } from './prune.ts';
import { createExec, startExec } from './exec.ts';
import { containerPids } from './processes.ts';
import { updateContainerVerb } from './update.ts';
import { WaitAborted } from './state.ts';
import { containerDir } from './record.ts';

test('create: a record on disk, the name reserved, a writable layer, a create event', () => withHarness(async (h) => {
  const id = await h.create('web');
  const c = h.ctx.store.get('web');
  assert.equal(c.rec.ID, id);
  assert.equal(c.state.status, 'created');
  assert.ok(h.layers.rw.has(id));
  const saved = JSON.parse(await readFile(`${containerDir(h.ctx.dataRoot, id)}/config.v2.json`, 'utf8'));
  assert.equal(saved.Name, '/web');
  assert.deepEqual(h.actions(id), ['create']);
  await assert.rejects(h.create('web'), { kind: 'Conflict' });
  await assert.rejects(h.create(undefined, { Runtime: 'nope' }), { message: 'unknown or invalid runtime name: nope' });
  await assert.rejects(h.create(undefined, { LogConfig: { Type: 'gelf', Config: {} } }), { message: 'error looking up logging plugin gelf: plugin "gelf" not found' });
  assert.equal(h.ctx.store.all().length, 1, 'a refused create leaves nothing');
}));

test('start: json-file max-size as dockerd reads it (go-units FromHumanSize: k is 1000)', () => withHarness(async (h) => {
  const id = await h.create('logs', { LogConfig: { Type: 'json-file', Config: { 'max-size': '10k', 'max-file': '3' } } });
  await startContainer(h.ctx, id);
  assert.deepEqual(h.runtime.logs.get(id)?.maxSize, 10_000);
  assert.deepEqual(h.runtime.logs.get(id)?.maxFile, 3);
  for (const [size, message] of [['0', 'max-size must be a positive number'], ['10x', "invalid suffix: 'x'"], ['', "invalid size: ''"]]) {
    const bad = await h.create(undefined, { LogConfig: { Type: 'json-file', Config: { 'max-size': size } } });
    await assert.rejects(startContainer(h.ctx, bad), { kind: 'System', message: `failed to initialize logging driver: ${message}` }, size);
    assert.equal(h.ctx.store.get(bad).rec.State.ExitCode, 128, 'dockerd: a start that fails before the process runs exits 128');
  }
}));

test('start: runtime create then start, state running, start event; twice is not modified', () => withHarness(async (h) => {
  const id = await h.create('ss');
  await startContainer(h.ctx, 'ss');
  const c = h.ctx.store.get(id);
  assert.equal(c.state.status, 'running');
  assert.ok(c.state.pid > 0);
  assert.equal(c.rec.HasBeenStartedBefore, true);
  assert.deepEqual(h.runtime.calls.filter((x) => !x.startsWith('delete')), [`create ${id}`, `start ${id}`]);
  assert.ok(h.layers.mounted.has(id));
  assert.deepEqual(h.actions(id), ['create', 'start']);
  await assert.rejects(startContainer(h.ctx, 'ss'), { kind: 'NotModified' });
}));

test('monitor: an exit is recorded, the layer unmounted, die published, waiters woken', () => withHarness(async (h) => {
  const id = await h.create('mm');
  await startContainer(h.ctx, id);
  const c = h.ctx.store.get(id);
  const waited = waitContainer(h.ctx, id, '', new AbortController().signal);
  h.runtime.exit(id, 3);
  assert.deepEqual(await waited, { StatusCode: 3 });
  await settle();
  assert.deepEqual([c.state.status, c.state.exitCode, c.state.pid], ['exited', 3, 0]);
  assert.equal(h.layers.mounted.has(id), false);
  assert.deepEqual(h.actions(id), ['create', 'start', 'die']);
}));

test('monitor: restart policy on-failure restarts after the backoff, then gives up at the maximum', () => withHarness(async (h) => {
  const id = await h.create('rp', { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 1 } });
  await startContainer(h.ctx, id);
  const c = h.ctx.store.get(id);
  h.runtime.exit(id, 1);
  await settle();
  assert.equal(c.state.status, 'restarting');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(c.state.status, 'running', 'restarted after the 100 ms backoff');
  assert.equal(c.rec.RestartCount, 1);
  h.runtime.exit(id, 1);
  await settle();
  assert.equal(c.state.status, 'exited', 'no second restart with MaximumRetryCount 1');
  assert.deepEqual(h.actions(id), ['create', 'start', 'die', 'start', 'restart', 'die']);
}));

test('monitor: AutoRemove removes the container after its exit', () => withHarness(async (h) => {
  const id = await h.create('auto', { AutoRemove: true });
  await startContainer(h.ctx, id);
  const removed = waitContainer(h.ctx, id, 'removed', new AbortController().signal);
  h.runtime.exit(id, 0);
  assert.deepEqual(await removed, { StatusCode: 0 });
  assert.equal(h.ctx.store.find(id), undefined);
  assert.equal(h.layers.rw.has(id), false);
}));

test('stop: the stop signal, the exit recorded, stop event; a stopped one is not modified', () => withHarness(async (h) => {
  const id = await h.create('st', {}, { StopSignal: 'SIGINT' });
  await startContainer(h.ctx, id);
  await stopContainer(h.ctx, id, { timeout: 5 });
  const c = h.ctx.store.get(id);
  assert.equal(c.state.status, 'exited');
  assert.equal(c.state.exitCode, 130);
  assert.equal(c.rec.HasBeenManuallyStopped, true);
  assert.ok(h.runtime.calls.includes(`kill ${id} 2`));
  assert.deepEqual(h.actions(id).slice(-3), ['kill', 'die', 'stop']);
  await assert.rejects(stopContainer(h.ctx, id, {}), { kind: 'NotModified' });
}));

test('stop: SIGKILL after the timeout when the stop signal is ignored', () => withHarness(async (h) => {
  const id = await h.create('stubborn');
  await startContainer(h.ctx, id);
  h.runtime.exitOnKill = false;
  const stopping = stopContainer(h.ctx, id, { timeout: 1 });
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(h.runtime.calls.filter((x) => x.startsWith('kill')), [`kill ${id} 15`]);
  h.runtime.exitOnKill = true;
  await stopping;
  assert.deepEqual(h.runtime.calls.filter((x) => x.startsWith('kill')), [`kill ${id} 15`, `kill ${id} 9`]);
  assert.equal(h.ctx.store.get(id).state.exitCode, 137);
}));

test('kill: a process that already exited is not an error; its exit is awaited (bug 7)', () => withHarness(async (h) => {
  const id = await h.create('gone');
  await startContainer(h.ctx, id);
  // runc answers "container not running" while the exit is not recorded yet.
  h.runtime.killError = 'container not running';
  const killed = killContainer(h.ctx, id, 'SIGKILL');
  setTimeout(() => h.runtime.exit(id, 0), 10);
  await killed;
  assert.equal(h.ctx.store.get(id).state.status, 'exited');
  await assert.rejects(killContainer(h.ctx, id), { kind: 'Conflict', message: /is not running/ });
  await startContainer(h.ctx, id);
  h.runtime.killError = 'permission denied';
  await assert.rejects(killContainer(h.ctx, id, 'SIGUSR1'), { kind: 'System', message: /Cannot kill container: .*: permission denied/ });
  await assert.rejects(killContainer(h.ctx, id, 'SIGNOPE'), { message: 'Invalid signal: SIGNOPE' });
}));

test('stop and restart: a timeout beyond a timer\'s range waits for the exit, no early SIGKILL', () => withHarness(async (h) => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    // StopTimeout from the create body, and `t` given to the verb directly.
    const id = await h.create('patient', {}, { StopTimeout: 99999999999999 });
    for (const verb of [() => stopContainer(h.ctx, id, {}), () => restartContainer(h.ctx, id, { timeout: 99999999999999 })]) {
      await startContainer(h.ctx, id).catch(() => {});
      h.runtime.exitOnKill = false;
      h.runtime.calls.length = 0;
      const stopping = verb();
      // An overflowing setTimeout fires after 1ms: give it ample time to show.
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(h.runtime.calls.filter((x) => x.startsWith('kill')), [`kill ${id} 15`]);
      h.runtime.exit(id, 0);
      await stopping;
      assert.deepEqual(h.runtime.calls.filter((x) => x.startsWith('kill')), [`kill ${id} 15`]);
    }
    assert.equal(h.ctx.store.get(id).state.status, 'running', 'restarted');
    assert.deepEqual(warnings.filter((w) => w.name === 'TimeoutOverflowWarning'), []);
  } finally {
    process.off('warning', onWarning);
  }
}));

test('restart of a container that exits at once: no error while its exit is being recorded (bug 7)', () => withHarness(async (h) => {
  const id = await h.create('quick');
  for (let i = 0; i < 20; i++) {
    await restartContainer(h.ctx, id, { timeout: 1 });
    // `true` exits right away; runc no longer knows the process when the next restart kills it.
    h.runtime.killError = 'container not running';
    h.runtime.exit(id, 0);
  }
  await settle();
  const c = h.ctx.store.get(id);
  assert.equal(c.state.status, 'exited');
  assert.equal(h.actions(id).filter((a) => a === 'restart').length, 20);
}));

test('restart: stops a running container, starts it again, and cancels a pending restart', () => withHarness(async (h) => {
  const id = await h.create('rr', { RestartPolicy: { Name: 'always' } });
  await startContainer(h.ctx, id);
  const c = h.ctx.store.get(id);
  const firstPid = c.state.pid;
  await restartContainer(h.ctx, id, { timeout: 1 });
  assert.equal(c.state.status, 'running');
  assert.notEqual(c.state.pid, firstPid);
  assert.equal(c.rec.HasBeenManuallyStopped, false);
  assert.deepEqual(h.actions(id).slice(-5), ['kill', 'die', 'stop', 'start', 'restart']);
}));

test('remove: refused while running, forced kill, then record, layer and name gone', () => withHarness(async (h) => {
  const id = await h.create('rm');
  await startContainer(h.ctx, id);
  await assert.rejects(removeContainer(h.ctx, 'rm', { force: false, volumes: false }), { kind: 'Conflict', message: /container is running: stop the container before removing or force remove/ });
  const removed = waitContainer(h.ctx, id, 'removed', new AbortController().signal);
  await removeContainer(h.ctx, 'rm', { force: true, volumes: false });
  await removed;
  assert.equal(h.ctx.store.find('rm'), undefined);
  assert.equal(h.layers.rw.has(id), false);
  await assert.rejects(readFile(`${containerDir(h.ctx.dataRoot, id)}/config.v2.json`), { code: 'ENOENT' });
  assert.equal(h.actions(id).at(-1), 'destroy');
  await h.create('rm');
}));

test('remove: a failure half-way leaves the container dead', () => withHarness(async (h) => {
  const id = await h.create('half');
  h.layers.removeRW = async () => {
    throw new Error('device busy');
  };
  await assert.rejects(removeContainer(h.ctx, id, { force: false, volumes: false }), { kind: 'System', message: /unable to remove filesystem for .*: device busy/ });
  const c = h.ctx.store.get(id);
  assert.deepEqual([c.state.status, c.state.fields.Dead], ['dead', true]);
  await assert.rejects(startContainer(h.ctx, id), { message: 'container is marked for removal and cannot be started' });
}));

test('rename: new name taken, old freed, rename event; same name and conflicts refused', () => withHarness(async (h) => {
  const id = await h.create('old');
  await h.create('taken');
  await renameContainer(h.ctx, 'old', 'new');
  assert.equal(h.ctx.store.get('new').rec.ID, id);
  assert.equal(h.ctx.store.find('old'), undefined);
  assert.deepEqual(h.events.at(-1)?.Actor.Attributes.oldName, '/old');
  await assert.rejects(renameContainer(h.ctx, 'new', 'new'), { message: 'Renaming a container with the same name as its current name' });
  await assert.rejects(renameContainer(h.ctx, 'new', 'taken'), { kind: 'Conflict' });
  await assert.rejects(renameContainer(h.ctx, 'new', ''), { message: 'Neither old nor new names may be empty' });
  assert.equal(h.ctx.store.get('new').rec.ID, id);
}));

test('pause / unpause through the runtime, with Docker\'s conflicts', () => withHarness(async (h) => {
  const id = await h.create('pp');
  await assert.rejects(pauseContainer(h.ctx, id), { message: `Container ${id} is not running` });
  await startContainer(h.ctx, id);
  await pauseContainer(h.ctx, id);
  assert.equal(h.ctx.store.get(id).state.status, 'paused');
  await assert.rejects(pauseContainer(h.ctx, id), { message: `Container ${id} is already paused` });
  await assert.rejects(startContainer(h.ctx, id), { message: 'cannot start a paused container, try unpause instead' });
  await unpauseContainer(h.ctx, id);
  assert.equal(h.ctx.store.get(id).state.status, 'running');
  await assert.rejects(unpauseContainer(h.ctx, id), { message: `Container ${id} is not paused` });
  assert.deepEqual(h.runtime.calls.filter((x) => /^(pause|resume)/.test(x)), [`pause ${id}`, `resume ${id}`]);
}));

test('wait: conditions, an exited container answers at once, an aborted wait rejects and leaves nothing', () => withHarness(async (h) => {
  const id = await h.create('ww');
  await assert.rejects(waitContainer(h.ctx, id, 'bogus', new AbortController().signal), { message: 'invalid condition: "bogus"' });
  assert.deepEqual(await waitContainer(h.ctx, id, 'not-running', new AbortController().signal), { StatusCode: 0 });
  await startContainer(h.ctx, id);
  const ac = new AbortController();
  const pending = waitContainer(h.ctx, id, 'next-exit', ac.signal);
  ac.abort();
  await assert.rejects(pending, WaitAborted);
  // An answered wait whose request closes afterwards (every request's signal aborts at its end).
  const done = new AbortController();
  const answered = waitContainer(h.ctx, id, '', done.signal);
  h.runtime.exit(id, 5);
  assert.deepEqual(await answered, { StatusCode: 5 });
  done.abort();
}));

test('prune: removes stopped containers the filter keeps, and reports the space', () => withHarness(async (h) => {
  const a = await h.create('aa', {}, { Labels: { keep: 'no' } });
  const b = await h.create('bb', {}, { Labels: { keep: 'yes' } });
  const running = await h.create('cc');
  await startContainer(h.ctx, running);
  const out = await pruneContainers(h.ctx, (c) => c.rec.Config.Labels.keep !== 'yes');
  assert.deepEqual(out, { ContainersDeleted: [a], SpaceReclaimed: 10 });
  assert.ok(h.ctx.store.find(b));
  assert.ok(h.ctx.store.find(running));
  assert.equal(h.events.at(-1)?.Action, 'prune');
}));

test('exec: refused when not running; created, and its instance removed with the container', () => withHarness(async (h) => {
  const id = await h.create('ee');
  assert.throws(() => createExec(h.ctx, id, { Cmd: ['ls'] }), { message: `Container ${id} is not running` });
  await startContainer(h.ctx, id);
  assert.throws(() => createExec(h.ctx, id, { Cmd: [] }), { message: 'No exec command specified' });
  const execId = createExec(h.ctx, id, { Cmd: ['ls', '-l'] });
  assert.equal(h.ctx.execs.get(execId).containerId, id);
  assert.equal(h.actions(id).at(-1), 'exec_create: ls -l');
  await assert.rejects(containerPids(h.ctx, 'nope'), { kind: 'NotFound' });
  assert.deepEqual(await containerPids(h.ctx, id), [1, 2]);
  await removeContainer(h.ctx, id, { force: true, volumes: false });
  assert.throws(() => h.ctx.execs.get(execId), { message: `No such exec instance: ${execId}` });
  await assert.rejects(startExec(h.ctx, execId), { kind: 'NotFound' });
}));

test('update: the new HostConfig saved and the restart policy changed', () => withHarness(async (h) => {
  const id = await h.create('uu');
  await updateContainerVerb(h.ctx, id, { RestartPolicy: { Name: 'always' } }, '1.50');
  const c = h.ctx.store.get(id);
  assert.deepEqual(c.hostConfig.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  assert.equal(c.restart.policy.Name, 'always');
  const saved = JSON.parse(await readFile(`${containerDir(h.ctx.dataRoot, id)}/hostconfig.json`, 'utf8'));
  assert.equal(saved.RestartPolicy.Name, 'always');
  assert.equal(h.actions(id).at(-1), 'update');
}));
