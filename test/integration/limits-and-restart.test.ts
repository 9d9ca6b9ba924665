// Resource limits and security options enforced by the kernel, and restart policies across
// container exits and a kill -9 of the daemon.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});


test('a --memory 32m container that allocates more is OOM-killed and inspect says so', async () => {
  // busybox: fill a tmpfs-free buffer in memory: `head -c` into a shell variable.
  const r = await d.docker(['run', '--name', 'oom', '--memory', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived']);
  assert.equal(r.code, 137, r.stdout + r.stderr);
  const s = await d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom']);
  assert.equal(s.stdout.trim(), 'true 137');
  await d.docker(['rm', 'oom']);
});

test('--pids-limit caps the number of processes', async () => {
  const r = await d.docker(['run', '--rm', '--pids-limit', '5', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do sleep 5 & done; wait; echo done']);
  assert.match(r.stderr + r.stdout, /can't fork|Resource temporarily unavailable/);
});

test('--read-only makes the root filesystem read-only', async () => {
  const r = await d.docker(['run', '--rm', '--read-only', 'busybox', 'touch', '/file']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Read-only file system/);
  const tmpOk = await d.docker(['run', '--rm', '--read-only', 'busybox', 'sh', '-c', 'echo x > /dev/shm/f && cat /dev/shm/f']);
  assert.equal(tmpOk.stdout, 'x\n', tmpOk.stderr);
});

test('--cap-drop ALL removes capabilities (chown fails as root)', async () => {
  const ok = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'touch /f && chown 1000 /f && echo ok']);
  assert.equal(ok.stdout, 'ok\n', ok.stderr);
  const r = await d.docker(['run', '--rm', '--cap-drop', 'ALL', 'busybox', 'sh', '-c', 'touch /f && chown 1000 /f']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Operation not permitted/);
  const caps = await d.docker(['run', '--rm', '--cap-drop', 'ALL', 'busybox', 'grep', 'CapEff', '/proc/self/status']);
  assert.match(caps.stdout, /CapEff:\s+0000000000000000/);
});

test('--user runs as the named user from the image', async () => {
  const r = await d.docker(['run', '--rm', '-u', 'app', 'busybox', 'id']);
  assert.equal(r.stdout.trim(), 'uid=1000(app) gid=1000(app) groups=1000(app)');
  const bad = await d.docker(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'id']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unable to find user nosuchuser/);
});

test('--init runs tini as PID 1', async () => {
  const r = await d.docker(['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/cmdline']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /docker-init/);
});

test('restart=always brings a container back after it exits', async () => {
  const r = await d.docker(['run', '-d', '--name', 'always', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3; exit 1']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(async () => Number((await d.docker(['inspect', '-f', '{{.RestartCount}}', 'always'])).stdout.trim()) >= 2, 'two restarts');
  await d.docker(['rm', '-f', 'always']);
});

test('restart=always container survives kill -9 of berthd and a restart', async () => {
  const r = await d.docker(['run', '-d', '--name', 'survivor', '--restart', 'always', 'busybox', 'sh', '-c', 'echo up; sleep 300']);
  assert.equal(r.code, 0, r.stderr);
  await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'survivor'])).stdout.trim() === 'true', 'running');
  await d.kill9();
  await d.start();
  await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Running}}', 'survivor'])).stdout.trim() === 'true', 'running again after daemon restart');
  const logs = await d.docker(['logs', 'survivor']);
  assert.match(logs.stdout, /up/);
  await d.docker(['rm', '-f', 'survivor']);
});

test('with --live-restore a container keeps running and logging while berthd is down', async () => {
  await d.stopDaemon();
  const live = new (d.constructor as typeof import('./harness.ts').Daemon)(d.dir, ['--live-restore']);
  d = live;
  await d.start();
  const r = await d.docker(['run', '-d', '--name', 'lr', 'busybox', 'sh', '-c', 'i=0; while [ $i -lt 40 ]; do echo tick $i; i=$((i+1)); sleep 0.1; done; exit 5']);
  assert.equal(r.code, 0, r.stderr);
  const pidBefore = (await d.docker(['inspect', '-f', '{{.State.Pid}}', 'lr'])).stdout.trim();
  await d.kill9();
  await sleep(1500);
  await d.start();
  const pidAfter = (await d.docker(['inspect', '-f', '{{.State.Pid}}', 'lr'])).stdout.trim();
  assert.ok(pidAfter === pidBefore || pidAfter === '0', 'the same process, or it already finished');
  const code = await d.docker(['wait', 'lr']);
  assert.equal(code.stdout.trim(), '5');
  const logs = await d.docker(['logs', 'lr']);
  assert.match(logs.stdout, /tick 0\n/);
  assert.match(logs.stdout, /tick 39\n/, 'lines written while the daemon was down are kept');
  await d.docker(['rm', 'lr']);
});
