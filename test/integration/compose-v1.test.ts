// Debian's docker-compose 1.29 (python, docker-py) driving a real berthd: the multi-service
// project of test/fixtures/compose-v1 (web built from a Dockerfile, db with a named volume and a
// healthcheck, web depends on db being healthy, two networks, .env interpolation, env_file, a
// profile, a secret from a file) through up, ps, logs, exec, run --rm, config, an idempotent up,
// a changed environment, scale, the lifecycle verbs, top, port, a foreground up, pull and push
// through a local registry, and down -v leaving nothing. Also the daemon details compose needs:
// attach to a stopped container, ContainerConfig in image inspect, exec output with stdin at EOF.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, run, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';
import { startBerthRegistry, type RunningRegistry } from './registry.test-helpers.ts';

const COMPOSE = '/usr/bin/docker-compose';
const FIXTURE = join(ROOT, 'test/fixtures/compose-v1');
const P = 'cv1';
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync(COMPOSE) ? 'docker-compose 1.29 is not installed' : false;

const lines = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter(Boolean);

describe('docker-compose 1.29 against berthd', { skip }, () => {
  let d: Daemon;
  let dir = '';
  let registry: RunningRegistry | undefined;

  /** docker-compose with the project's file and name; COMPOSE_INTERACTIVE_NO_CLI=1 makes exec and run use the API instead of the docker CLI. */
  const dc = (args: string[], opts: { file?: string; project?: string; env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<RunResult> =>
    run(COMPOSE, ['-f', opts.file ?? join(dir, 'docker-compose.yml'), '-p', opts.project ?? P, ...args], {
      env: { DOCKER_HOST: d.host, ...opts.env }, input: opts.input, timeoutMs: opts.timeoutMs ?? 120_000,
    });
  const ok = async (args: string[], opts: Parameters<typeof dc>[1] = {}): Promise<string> => {
    const r = await dc(args, opts);
    assert.equal(r.code, 0, `docker-compose ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const docker = async (args: string[]): Promise<string> => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** name -> ID of the project's containers. */
  const ids = async (project = P): Promise<Record<string, string>> => {
    const out = await docker(['ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.ID}}']);
    return Object.fromEntries(lines(out).map((l) => l.split(' ') as [string, string]));
  };
  const inspect = async (name: string) => JSON.parse(await docker(['inspect', name]))[0];

  before(async () => {
    d = await startDaemonWithBusybox();
    dir = await mkdtemp('/tmp/cmpv1-');
    await cp(FIXTURE, dir, { recursive: true });
  });

  after(async () => {
    await registry?.stop();
    if (d) await d.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('config: .env interpolation, env_file, the build args, the profile and the secret resolved', async () => {
    const out = await ok(['config']);
    assert.match(out, /GREETING: hello from \.env/);
    assert.match(out, /WEB_TITLE: compose v1 project/);
    assert.match(out, /FROM_ENV_FILE: "yes"/);
    assert.match(out, /DB_NAME: appdb/);
    assert.match(out, new RegExp(`file: ${dir}/db-password.txt`));
    assert.deepEqual(lines(await ok(['config', '--services'])), ['db', 'web', 'debug']);
    assert.deepEqual(lines(await ok(['config', '--volumes'])), ['dbdata']);
    // A missing required variable is compose's own error, before any API call.
    const bad = await dc(['config'], { env: { GREETING: '' } });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /GREETING must be set in \.env/);
  });

  test('up -d: web is built, db becomes healthy before web starts; names and labels as compose sets them', async () => {
    const up = await dc(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, /Creating cv1_db_1 \.\.\. done/);
    assert.match(up.stderr, /Creating cv1_web_1 \.\.\. done/);
    assert.match(up.stdout + up.stderr, /Successfully tagged cmpv1-web:dev/);
    const db = await inspect('cv1_db_1');
    const web = await inspect('cv1_web_1');
    assert.equal(db.State.Health.Status, 'healthy');
    assert.equal(web.State.Running, true);
    // depends_on service_healthy: web started after db's first passing check.
    const firstPass = db.State.Health.Log.find((l: { ExitCode: number }) => l.ExitCode === 0);
    assert.ok(firstPass && Date.parse(web.State.StartedAt) >= Date.parse(firstPass.End), 'web started after db was healthy');
    assert.equal(db.Config.Labels['com.docker.compose.project'], P);
    assert.equal(db.Config.Labels['com.docker.compose.service'], 'db');
    assert.equal(db.Config.Labels['com.docker.compose.container-number'], '1');
    assert.equal(web.Config.Labels['org.example.role'], 'web');
    assert.deepEqual(Object.keys(web.NetworkSettings.Networks).sort(), ['cv1_back', 'cv1_front']);
    assert.deepEqual(Object.keys(db.NetworkSettings.Networks), ['cv1_back']);
    assert.ok(db.NetworkSettings.Networks.cv1_back.Aliases.includes('database'));
    assert.deepEqual(lines(await docker(['network', 'ls', '--filter', `label=com.docker.compose.project=${P}`, '--format', '{{.Name}}'])).sort(), ['cv1_back', 'cv1_front']);
    assert.equal(JSON.parse(await docker(['network', 'inspect', 'cv1_back']))[0].Labels['org.example.tier'], 'back');
    const vol = JSON.parse(await docker(['volume', 'inspect', 'cv1_dbdata']))[0];
    assert.equal(vol.Labels['com.docker.compose.project'], P);
    assert.equal(vol.Labels['com.docker.compose.volume'], 'dbdata');
    assert.equal(vol.Labels['org.example.data'], 'yes');
    // The secret is a read-only bind of the file; the profiled service was not started.
    const secret = web.Mounts.find((m: { Destination: string }) => m.Destination === '/run/secrets/db_password');
    assert.deepEqual([secret?.Source, secret?.RW], [join(dir, 'db-password.txt'), false]);
    assert.equal((await ids()).cv1_debug_1, undefined);
  });

  test('ps, logs, top and port', async () => {
    const ps = await ok(['ps']);
    assert.match(ps, /cv1_db_1 .* Up \(healthy\)/);
    assert.match(ps, /cv1_web_1 .* Up +127\.0\.0\.1:\d+->8080\/tcp/);
    assert.equal(lines(await ok(['ps', '-q'])).length, 2);
    assert.deepEqual(lines(await ok(['ps', '--services'])).sort(), ['db', 'debug', 'web']);
    const logs = await ok(['logs', '--no-color']);
    assert.match(logs, /web_1 +\| web up: GREETING=hello from \.env WEB_MODE=plain FROM_ENV_FILE=yes/);
    assert.match(logs, /web_1 +\| secret: s3cret-pw/);
    assert.match(logs, /db_1 +\| db-up/);
    // -f follows until stopped: the tail is there, and the stream stays open.
    const follow = await run(COMPOSE, ['-f', join(dir, 'docker-compose.yml'), '-p', P, 'logs', '-f', '--no-color', '--tail', '1', 'db'], { env: { DOCKER_HOST: d.host }, timeoutMs: 3000 });
    assert.match(follow.stdout, /db_1 +\| db-up/);
    assert.equal(follow.code, 137, 'logs -f was still following when killed');
    const top = await ok(['top', 'db']);
    assert.match(top, /httpd -f -p 5432 -h \/data\/www/);
    const port = lines(await ok(['port', 'web', '8080']))[0];
    assert.match(port, /^127\.0\.0\.1:\d+$/);
    // The published port serves the page the build wrote.
    const page = await fetch(`http://${port}/`).then((r) => r.text());
    assert.equal(page, 'compose v1 project\n');
    const none = await dc(['port', '--protocol=udp', 'web', '8080']);
    assert.equal(none.stdout.trim(), '');
  });

  test('exec -T through the docker CLI and through the API: output, exit codes, env, user, workdir, the db alias', async () => {
    // Through the API (dockerpty) both streams reach compose's stdout, as against dockerd.
    for (const [env, out, err] of [[{}, 'out-hello from .env\n', 'err\n'], [{ COMPOSE_INTERACTIVE_NO_CLI: '1' }, 'out-hello from .env\nerr\n', '']] as const) {
      const r = await dc(['exec', '-T', 'web', 'sh', '-c', 'echo out-$GREETING; echo err >&2; exit 4'], { env });
      assert.deepEqual([r.code, r.stdout, r.stderr], [4, out, err], JSON.stringify(env));
      const opts = await ok(['exec', '-T', '-e', 'X=1', '-u', 'app', '-w', '/tmp', 'web', 'sh', '-c', 'echo $X $(id -u) $(pwd)'], { env });
      assert.equal(opts, '1 1000 /tmp\n');
    }
    assert.equal(await ok(['exec', '-T', 'web', 'wget', '-qO-', 'http://database:5432/name']), 'appdb\n');
    assert.equal(await ok(['exec', '-T', 'web', 'cat', '/run/secrets/db_password']), 's3cret-pw\n');
    // The docker CLI compose runs gives the exec a stdin at EOF: its output must never be lost.
    for (let i = 0; i < 8; i++) assert.equal(await ok(['exec', '-T', 'db', 'echo', `quick-${i}`]), `quick-${i}\n`);
  });

  test('run --rm: one-off containers with their output and exit code, removed after', async () => {
    const r = await dc(['run', '--rm', '-T', 'web', 'sh', '-c', 'echo run-$GREETING; wget -qO- http://db:5432/name; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'run-hello from .env\nappdb\n');
    const noDeps = await dc(['run', '--rm', '-T', '--no-deps', '-e', 'Y=2', 'web', 'sh', '-c', 'echo y=$Y'], { env: { COMPOSE_INTERACTIVE_NO_CLI: '1' } });
    assert.equal(noDeps.code, 0, noDeps.stderr);
    assert.deepEqual(Object.keys(await ids()).sort(), ['cv1_db_1', 'cv1_web_1'], 'no one-off container left');
  });

  test('a second up -d recreates nothing; a changed environment recreates only that service, its volume kept', async () => {
    const before = await ids();
    const again = await dc(['up', '-d']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /cv1_db_1 is up-to-date/);
    assert.match(again.stderr, /cv1_web_1 is up-to-date/);
    assert.deepEqual(await ids(), before);

    const env = await readFile(join(dir, '.env'), 'utf8');
    await writeFile(join(dir, '.env'), env.replace('DB_NAME=appdb', 'DB_NAME=otherdb'));
    // Recreating a container with volumes reads the image's ContainerConfig: the KeyError of compose 1.29 against API 1.45+.
    const changed = await dc(['up', '-d']);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stderr, /Recreating cv1_db_1 \.\.\. done/);
    const after = await ids();
    assert.notEqual(after.cv1_db_1, before.cv1_db_1);
    assert.equal(after.cv1_web_1, before.cv1_web_1);
    assert.equal(await ok(['exec', '-T', 'web', 'wget', '-qO-', 'http://database:5432/name']), 'otherdb\n');
    assert.deepEqual((await inspect('cv1_db_1')).Mounts.map((m: { Name: string }) => m.Name), ['cv1_dbdata']);
  });

  test('scale web to 3 and back to 1', async () => {
    await ok(['up', '-d', '--scale', 'web=3']);
    const three = await ids();
    assert.deepEqual(Object.keys(three).sort(), ['cv1_db_1', 'cv1_web_1', 'cv1_web_2', 'cv1_web_3']);
    const ports = new Set<string>();
    for (const n of [1, 2, 3]) {
      const c = await inspect(`cv1_web_${n}`);
      assert.equal(c.State.Running, true);
      ports.add(c.NetworkSettings.Ports['8080/tcp'][0].HostPort);
    }
    assert.equal(ports.size, 3, 'each replica has its own host port');
    assert.match(await ok(['port', '--index=3', 'web', '8080']), /^127\.0\.0\.1:\d+\n$/);
    await ok(['up', '-d', '--scale', 'web=1']);
    assert.deepEqual(Object.keys(await ids()).sort(), ['cv1_db_1', 'cv1_web_1']);
  });

  test('stop, start, restart, pause, unpause, kill, rm and the profiled service', async () => {
    const state = async (name: string) => (await inspect(name)).State;
    await ok(['stop', 'web']);
    assert.equal((await state('cv1_web_1')).Running, false);
    await ok(['start', 'web']);
    assert.equal((await state('cv1_web_1')).Running, true);
    const startedAt = (await state('cv1_db_1')).StartedAt;
    await ok(['restart', 'db']);
    assert.notEqual((await state('cv1_db_1')).StartedAt, startedAt);
    await ok(['pause', 'db']);
    assert.match(await ok(['ps']), /cv1_db_1 .* Paused/);
    await ok(['unpause', 'db']);
    assert.equal((await state('cv1_db_1')).Paused, false);
    await ok(['kill', '-s', 'SIGKILL', 'web']);
    assert.equal((await state('cv1_web_1')).ExitCode, 137);
    assert.match(await ok(['ps']), /cv1_web_1 .* Exit 137/);
    await ok(['rm', '-f', 'web']);
    assert.deepEqual(Object.keys(await ids()).sort(), ['cv1_db_1']);
    await waitFor(async () => (await state('cv1_db_1')).Health?.Status === 'healthy', 'db healthy again');
    await ok(['--profile', 'debug', 'up', '-d']);
    assert.deepEqual(Object.keys(await ids()).sort(), ['cv1_db_1', 'cv1_debug_1', 'cv1_web_1']);
    assert.equal((await inspect('cv1_debug_1')).State.Running, true);
  });

  test('build again, then up --build: the cached build changes nothing', async () => {
    const before = await ids();
    const build = await dc(['build', 'web']);
    assert.equal(build.code, 0, build.stderr);
    assert.match(build.stdout + build.stderr, /Successfully tagged cmpv1-web:dev/);
    const up = await dc(['--profile', 'debug', 'up', '-d', '--build']);
    assert.equal(up.code, 0, up.stderr);
    assert.deepEqual(await ids(), before);
  });

  test('down -v leaves no container, network or volume of the project', async () => {
    const down = await dc(['--profile', 'debug', 'down', '-v']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /Removing network cv1_back/);
    assert.match(down.stderr, /Removing volume cv1_dbdata/);
    const label = `label=com.docker.compose.project=${P}`;
    assert.equal((await docker(['ps', '-aq', '--filter', label])).trim(), '');
    assert.equal((await docker(['network', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await docker(['volume', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await docker(['ps', '-aq'])).trim(), '');
  });

  test('berth compose sees the project docker-compose 1.29 made (by its labels): ps lists it, down -v removes it', async () => {
    await ok(['up', '-d']);
    const made = await ids();
    assert.deepEqual(Object.keys(made).sort(), ['cv1_db_1', 'cv1_web_1']);
    const berth = (args: string[]) => run(join(ROOT, 'bin/berth'), ['compose', '-p', P, ...args], { env: { BERTH_HOST: d.host } });
    const ps = await berth(['ps', '--format', 'json']);
    assert.equal(ps.code, 0, ps.stderr);
    const rows = lines(ps.stdout).map((l) => JSON.parse(l) as { Name: string; Service: string; State: string });
    assert.deepEqual(rows.map((r) => [r.Name, r.Service, r.State]).sort(), [['cv1_db_1', 'db', 'running'], ['cv1_web_1', 'web', 'running']]);
    const down = await berth(['down', '-v', '-t', '1']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, /Container cv1_web_1 {2}Removed/);
    assert.match(down.stderr, /Volume cv1_dbdata {2}Removed/);
    const label = `label=com.docker.compose.project=${P}`;
    assert.equal((await docker(['ps', '-aq', '--filter', label])).trim(), '');
    assert.equal((await docker(['network', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await docker(['volume', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await ok(['ps', '-q'])).trim(), '');
  });

  test('a foreground up streams every service, --abort-on-container-exit and --exit-code-from end it', async () => {
    // compose attaches to each container before it starts it: to a stopped one on the second up.
    const file = join(dir, 'foreground.yml');
    await writeFile(file, [
      'services:',
      '  once:',
      '    image: busybox',
      `    command: ["sh", "-c", "echo one-out; echo one-err >&2; sleep 1; echo bye; exit 7"]`,
      '  long:',
      '    image: busybox',
      '    command: ["sh", "-c", "echo long-start; exec sleep 30"]',
      '    stop_signal: SIGKILL',
      '',
    ].join('\n'));
    for (const flags of [['--abort-on-container-exit'], ['--exit-code-from', 'once']]) {
      const r = await dc(['up', '--no-color', ...flags], { file, project: 'fg' });
      assert.match(r.stdout, /once_1 +\| one-out/, flags.join(' '));
      assert.match(r.stdout, /once_1 +\| one-err/);
      assert.match(r.stdout, /once_1 +\| bye/);
      assert.match(r.stdout, /long_1 +\| long-start/);
      assert.match(r.stdout, /fg_once_1 exited with code 7/);
      assert.equal(r.code, 7, r.stderr);
    }
    await ok(['down'], { file, project: 'fg' });
  });

  test('pull and push through a local registry; a bind of a directory above the data root', async () => {
    const cfg = join(dir, 'registry.yml');
    await writeFile(cfg, `version: 0.1\nlog: {accesslog: {disabled: true}}\nhttp: {addr: "127.0.0.1:0"}\nstorage: {filesystem: {rootdirectory: ${join(dir, 'registry')}}}\n`);
    registry = await startBerthRegistry(['--config', cfg]);
    const R = registry.host;
    await docker(['tag', 'busybox', `${R}/cmpv1/bb:1`]);
    await docker(['push', `${R}/cmpv1/bb:1`]);
    await docker(['rmi', `${R}/cmpv1/bb:1`]);
    const file = join(dir, 'registry-project.yml');
    await writeFile(join(dir, 'Dockerfile.push'), 'FROM busybox\nVOLUME /anon\nRUN echo pushed > /pushed\n');
    await writeFile(file, [
      'services:',
      '  remote:',
      `    image: ${R}/cmpv1/bb:1`,
      '    command: ["sleep", "100"]',
      '    stop_signal: SIGKILL',
      '  pushme:',
      `    build: {context: ., dockerfile: Dockerfile.push}`,
      `    image: ${R}/cmpv1/pushed:1`,
      '    command: ["sleep", "100"]',
      '    stop_signal: SIGKILL',
      '    volumes:',
      // The project's parent: /tmp, above the daemon's data root (moby falls back to private propagation).
      '      - ..:/up:ro',
      '',
    ].join('\n'));
    const pull = await dc(['pull', 'remote'], { file, project: 'reg' });
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(await docker(['images', '--format', '{{.Repository}}:{{.Tag}}']), new RegExp(`${R}/cmpv1/bb:1`));
    await ok(['build'], { file, project: 'reg' });
    await ok(['push'], { file, project: 'reg' });
    assert.equal((await fetch(`${registry.url}/v2/cmpv1/pushed/manifests/1`, { method: 'HEAD', headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } })).status, 200);
    await ok(['up', '-d'], { file, project: 'reg' });
    assert.equal(await ok(['exec', '-T', 'pushme', 'sh', '-c', 'cat /pushed; test -d /up && echo bound'], { file, project: 'reg' }), 'pushed\nbound\n');
    // A recreate of a service whose image declares a VOLUME (compose 1.29 carries it over).
    await ok(['up', '-d', '--force-recreate'], { file, project: 'reg' });
    await ok(['down', '-v', '--rmi', 'all'], { file, project: 'reg' });
    assert.equal((await docker(['ps', '-aq'])).trim(), '');
  });

  test('the daemon: attach to a stopped container gets its output once started; a paused one is refused', async () => {
    const id = (await docker(['create', 'busybox', 'sh', '-c', 'echo attached-$HOSTNAME'])).trim();
    await docker(['start', id]);
    await waitFor(async () => (await inspect(id)).State.Status === 'exited', 'the first run to end');
    const sock = connect(d.socket);
    const chunks: Buffer[] = [];
    sock.on('data', (b: Buffer) => chunks.push(b));
    const closed = new Promise((r) => sock.once('close', r));
    sock.write(`POST /v1.41/containers/${id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    await waitFor(async () => Buffer.concat(chunks).includes('\r\n\r\n'), 'the attach answer');
    assert.match(Buffer.concat(chunks).toString('latin1'), /^HTTP\/1\.1 101 UPGRADED/);
    await sleep(100);
    await docker(['start', id]);
    await closed;
    assert.match(Buffer.concat(chunks).toString('latin1'), new RegExp(`attached-${id.slice(0, 12)}\n$`));
    const paused = (await docker(['run', '-d', 'busybox', 'sleep', '100'])).trim();
    await docker(['pause', paused]);
    const r = await d.api('POST', `/v1.41/containers/${paused.slice(0, 12)}/attach?stream=1&stdout=1`);
    assert.deepEqual([r.status, r.json?.message], [409, `container ${paused.slice(0, 12)} is paused, unpause the container before attach`]);
    await docker(['rm', '-f', id, paused]);
  });

  test('the daemon: image inspect has ContainerConfig before API 1.45, and for docker-compose 1.x at any version', async () => {
    const at = async (version: string, ua?: string) => (await d.api('GET', `/${version}/images/busybox/json`, undefined, ua ? { 'User-Agent': ua } : {})).json;
    const old = await at('v1.41');
    assert.equal(old.Container, '');
    assert.equal(old.ContainerConfig.Volumes, null);
    assert.equal('ContainerConfig' in (await at('v1.50')), false);
    assert.equal('ContainerConfig' in (await at('v1.50', 'Docker-Client/28.2.2 (linux)')), false);
    assert.equal((await at('v1.50', 'docker-compose/1.29.2 docker-py/5.0.3 Linux/6.1.0')).ContainerConfig.Image, '');
  });
});
