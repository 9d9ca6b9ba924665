// Robustness under quick exits: restarts of a container that exits at once (issue 8, bug 7),
// and `wait` requests that end before or without the container's exit (issue 8, bug 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

const UNCAUGHT = /uncaught|unhandled/i;

test('restart -t 1 of a container that exits at once never fails (40 times)', async () => {
  const r = await d.docker(['create', '--name', 'quick', 'busybox', 'true']);
  assert.equal(r.code, 0, r.stderr);
  const failures: string[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await d.api('POST', '/v1.50/containers/quick/restart?t=1');
    if (res.status !== 204) failures.push(`${i}: ${res.status} ${res.text.trim()}`);
  }
  assert.deepEqual(failures, []);
  // Every restart started it again: it ran and exited with true's code.
  await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Status}}', 'quick'])).stdout.trim() === 'exited', 'the last run to exit');
  const state = await d.docker(['inspect', '-f', '{{.State.ExitCode}} {{.State.Running}}', 'quick']);
  assert.equal(state.stdout.trim(), '0 false');
  const cli = await d.docker(['restart', '-t', '1', 'quick']);
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(cli.stdout.trim(), 'quick');
  assert.equal((await d.docker(['rm', '-f', 'quick'])).code, 0);
  assert.doesNotMatch(d.daemonLog(), UNCAUGHT);
});

test('wait on an exited container, and a wait whose client leaves, log nothing uncaught', async () => {
  const r = await d.docker(['run', '--name', 'done', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(r.code, 3, r.stderr);
  const wait = await d.docker(['wait', 'done']);
  assert.equal(wait.code, 0, wait.stderr);
  assert.equal(wait.stdout.trim(), '3');
  for (const condition of ['', 'not-running']) {
    const res = await d.api('POST', `/v1.50/containers/done/wait?condition=${condition}`);
    assert.equal(res.status, 200);
    assert.equal(res.json.StatusCode, 3);
  }

  // A client that goes away while its wait is pending.
  const run = await d.docker(['run', '-d', '--name', 'long', 'busybox', 'sleep', '300']);
  assert.equal(run.code, 0, run.stderr);
  for (const condition of ['', 'next-exit', 'removed']) {
    await new Promise<void>((resolve, reject) => {
      const req = request({ socketPath: d.socket, method: 'POST', path: `/v1.50/containers/long/wait?condition=${condition}` }, (res) => {
        assert.equal(res.statusCode, 200);
        // The headers come at once; the body only at exit. Leave before it.
        req.destroy();
        resolve();
      });
      req.on('error', (err) => (req.destroyed ? resolve() : reject(err)));
      req.end();
    });
  }
  // The daemon saw the disconnects; it still answers, and the container still runs.
  await sleep(300);
  assert.equal((await d.api('GET', '/_ping')).status, 200);
  assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}}', 'long'])).stdout.trim(), 'true');
  assert.equal((await d.docker(['rm', '-f', 'long'])).code, 0);
  assert.equal((await d.docker(['rm', 'done'])).code, 0);
  assert.doesNotMatch(d.daemonLog(), UNCAUGHT);
});
