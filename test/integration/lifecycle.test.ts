// The everyday lifecycle through the real docker CLI: run -d, logs, exec, attach, top, inspect,
// pause, stop, rm, and a TTY through a real pty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox, run, waitFor, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});


test('run -d, logs -f, exec with and without tty, stop -t 1, rm', async () => {
  const r = await d.docker(['run', '-d', '--name', 'life', 'busybox', 'sh', '-c', 'echo started; while true; do sleep 0.2; done']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);

  await waitFor(async () => (await d.docker(['logs', 'life'])).stdout.includes('started'), 'first log line');
  // logs -f follows until the container stops
  const follow = run('docker', ['-H', d.host, 'logs', '-f', 'life'], { timeoutMs: 30_000 });

  const exec = await d.docker(['exec', 'life', 'sh', '-c', 'echo in-exec; exit 4']);
  assert.equal(exec.code, 4);
  assert.equal(exec.stdout, 'in-exec\n');
  const execTty = await run('script', ['-qec', `docker -H ${d.host} exec -t life sh -c 'tty; echo tty-ok'`, '/dev/null']);
  assert.equal(execTty.code, 0, execTty.stderr);
  assert.match(execTty.stdout, /\/dev\/pts\/\d+/);
  assert.match(execTty.stdout, /tty-ok/);
  const execEnv = await d.docker(['exec', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'app', 'life', 'sh', '-c', 'echo $FOO $(pwd) $(id -u)']);
  assert.equal(execEnv.stdout, 'bar /tmp 1000\n', execEnv.stderr);

  const running = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Running}} {{.State.Pid}}', 'life']);
  assert.match(running.stdout, /^running true [1-9]\d*\n$/);

  const stop = await d.docker(['stop', '-t', '1', 'life']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.equal(stop.stdout.trim(), 'life');
  const followed = await follow;
  assert.equal(followed.code, 0, followed.stderr);
  assert.match(followed.stdout, /^started\n/);

  const state = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}', 'life']);
  assert.equal(state.stdout.trim(), 'exited 137 false', 'sh ignores SIGTERM as PID 1, so stop -t 1 kills it');
  const rm = await d.docker(['rm', 'life']);
  assert.equal(rm.code, 0, rm.stderr);
  const gone = await d.docker(['inspect', 'life']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /No such object: life/);
});

test('attach receives output and sends stdin', async () => {
  const r = await d.docker(['run', '-d', '-i', '--name', 'att', 'busybox', 'sh', '-c', 'while read l; do echo "got $l"; done']);
  assert.equal(r.code, 0, r.stderr);
  const child = spawn('docker', ['-H', d.host, 'attach', 'att'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  await sleep(500);
  child.stdin.write('one\n');
  await waitFor(async () => out.includes('got one'), 'attached output');
  // The attach stream ends when the container does.
  const closed = new Promise<number>((r2) => child.on('close', (code) => r2(code ?? -1)));
  await d.docker(['kill', 'att']);
  assert.equal(await closed, 137);
  await d.docker(['rm', '-f', 'att']);
});

test('run -it through a pty gives a terminal, and exits with the shell code', async () => {
  const r = await run('script', ['-qec', `stty rows 30 cols 100; docker -H ${d.host} run --rm -it busybox sh -c 'tty; stty size; exit 7'`, '/dev/null'], { timeoutMs: 30_000 });
  assert.equal(r.code, 7, r.stdout + r.stderr);
  assert.match(r.stdout, /\/dev\/pts\/0/);
  assert.match(r.stdout, /30 100/, 'the terminal size reaches the container');
});

test('top lists the container processes', async () => {
  await d.docker(['run', '-d', '--name', 'tops', 'busybox', 'sleep', '300']);
  const r = await d.docker(['top', 'tops']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^UID\s+PID\s+PPID/m);
  assert.match(r.stdout, /sleep 300/);
  const aux = await d.docker(['top', 'tops', '-o', 'pid,comm']);
  assert.equal(aux.code, 0, aux.stderr);
  assert.match(aux.stdout, /sleep/);
  await d.docker(['rm', '-f', 'tops']);
  const stopped = await d.docker(['top', 'tops']);
  assert.notEqual(stopped.code, 0);
});

test('pause and unpause freeze and thaw the container', async () => {
  await d.docker(['run', '-d', '--name', 'frozen', 'busybox', 'sleep', '300']);
  assert.equal((await d.docker(['pause', 'frozen'])).code, 0);
  const paused = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Paused}}', 'frozen']);
  assert.equal(paused.stdout.trim(), 'paused true');
  const again = await d.docker(['pause', 'frozen']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /is already paused/);
  const exec = await d.docker(['exec', 'frozen', 'true']);
  assert.notEqual(exec.code, 0);
  assert.match(exec.stderr, /is paused/);
  assert.equal((await d.docker(['unpause', 'frozen'])).code, 0);
  const running = await d.docker(['inspect', '-f', '{{.State.Status}}', 'frozen']);
  assert.equal(running.stdout.trim(), 'running');
  await d.docker(['rm', '-f', 'frozen']);
});

