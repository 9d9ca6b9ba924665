// berth compose's orchestration against a real berthd: up -d, idempotent up, a changed
// environment recreating only that service and its dependents, scale up and down, depends_on
// service_healthy, --wait, the foreground up (Ctrl-C, --abort-on-container-exit), down -v leaving
// nothing, and bad input (missing image, port in use, external network missing, a dependency
// that fails), all through `bin/berth compose`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, ROOT, freePort, startDaemonWithBusybox, type RunResult } from './harness.ts';

let d: Daemon;
let dir: string;

before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp('/tmp/bt-compose-');
});

after(async () => {
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `berth compose -p <project> -f <file> <args>` against the test daemon (plain progress: not a terminal). */
function compose(project: string, file: string | undefined, args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
  const fileArgs = file ? ['-f', file] : [];
  return d.berth(['compose', '-p', project, ...fileArgs, ...args], { timeoutMs: opts.timeoutMs ?? 120_000 });
}

async function writeProject(name: string, yaml: string): Promise<string> {
  const f = join(dir, `${name}.yaml`);
  await writeFile(f, yaml);
  return f;
}

async function containers(project: string): Promise<{ name: string; id: string; state: string }[]> {
  const r = await d.docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.ID}} {{.State}}']);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => {
    const [name, id, state] = l.split(' ');
    return { name, id, state };
  }).sort((a, b) => (a.name < b.name ? -1 : 1));
}

const ok = (r: RunResult) => assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);

describe('compose up/down', () => {
  const app = (env: string) => `
services:
  db:
    image: busybox
    command: ["sh", "-c", "touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 5
    volumes:
      - data:/data
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    environment:
      COLOR: ${env}
    depends_on:
      db:
        condition: service_healthy
  worker:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    depends_on: [web]
  other:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
volumes:
  data:
`;

  test('up -d creates the network, volume and containers in dependency order, labelled as compose does', async () => {
    const f = await writeProject('app', app('blue'));
    const r = await compose('app', f, ['up', '-d']);
    ok(r);
    assert.match(r.stderr, / Network app_default {2}Creating\n/);
    assert.match(r.stderr, / Network app_default {2}Created\n/);
    assert.match(r.stderr, / Volume "app_data" {2}Created\n/);
    for (const s of ['db', 'web', 'worker', 'other']) assert.match(r.stderr, new RegExp(` Container app-${s}-1 {2}Started\\n`));
    assert.match(r.stderr, / Container app-db-1 {2}Healthy\n/);
    // web starts only once db is healthy; worker after web.
    assert.ok(r.stderr.indexOf('Container app-db-1  Healthy') < r.stderr.indexOf('Container app-web-1  Started'));
    assert.ok(r.stderr.indexOf('Container app-web-1  Started') < r.stderr.indexOf('Container app-worker-1  Started'));
    const list = await containers('app');
    assert.deepEqual(list.map((c) => `${c.name} ${c.state}`), ['app-db-1 running', 'app-other-1 running', 'app-web-1 running', 'app-worker-1 running']);
    const labels = JSON.parse((await d.docker(['inspect', '--format', '{{json .Config.Labels}}', 'app-web-1'])).stdout);
    assert.equal(labels['com.docker.compose.project'], 'app');
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.match(labels['com.docker.compose.image'], /^sha256:/);
  });

  test('a second up changes nothing: every container is kept', async () => {
    const before = await containers('app');
    const r = await compose('app', join(dir, 'app.yaml'), ['up', '-d']);
    ok(r);
    assert.doesNotMatch(r.stderr, /Recreate|Creating/);
    assert.match(r.stderr, / Container app-web-1 {2}Running\n/);
    assert.deepEqual(await containers('app'), before);
  });

  test('a changed environment recreates that service and its dependents only', async () => {
    const before = new Map((await containers('app')).map((c) => [c.name, c.id]));
    const f = await writeProject('app', app('green'));
    const r = await compose('app', f, ['up', '-d']);
    ok(r);
    assert.match(r.stderr, / Container app-web-1 {2}Recreated\n/);
    assert.match(r.stderr, / Container app-worker-1 {2}Recreated\n/);
    const now = new Map((await containers('app')).map((c) => [c.name, c.id]));
    assert.equal(now.get('app-db-1'), before.get('app-db-1'));
    assert.equal(now.get('app-other-1'), before.get('app-other-1'));
    assert.notEqual(now.get('app-web-1'), before.get('app-web-1'));
    assert.notEqual(now.get('app-worker-1'), before.get('app-worker-1'));
    const env = (await d.docker(['inspect', '--format', '{{json .Config.Env}}', 'app-web-1'])).stdout;
    assert.match(env, /COLOR=green/);
    // The old container is gone (no <id>_app-web-1 left behind).
    assert.equal((await containers('app')).length, 4);
  });

  test('--scale web=3 adds web-2 and web-3; a plain up scales back, removing the highest numbers', async () => {
    const f = join(dir, 'app.yaml');
    let r = await compose('app', f, ['up', '-d', '--scale', 'web=3']);
    ok(r);
    let names = (await containers('app')).map((c) => c.name);
    assert.deepEqual(names.filter((n) => n.startsWith('app-web-')), ['app-web-1', 'app-web-2', 'app-web-3']);
    r = await compose('app', f, ['up', '-d']);
    ok(r);
    assert.match(r.stderr, / Container app-web-3 {2}Removed\n/);
    names = (await containers('app')).map((c) => c.name);
    assert.deepEqual(names.filter((n) => n.startsWith('app-web-')), ['app-web-1']);
  });

  test('stop, start, restart, pause and unpause the project', async () => {
    const f = join(dir, 'app.yaml');
    let r = await compose('app', f, ['stop', '-t', '1', 'other']);
    ok(r);
    assert.match(r.stderr, / Container app-other-1 {2}Stopped\n/);
    assert.equal((await containers('app')).find((c) => c.name === 'app-other-1')?.state, 'exited');
    r = await compose('app', f, ['start', 'other']);
    ok(r);
    assert.match(r.stderr, / Container app-other-1 {2}Started\n/);
    r = await compose('app', f, ['pause', 'other']);
    ok(r);
    assert.equal((await containers('app')).find((c) => c.name === 'app-other-1')?.state, 'paused');
    r = await compose('app', f, ['unpause', 'other']);
    ok(r);
    r = await compose('app', f, ['restart', '-t', '1', 'other']);
    ok(r);
    assert.match(r.stderr, / Container app-other-1 {2}Restarted\n/);
  });

  test('a service removed from the file is an orphan: warned about, then removed with --remove-orphans', async () => {
    const f = await writeProject('app', app('green').replace(/ {2}other:\n(?: {4}.*\n)+/, ''));
    let r = await compose('app', f, ['up', '-d']);
    ok(r);
    assert.match(r.stderr, /Found orphan containers \(\[app-other-1\]\) for this project/);
    r = await compose('app', f, ['up', '-d', '--remove-orphans']);
    ok(r);
    assert.match(r.stderr, / Container app-other-1 {2}Removed\n/);
  });

  test('down -v removes containers, the network and the volume: nothing is left', async () => {
    const r = await compose('app', join(dir, 'app.yaml'), ['down', '-v', '-t', '1']);
    ok(r);
    assert.match(r.stderr, / Container app-web-1 {2}Stopping\n/);
    assert.match(r.stderr, / Container app-web-1 {2}Removed\n/);
    assert.match(r.stderr, / Network app_default {2}Removed\n/);
    assert.match(r.stderr, / Volume app_data {2}Removed\n/);
    assert.deepEqual(await containers('app'), []);
    assert.equal((await d.docker(['network', 'ls', '-q', '--filter', 'name=app_default'])).stdout.trim(), '');
    assert.equal((await d.docker(['volume', 'ls', '-q', '--filter', 'name=app_data'])).stdout.trim(), '');
  });
});

