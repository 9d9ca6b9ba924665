// berth compose's orchestration against a real berthd: up -d, idempotent up, a changed
// environment recreating only that service and its dependents, scale up and down, depends_on
// service_healthy, --wait, the foreground up (Ctrl-C, --abort-on-container-exit), down -v leaving
// nothing, and bad input (missing image, port in use, external network missing, a dependency
// that fails), all through `bin/berth compose`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Daemon, ROOT, freePort, startDaemonWithBusybox, type RunResult } from './harness.ts';
import { startBerthRegistry } from './registry.test-helpers.ts';

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
    depends_on:
      web:
        condition: service_started
        restart: true
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
    assert.match(r.stderr, / Container app-other-1 {2}Restarting\n Container app-other-1 {2}Started\n/);
    // worker depends on web with restart: true: restarting web restarts worker after it, unless --no-deps.
    r = await compose('app', f, ['restart', '-t', '1', 'web']);
    ok(r);
    assert.match(r.stderr, / Container app-worker-1 {2}Started\n/);
    assert.ok(r.stderr.indexOf('Container app-web-1  Started') < r.stderr.indexOf('Container app-worker-1  Restarting'));
    r = await compose('app', f, ['restart', '-t', '1', '--no-deps', 'web']);
    ok(r);
    assert.doesNotMatch(r.stderr, /app-worker-1/);
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
  test('up --wait gives up after --wait-timeout when a container stays unhealthy-starting', async () => {
    const f = await writeProject('waitt', `
services:
  slow:
    image: busybox
    command: ["sleep", "60"]
    healthcheck:
      test: ["CMD", "test", "-f", "/never"]
      interval: 1s
      retries: 1000
`);
    const r = await compose('waitt', f, ['up', '--wait', '--wait-timeout', '2']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /application not healthy after 2s/);
    ok(await compose('waitt', f, ['down', '-t', '0']));
  });

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