test('inspect shows Docker\'s fields', async () => {
  const r = await d.docker(['create', '--name', 'insp', '-e', 'A=1', '-l', 'k=v', '--hostname', 'box', '--restart', 'on-failure:3', '--memory', '64m', 'busybox', 'echo', 'hi there']);
  assert.equal(r.code, 0, r.stderr);
  const f = await d.docker(['inspect', '-f',
    '{{.Name}}|{{.Path}}|{{json .Args}}|{{.State.Status}}|{{.Config.Hostname}}|{{index .Config.Labels "k"}}|{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}|{{.HostConfig.Memory}}|{{.GraphDriver.Name}}|{{.Driver}}|{{.Platform}}',
    'insp']);
  assert.equal(f.code, 0, f.stderr);
  assert.equal(f.stdout.trim(), '/insp|echo|["hi there"]|created|box|v|on-failure:3|67108864|overlay2|overlay2|linux');
  const env = await d.docker(['inspect', '-f', '{{json .Config.Env}}', 'insp']);
  assert.match(env.stdout, /"A=1"/);
  assert.match(env.stdout, /"PATH=/);
  const raw = await d.api('GET', `/containers/insp/json`);
  for (const key of ['Id', 'Created', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform', 'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings']) {
    assert.ok(key in raw.json, `inspect has ${key}`);
  }
  for (const key of ['Status', 'Running', 'Paused', 'Restarting', 'OOMKilled', 'Dead', 'Pid', 'ExitCode', 'Error', 'StartedAt', 'FinishedAt']) {
    assert.ok(key in raw.json.State, `State has ${key}`);
  }
  await d.docker(['start', '-a', 'insp']);
  const after1 = await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'insp']);
  assert.equal(after1.stdout.trim(), 'exited 0');
  await d.docker(['rm', 'insp']);
});

test('ps lists and filters containers', async () => {
  await d.docker(['run', '-d', '--name', 'ps-a', '-l', 'team=x', 'busybox', 'sleep', '300']);
  await d.docker(['run', '--name', 'ps-b', 'busybox', 'sh', '-c', 'exit 2']);
  const all = await d.docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
  assert.match(all.stdout, /^ps-a Up /m);
  assert.match(all.stdout, /^ps-b Exited \(2\) /m);
  const running = await d.docker(['ps', '--format', '{{.Names}}']);
  assert.doesNotMatch(running.stdout, /ps-b/);
  const byLabel = await d.docker(['ps', '-a', '--filter', 'label=team=x', '--format', '{{.Names}}']);
  assert.equal(byLabel.stdout.trim(), 'ps-a');
  const exited = await d.docker(['ps', '-a', '--filter', 'exited=2', '--format', '{{.Names}}']);
  assert.equal(exited.stdout.trim(), 'ps-b');
  const bad = await d.docker(['ps', '--filter', 'status=bogus']);
  assert.notEqual(bad.code, 0);
  await d.docker(['rm', '-f', 'ps-a', 'ps-b']);
});

test('logs --tail, --timestamps, --since and separate streams', async () => {
  const r = await d.docker(['run', '--name', 'logs', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2']);
  assert.equal(r.code, 0, r.stderr);
  const tail = await d.docker(['logs', '--tail', '2', 'logs']);
  assert.equal(tail.stdout + tail.stderr, 'out5\nerr1\n');
  const ts = await d.docker(['logs', '-t', '--tail', '1', 'logs']);
  assert.match(ts.stderr, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z err1\n$/);
  const future = await d.docker(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), 'logs']);
  assert.equal(future.stdout, '');
  const api = await d.api('GET', '/containers/logs/logs?stdout=1&stderr=0');
  assert.equal(api.status, 200);
  assert.ok(!api.text.includes('err1'));
  const none = await d.api('GET', '/containers/logs/logs');
  assert.equal(none.status, 400);
  await d.docker(['rm', 'logs']);
});

test('rename keeps the container and frees the old name', async () => {
  await d.docker(['create', '--name', 'before', 'busybox', 'true']);
  const r = await d.docker(['rename', 'before', 'after']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await d.docker(['inspect', '-f', '{{.Name}}', 'after'])).stdout.trim(), '/after');
  assert.equal((await d.docker(['create', '--name', 'before', 'busybox', 'true'])).code, 0, 'old name is free');
  const clash = await d.docker(['rename', 'after', 'before']);
  assert.notEqual(clash.code, 0);
  assert.match(clash.stderr, /is already in use/);
  await d.docker(['rm', 'after', 'before']);
});