describe('compose --wait, down by project name, foreground up', () => {
  test('up --wait returns once the healthcheck passes; down -p works with no compose file', async () => {
    const f = await writeProject('waitp', `
services:
  db:
    image: busybox
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 600"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 10
`);
    const r = await compose('waitp', f, ['up', '--wait']);
    ok(r);
    assert.match(r.stderr, / Container waitp-db-1 {2}Healthy\n/);
    const health = (await d.docker(['inspect', '--format', '{{.State.Health.Status}}', 'waitp-db-1'])).stdout.trim();
    assert.equal(health, 'healthy');
    const down = await compose('waitp', undefined, ['down', '-t', '0']);
    ok(down);
    assert.match(down.stderr, / Container waitp-db-1 {2}Removed\n/);
    assert.match(down.stderr, / Network waitp_default {2}Removed\n/);
    assert.deepEqual(await containers('waitp'), []);
  });

  test('foreground up prints prefixed logs; --abort-on-container-exit stops the rest and exits with that code', async () => {
    const f = await writeProject('fga', `
services:
  job:
    image: busybox
    command: ["sh", "-c", "echo job says hi; sleep 1; exit 3"]
  srv:
    image: busybox
    command: ["sh", "-c", "echo srv up; trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`);
    const r = await compose('fga', f, ['up', '--abort-on-container-exit', '--no-color']);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^Attaching to job-1, srv-1$/m);
    assert.match(r.stdout, /^job-1 {2}\| job says hi$/m);
    assert.match(r.stdout, /^srv-1 {2}\| srv up$/m);
    assert.match(r.stdout, /job-1 exited with code 3/);
    assert.match(r.stdout, /Aborting on container exit\.\.\./);
    assert.match(r.stdout, /srv-1 exited with code 0/);
    assert.equal((await containers('fga')).every((c) => c.state === 'exited'), true);
    const fromSrv = await compose('fga', f, ['up', '--exit-code-from', 'srv', '--no-color']);
    assert.equal(fromSrv.code, 0, fromSrv.stdout + fromSrv.stderr);
    ok(await compose('fga', f, ['down']));
  });

  test('Ctrl-C stops a foreground up gracefully', async () => {
    const f = await writeProject('fgc', `
services:
  srv:
    image: busybox
    command: ["sh", "-c", "echo ready; trap 'echo got TERM; exit 0' TERM; while true; do sleep 0.2; done"]
`);
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', 'fgc', '-f', f, 'up', '--no-color'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const poll = setInterval(() => {
        if (out.includes('srv-1  | ready')) {
          clearInterval(poll);
          child.kill('SIGINT');
        }
      }, 100);
      child.on('close', (c) => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(c);
      });
    });
    assert.match(out, /Gracefully stopping\.\.\. \(press Ctrl\+C again to force\)/);
    assert.match(out, /srv-1 {2}\| got TERM/);
    assert.match(err, / Container fgc-srv-1 {2}Stopped\n/);
    assert.equal(code, 130, out + err);
    assert.equal((await containers('fgc'))[0]?.state, 'exited');
    ok(await compose('fgc', f, ['down']));
  });
});