describe('compose verbs and output modes', () => {
  test('create then start; kill; rm asks unless -f; rm -s -f removes running ones', async () => {
    const f = await writeProject('verbs', `
services:
  a:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  b:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
`);
    let r = await compose('verbs', f, ['create']);
    ok(r);
    assert.match(r.stderr, / Container verbs-a-1 {2}Created\n/);
    assert.deepEqual((await containers('verbs')).map((c) => c.state), ['created', 'created']);
    r = await compose('verbs', f, ['start']);
    ok(r);
    assert.deepEqual((await containers('verbs')).map((c) => c.state), ['running', 'running']);
    r = await compose('verbs', f, ['kill', 'a']);
    ok(r);
    assert.match(r.stderr, / Container verbs-a-1 {2}Killed\n/);
    assert.equal((await containers('verbs'))[0].state, 'exited');
    r = await compose('verbs', f, ['kill', 'a']);
    ok(r);
    assert.match(r.stderr, /no container to kill/);
    r = await d.berth(['compose', '-p', 'verbs', '-f', f, 'rm'], { input: 'n\n' });
    ok(r);
    assert.match(r.stdout, /Going to remove verbs-a-1\n\? Are you sure\? \(y\/N\)/);
    assert.equal((await containers('verbs')).length, 2);
    r = await compose('verbs', f, ['rm', '-f']);
    ok(r);
    assert.match(r.stderr, / Container verbs-a-1 {2}Removed\n/);
    assert.deepEqual((await containers('verbs')).map((c) => c.name), ['verbs-b-1']);
    r = await compose('verbs', f, ['rm', '-f']);
    ok(r);
    assert.match(r.stderr, /No stopped containers/);
    r = await compose('verbs', f, ['rm', '-s', '-f']);
    ok(r);
    assert.match(r.stderr, / Container verbs-b-1 {2}Stopped\n/);
    assert.deepEqual(await containers('verbs'), []);
    ok(await compose('verbs', f, ['down']));
  });

  test('--progress tty draws the live view; --progress quiet prints nothing', async () => {
    const f = await writeProject('tty', `
services:
  a:
    image: busybox
    command: ["sleep", "60"]
`);
    const r = await d.berth(['compose', '--progress', 'tty', '-p', 'tty', '-f', f, 'up', '-d']);
    ok(r);
    // eslint-disable-next-line no-control-regex
    const text = r.stderr.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(text, /\[\+\] Running 2\/2\n/);
    assert.match(text, / ✔ Network tty_default {2}Created +\d+\.\ds\n/);
    assert.match(text, / ✔ Container tty-a-1 {4}Started +\d+\.\ds\n/);
    const q = await d.berth(['compose', '--progress', 'quiet', '-p', 'tty', '-f', f, 'down', '-t', '0']);
    ok(q);
    assert.equal(q.stderr, '');
    assert.deepEqual(await containers('tty'), []);
  });

  test('a service built from a Dockerfile: built when missing, reused after, rebuilt with --build; down --rmi local removes it', async () => {
    const ctxDir = join(dir, 'webctx');
    await mkdir(ctxDir, { recursive: true });
    await writeFile(join(ctxDir, 'Dockerfile'), 'FROM busybox\nARG GREETING=none\nRUN echo "$GREETING" > /greeting\nCMD ["sh", "-c", "cat /greeting; exec sleep 60"]\n');
    const f = await writeProject('built', `
services:
  web:
    build:
      context: ./webctx
      args:
        GREETING: hello-from-build
`);
    let r = await compose('built', f, ['up', '-d']);
    ok(r);
    assert.match(r.stderr, / Service web {2}Built\n/);
    const img = JSON.parse((await d.docker(['inspect', '--format', '{{json .Config.Image}}', 'built-web-1'])).stdout);
    assert.equal(img, 'built-web');
    const logs = await d.docker(['logs', 'built-web-1']);
    assert.match(logs.stdout, /hello-from-build/);
    r = await compose('built', f, ['up', '-d']);
    ok(r);
    assert.doesNotMatch(r.stderr, /Building/);
    r = await compose('built', f, ['build']);
    ok(r);
    assert.match(r.stderr, / Service web {2}Built\n/);
    r = await compose('built', f, ['down', '--rmi', 'local', '-t', '0']);
    ok(r);
    assert.match(r.stderr, / Image built-web {2}Removed\n/);
    assert.notEqual((await d.docker(['image', 'inspect', 'built-web'])).code, 0);
  });

  test('--no-attach leaves a service out of the output', async () => {
    const f = await writeProject('fgn', `
services:
  job:
    image: busybox
    command: ["sh", "-c", "echo job line; sleep 1"]
  quiet:
    image: busybox
    command: ["sh", "-c", "echo quiet line; sleep 1"]
`);
    const r = await compose('fgn', f, ['up', '--no-attach', 'quiet', '--no-color']);
    ok(r);
    assert.match(r.stdout, /^Attaching to job-1$/m);
    assert.match(r.stdout, /^job-1 {2}\| job line$/m);
    assert.doesNotMatch(r.stdout, /quiet line/);
    ok(await compose('fgn', f, ['down']));
  });

  test('a second Ctrl-C kills what the graceful stop is waiting for', async () => {
    const f = await writeProject('fgk', `
services:
  stubborn:
    image: busybox
    command: ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.2; done"]
    stop_grace_period: 1m
`);
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', 'fgk', '-f', f, 'up', '--no-color'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    let sent = 0;
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      const poll = setInterval(() => {
        if (sent === 0 && out.includes('stubborn-1  | ready')) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && err.includes('Stopping')) {
          sent = 2;
          child.kill('SIGINT');
        }
      }, 100);
      child.on('close', (c) => {
        clearTimeout(timer);
        clearInterval(poll);
        resolve(c);
      });
    });
    assert.equal(sent, 2, out + err);
    assert.equal(code, 130, out + err);
    assert.match(out, /stubborn-1 exited with code 137/);
    assert.equal((await containers('fgk'))[0]?.state, 'exited');
    ok(await compose('fgk', f, ['down']));
  });
});

