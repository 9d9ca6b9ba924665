// The first things a person does: ping, version negotiation, load an image, run containers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox, run, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

test('_ping and version answer with API 1.50 and min 1.24', async () => {
  const ping = await d.api('GET', '/_ping');
  assert.equal(ping.status, 200);
  assert.equal(ping.text, 'OK');
  assert.equal(ping.headers['api-version'], '1.50');
  const head = await d.api('HEAD', '/_ping');
  assert.equal(head.status, 200);
  const v = await d.api('GET', '/v1.41/version');
  assert.equal(v.status, 200);
  assert.equal(v.json.ApiVersion, '1.50');
  assert.equal(v.json.MinAPIVersion, '1.24');
  const tooNew = await d.api('GET', '/v1.99/version');
  assert.equal(tooNew.status, 400);
  assert.match(tooNew.json.message, /client version 1.99 is too new/);
  const tooOld = await d.api('GET', '/v1.12/version');
  assert.equal(tooOld.status, 400);
  assert.match(tooOld.json.message, /too old/);
});

test('docker CLI negotiates down to an old API version (DOCKER_API_VERSION=1.41)', async () => {
  const r = await d.docker(['version', '--format', '{{.Client.APIVersion}} {{.Server.APIVersion}}'], { env: { DOCKER_API_VERSION: '1.41' } });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1.41 1.50');
  const ps = await d.docker(['ps', '-a'], { env: { DOCKER_API_VERSION: '1.41' } });
  assert.equal(ps.code, 0, ps.stderr);
  const run = await d.docker(['run', '--rm', 'busybox', 'echo', 'old-client'], { env: { DOCKER_API_VERSION: '1.41' } });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'old-client\n');
});

test('the loaded busybox image is listed and inspectable', async () => {
  const r = await d.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^busybox:latest$/m);
  const i = await d.docker(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}} {{index .Config.Cmd 0}}', 'busybox']);
  assert.equal(i.code, 0, i.stderr);
  assert.equal(i.stdout.trim(), 'linux/amd64 sh');
});

test('run --rm passes exit codes 0, 3, 126, 127 and 137 through', async () => {
  const ok = await d.docker(['run', '--rm', 'busybox', 'true']);
  assert.equal(ok.code, 0, ok.stderr);
  const three = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
  assert.equal(three.code, 3, three.stderr);
  const notExec = await d.docker(['run', '--rm', 'busybox', '/etc/passwd']);
  assert.equal(notExec.code, 126, notExec.stderr);
  assert.match(notExec.stderr, /permission denied/);
  const notFound = await d.docker(['run', '--rm', 'busybox', 'no-such-command']);
  assert.equal(notFound.code, 127, notFound.stderr);
  assert.match(notFound.stderr, /executable file not found/);
  // PID 1 cannot SIGKILL itself, so the kill comes from outside, as `docker kill` does.
  const running = run('docker', ['-H', d.host, 'run', '--rm', '--name', 'victim', 'busybox', 'sleep', '300']);
  for (let i = 0; i < 100 && (await d.docker(['inspect', '-f', '{{.State.Running}}', 'victim'])).stdout.trim() !== 'true'; i++) await sleep(50);
  const kill = await d.docker(['kill', 'victim']);
  assert.equal(kill.code, 0, kill.stderr);
  const killed = await running;
  assert.equal(killed.code, 137, killed.stderr);
  const left = await d.docker(['ps', '-aq']);
  assert.equal(left.stdout.trim(), '', 'every --rm container is gone');
});

test('run without a TTY separates stdout and stderr', async () => {
  const r = await d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
});

test('stdin reaches a container run with -i', async () => {
  const r = await d.docker(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'tr a-z A-Z'], { input: 'hello stdin\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'HELLO STDIN\n');
});

test('network modes none and host work; the default is an empty namespace for now', async () => {
  const none = await d.docker(['run', '--rm', '--network', 'none', 'busybox', 'ls', '/sys/class/net']);
  assert.equal(none.stdout, 'lo\n', none.stderr);
  const host = await d.docker(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ls /sys/class/net; hostname']);
  const hostIfaces = (await import('node:fs')).readdirSync('/sys/class/net').sort();
  const lines = host.stdout.trim().split('\n');
  assert.deepEqual(lines.slice(0, -1).sort(), hostIfaces, 'the host\'s interfaces');
  assert.equal(lines.at(-1), (await import('node:os')).hostname(), 'the host\'s name');
});