describe('compose bad input', () => {
  test('a missing image with pull_policy never: the daemon\'s "No such image", nothing created', async () => {
    const f = await writeProject('noimg', `
services:
  x:
    image: nosuch/image:1
    pull_policy: never
`);
    const r = await compose('noimg', f, ['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /No such image: nosuch\/image:1/);
    assert.deepEqual(await containers('noimg'), []);
  });

  test('an image that cannot be pulled: the pull error, naming the service', async () => {
    const port = await freePort();
    const f = await writeProject('nopull', `
services:
  x:
    image: 127.0.0.1:${port}/nothere:1
`);
    const r = await compose('nopull', f, ['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, / x {2}Pulling\n/);
    assert.match(r.stderr, / x {2}Error /);
    assert.match(r.stderr, /Error response from daemon: .*127\.0\.0\.1/);
    assert.deepEqual(await containers('nopull'), []);
  });

  test('an external network that does not exist: compose\'s message, no container', async () => {
    const f = await writeProject('extn', `
services:
  x:
    image: busybox
    command: ["sleep", "60"]
    networks: [outside]
networks:
  outside:
    external: true
    name: not-there-net
`);
    const r = await compose('extn', f, ['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /network not-there-net declared as external, but could not be found/);
    assert.deepEqual(await containers('extn'), []);
  });

  test('a published port already in use: the daemon\'s message with the container; down cleans up', async () => {
    const port = await freePort();
    const f = await writeProject('ports', `
services:
  a:
    image: busybox
    command: ["sleep", "60"]
    ports: ["${port}:80"]
  b:
    image: busybox
    command: ["sleep", "60"]
    depends_on: [a]
    ports: ["${port}:80"]
`);
    const r = await compose('ports', f, ['up', '-d']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Error response from daemon: .*ports-b-1.*port is already allocated/);
    ok(await compose('ports', f, ['down', '-t', '0']));
    assert.deepEqual(await containers('ports'), []);
  });

  test('an unhealthy dependency: "dependency failed to start", the dependent is not started', async () => {
    const f = await writeProject('unh', `
services:
  db:
    image: busybox
    command: ["sleep", "60"]
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
  web:
    image: busybox
    command: ["sleep", "60"]
    depends_on:
      db:
        condition: service_healthy
`);
    const r = await compose('unh', f, ['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /dependency failed to start: container unh-db-1 is unhealthy/);
    assert.equal((await containers('unh')).find((c) => c.name === 'unh-web-1')?.state, 'created');
    ok(await compose('unh', f, ['down', '-t', '0']));
  });

  test('a dependency that must complete and fails: compose\'s message with its exit code', async () => {
    const f = await writeProject('cmpl', `
services:
  init:
    image: busybox
    command: ["sh", "-c", "exit 4"]
  web:
    image: busybox
    command: ["sleep", "60"]
    depends_on:
      init:
        condition: service_completed_successfully
`);
    const r = await compose('cmpl', f, ['up', '-d']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /service "init" didn't complete successfully: exit 4/);
    ok(await compose('cmpl', f, ['down', '-t', '0']));
  });

  test('conflicting flags are refused before anything is done', async () => {
    const f = join(dir, 'cmpl.yaml');
    const r = await compose('cmpl', f, ['up', '-d', '--abort-on-container-exit']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--detach cannot be combined with --abort-on-container-exit/);
    const r2 = await compose('cmpl', f, ['up', '--force-recreate', '--no-recreate']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /--force-recreate and --no-recreate are incompatible/);
    assert.deepEqual(await containers('cmpl'), []);
  });
});