describe('compose build, push and pull through a local registry', () => {
  test('push sends the built image; pull fetches it back; pull --policy missing skips a present image', async () => {
    const regRoot = join(dir, 'registry');
    await writeFile(join(dir, 'registry.yml'), `version: 0.1\nlog: {accesslog: {disabled: true}}\nhttp: {addr: "127.0.0.1:0"}\nstorage: {filesystem: {rootdirectory: ${regRoot}}}\n`);
    const reg = await startBerthRegistry(['--config', join(dir, 'registry.yml')]);
    try {
      const ctxDir = join(dir, 'pushctx');
      await mkdir(ctxDir, { recursive: true });
      await writeFile(join(ctxDir, 'Dockerfile'), 'FROM busybox\nRUN echo pushed > /marker\n');
      const image = `${reg.host}/compose/web:1`;
      const f = await writeProject('pushp', `
services:
  web:
    build: ./pushctx
    image: ${image}
  plain:
    image: busybox
`);
      ok(await compose('pushp', f, ['build']));
      let r = await compose('pushp', f, ['push']);
      ok(r);
      assert.match(r.stderr, new RegExp(` Image ${image.replace(/[.]/g, '\\.')} {2}Pushed\\n`));
      assert.match(r.stderr, / plain {2}Skipped\n/);
      ok(await d.docker(['rmi', image]));
      r = await compose('pushp', f, ['pull', 'web']);
      ok(r);
      assert.match(r.stderr, / web {2}Pulling\n/);
      assert.match(r.stderr, / web {2}Pulled\n/);
      assert.equal((await d.docker(['image', 'inspect', image])).code, 0);
      r = await compose('pushp', f, ['pull', '--policy', 'missing', 'web']);
      ok(r);
      assert.match(r.stderr, / web {2}Skipped - Image is already present locally\n/);
      // up pulls a missing image by itself (pull_policy missing).
      ok(await d.docker(['rmi', image]));
      r = await compose('pushp', f, ['up', '-d', '--no-build', 'web']);
      ok(r);
      assert.match(r.stderr, / web {2}Pulled\n/);
      ok(await compose('pushp', f, ['down', '-t', '0']));
    } finally {
      await reg.stop();
    }
  });
});

describe('compose recreate options', () => {
  test('--no-start, --force-recreate, --always-recreate-deps, --no-recreate, anonymous volumes kept and renewed with -V', async () => {
    const yaml = (v: string) => `
services:
  base:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
  app:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"]
    environment: {V: "${v}"}
    volumes: ["/anon"]
    depends_on: [base]
`;
    const f = await writeProject('rec', yaml('1'));
    let r = await compose('rec', f, ['up', '-d', '--no-start']);
    ok(r);
    assert.deepEqual((await containers('rec')).map((c) => c.state), ['created', 'created']);
    ok(await compose('rec', f, ['up', '-d']));
    const id = async (n: string) => (await containers('rec')).find((c) => c.name === n)!.id;
    ok(await d.docker(['exec', 'rec-app-1', 'sh', '-c', 'echo kept > /anon/file']));
    const base1 = await id('rec-base-1');
    const app1 = await id('rec-app-1');
    r = await compose('rec', f, ['up', '-d', '--force-recreate', 'app']);
    ok(r);
    assert.equal(await id('rec-base-1'), base1);
    assert.notEqual(await id('rec-app-1'), app1);
    // the anonymous volume came along with the new container
    assert.equal((await d.docker(['exec', 'rec-app-1', 'cat', '/anon/file'])).stdout, 'kept\n');
    r = await compose('rec', f, ['up', '-d', '--force-recreate', '--always-recreate-deps', 'app']);
    ok(r);
    assert.notEqual(await id('rec-base-1'), base1);
    const app2 = await id('rec-app-1');
    await writeProject('rec', yaml('2'));
    r = await compose('rec', f, ['up', '-d', '--no-recreate']);
    ok(r);
    assert.equal(await id('rec-app-1'), app2);
    r = await compose('rec', f, ['up', '-d', '-V']);
    ok(r);
    assert.notEqual(await id('rec-app-1'), app2);
    assert.notEqual((await d.docker(['exec', 'rec-app-1', 'cat', '/anon/file'])).code, 0);
    ok(await compose('rec', f, ['down', '-v']));
    assert.deepEqual(await containers('rec'), []);
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
    const r3 = await compose('cmpl', f, ['up', '-d', '--scale', 'web=x']);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /invalid scale specifier: web=x/);
    const r4 = await compose('cmpl', f, ['up', '-d', 'nosuch']);
    assert.equal(r4.code, 1);
    assert.match(r4.stderr, /no such service: nosuch/);
    assert.deepEqual(await containers('cmpl'), []);
  });
});
