// `berth compose` commands other than the lifecycle verbs, against a real berthd: containers are
// made with compose's labels through the docker CLI (as docker compose would have made them), then
// read back with berth compose (ps, logs, exec, top, port, images, ls, cp, wait, events), and the
// same through the real docker CLI with berth installed as its compose plugin.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, run, startDaemonWithBusybox, waitFor, type Daemon, type RunResult } from './harness.ts';

let d: Daemon;
let dir: string;
let dockerConfig: string;

const PROJECT = 'cmpdemo';
const labels = (project: string, service: string, n: number, oneOff = false) => [
  '--label', `com.docker.compose.project=${project}`, '--label', `com.docker.compose.service=${service}`,
  '--label', `com.docker.compose.container-number=${n}`, '--label', `com.docker.compose.oneoff=${oneOff ? 'True' : 'False'}`,
  '--label', `com.docker.compose.project.config_files=/srv/${project}/compose.yaml`, '--label', `com.docker.compose.project.working_dir=/srv/${project}`,
];

function compose(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<RunResult> {
  return d.berth(['compose', ...args], opts);
}

/** The real docker CLI, with berth compose as its plugin (a temp DOCKER_CONFIG: the user's ~/.docker is never touched). */
function dockerCompose(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> {
  return run('docker', ['compose', ...args], { ...opts, env: { DOCKER_CONFIG: dockerConfig, DOCKER_HOST: d.host, BERTH_HOST: 'unix:///nonexistent.sock', ...opts.env } });
}

async function ok(r: Promise<RunResult>, what: string): Promise<RunResult> {
  const res = await r;
  assert.equal(res.code, 0, `${what}: ${res.stderr}`);
  return res;
}

before(async () => {
  d = await startDaemonWithBusybox();
  dir = await mkdtemp(join(tmpdir(), 'berth-compose-cli-'));
  dockerConfig = join(dir, 'docker-config');
  await ok(run('sh', [join(ROOT, 'scripts/install-compose-plugin.sh'), join(dockerConfig, 'cli-plugins')]), 'install plugin');
  await ok(d.docker(['run', '-d', '--name', `${PROJECT}-web-1`, ...labels(PROJECT, 'web', 1), '-p', '127.0.0.1::80',
    'busybox', 'sh', '-c', 'echo hello from web1; echo oops >&2; exec httpd -f -p 80']), 'web-1');
  await ok(d.docker(['run', '-d', '--name', `${PROJECT}-web-2`, ...labels(PROJECT, 'web', 2), 'busybox', 'sh', '-c', 'echo hello from web2; exec sleep 600']), 'web-2');
  await ok(d.docker(['run', '-d', '--name', `${PROJECT}-db-1`, ...labels(PROJECT, 'db', 1), 'busybox', 'sh', '-c', 'echo db ready; exit 3']), 'db-1');
  await ok(d.docker(['create', '--name', `${PROJECT}-web-run-0123456789ab`, ...labels(PROJECT, 'web', 1, true), 'busybox', 'true']), 'one-off');
  await waitFor(async () => (await d.docker(['inspect', '-f', '{{.State.Status}}', `${PROJECT}-db-1`])).stdout.trim() === 'exited', 'db exited');
});

after(async () => {
  await d?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('compose ps', () => {
  test('the running containers in compose v2 table, sorted by name, one-offs left out', async () => {
    const r = await ok(compose(['-p', PROJECT, 'ps']), 'ps');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$/);
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /^cmpdemo-web-1 +busybox +"sh -c 'echo hello f…" +web +.* ago +Up .* +127\.0\.0\.1:\d+->80\/tcp$/);
    assert.match(lines[2]!, /^cmpdemo-web-2 +busybox /);
  });

  test('-a adds stopped containers and one-offs; --status, --filter, -q, --services, --format', async () => {
    const all = await ok(compose(['-p', PROJECT, 'ps', '-a', '--format', '{{.Name}} {{.State}} {{.ExitCode}}']), 'ps -a');
    assert.equal(all.stdout, 'cmpdemo-db-1 exited 3\ncmpdemo-web-1 running 0\ncmpdemo-web-2 running 0\ncmpdemo-web-run-0123456789ab created 0\n');
    const exited = await ok(compose(['-p', PROJECT, 'ps', '--status', 'exited', '--format', '{{.Service}}']), 'status');
    assert.equal(exited.stdout, 'db\n');
    const filtered = await ok(compose(['-p', PROJECT, 'ps', '--filter', 'status=running', '-q']), 'filter');
    assert.equal(filtered.stdout.trim().split('\n').length, 2);
    assert.match(filtered.stdout, /^[0-9a-f]{64}\n/);
    assert.equal((await ok(compose(['-p', PROJECT, 'ps', '-a', '--services']), 'services')).stdout, 'db\nweb\n');
    assert.equal((await ok(compose(['-p', PROJECT, 'ps', 'db', '-a', '--format', '{{.Name}}']), 'one service')).stdout, 'cmpdemo-db-1\n');
    const json = await ok(compose(['-p', PROJECT, 'ps', '--format', 'json', 'web']), 'json');
    const rows = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(rows.length, 2);
    assert.equal(rows[0].Name, 'cmpdemo-web-1');
    assert.equal(rows[0].Project, PROJECT);
    assert.equal(rows[0].Service, 'web');
    assert.equal(rows[0].State, 'running');
    assert.equal(rows[0].Publishers[0].TargetPort, 80);
    assert.ok(rows[0].Publishers[0].PublishedPort > 0);
  });

  test('bad filters are compose\'s errors', async () => {
    const bad = await compose(['-p', PROJECT, 'ps', '--filter', 'name=x']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'unknown filter name\n');
    const form = await compose(['-p', PROJECT, 'ps', '--filter', 'status']);
    assert.equal(form.stderr, 'arguments to --filter should be in form KEY=VAL\n');
  });
});

describe('compose logs', () => {
  test('every container with its prefix, padded to the longest name; stderr lines on stderr', async () => {
    const r = await ok(compose(['-p', PROJECT, 'logs']), 'logs');
    const lines = r.stdout.trimEnd().split('\n').sort();
    assert.deepEqual(lines, ['db-1   | db ready', 'web-1  | hello from web1', 'web-2  | hello from web2']);
    assert.equal(r.stderr, 'web-1  | oops\n');
  });

  test('--no-log-prefix, --index, --tail, -t, and colours only when asked', async () => {
    assert.equal((await ok(compose(['-p', PROJECT, 'logs', '--no-log-prefix', 'db']), 'no prefix')).stdout, 'db ready\n');
    assert.equal((await ok(compose(['-p', PROJECT, 'logs', '--index', '2', 'web']), 'index')).stdout, 'web-2  | hello from web2\n');
    assert.equal((await ok(compose(['-p', PROJECT, 'logs', '--tail', '0', 'db']), 'tail')).stdout, '');
    assert.match((await ok(compose(['-p', PROJECT, 'logs', '-t', 'db']), 'timestamps')).stdout, /^db-1  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z db ready\n$/);
    assert.equal((await ok(compose(['-p', PROJECT, '--ansi', 'always', 'logs', 'db']), 'ansi')).stdout, '\x1b[36mdb-1  | \x1b[0mdb ready\n');
    assert.equal((await ok(compose(['-p', PROJECT, '--ansi', 'always', 'logs', '--no-color', 'db']), 'no-color')).stdout, 'db-1  | db ready\n');
  });

  test('-f follows until Ctrl-C, and exits 130', async () => {
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', PROJECT, 'logs', '-f', 'web'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    await waitFor(async () => out.includes('hello from web2'), 'followed output');
    await ok(d.docker(['exec', `${PROJECT}-web-2`, 'sh', '-c', 'echo later > /proc/1/fd/1']), 'write more');
    await waitFor(async () => out.includes('web-2  | later'), 'a line written while following');
    // a container of the service that starts while following joins, with its own prefix
    await ok(d.docker(['run', '-d', '--name', `${PROJECT}-web-3`, ...labels(PROJECT, 'web', 3), 'busybox', 'sh', '-c', 'echo hello from web3; exec sleep 600']), 'web-3');
    await waitFor(async () => out.includes('web-3  | hello from web3'), 'a new container followed');
    // a restarted one does not repeat its earlier lines
    await ok(d.docker(['restart', '-t', '0', `${PROJECT}-web-3`]), 'restart web-3');
    await waitFor(async () => out.split('hello from web3').length === 3, 'the restarted container followed');
    await ok(d.docker(['rm', '-f', `${PROJECT}-web-3`]), 'rm web-3');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 130);
  });
});

describe('compose exec, top, port, images', () => {
  test('exec runs in the service container and exits with the command\'s code', async () => {
    // Interactive (the default) with stdin already closed: the output all arrives (the shim's half-close).
    const r = await compose(['-p', PROJECT, 'exec', 'web', 'sh', '-c', 'echo $HOSTNAME; exit 7']);
    assert.equal(r.code, 7);
    const id = (await d.docker(['inspect', '-f', '{{.Id}}', `${PROJECT}-web-1`])).stdout.trim();
    assert.equal(r.stdout, `${id.slice(0, 12)}\n`);
    const opts = await ok(compose(['-p', PROJECT, 'exec', '--index', '2', '-e', 'FOO=bar', '-w', '/tmp', '-u', 'nobody', 'web', 'sh', '-c', 'echo $FOO $(pwd) $(id -u) $HOSTNAME']), 'exec opts');
    const id2 = (await d.docker(['inspect', '-f', '{{.Id}}', `${PROJECT}-web-2`])).stdout.trim();
    assert.equal(opts.stdout, `bar /tmp 65534 ${id2.slice(0, 12)}\n`);
    assert.equal((await ok(compose(['-p', PROJECT, 'exec', '-T', 'web', 'cat'], { input: 'piped\n' }), 'stdin')).stdout, 'piped\n');
    await ok(compose(['-p', PROJECT, 'exec', '-d', 'web', 'touch', '/tmp/detached']), 'exec -d');
    await waitFor(async () => (await d.docker(['exec', `${PROJECT}-web-1`, 'ls', '/tmp/detached'])).code === 0, 'detached exec ran');
  });

  test('exec allocates a TTY when stdout is a terminal, unless -T (through script(1)\'s pty)', async () => {
    // script's stdin stays open until the command is done (at its end of input script would type ^D).
    const onPty = (args: string[]) => new Promise<RunResult>((resolve) => {
      const child = spawn('script', ['-qec', [join(ROOT, 'bin/berth'), '-H', d.host, 'compose', '-p', PROJECT, ...args].join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += String(c)));
      child.stderr.on('data', (c) => (stderr += String(c)));
      child.on('close', (code) => {
        child.stdin.destroy();
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
    const tty = await onPty(['exec', 'web', 'tty']);
    assert.equal(tty.code, 0, tty.stdout);
    assert.match(tty.stdout, /^\/dev\/pts\/\d+\r\n$/);
    const noTty = await onPty(['exec', '-T', 'web', 'tty']);
    assert.equal(noTty.code, 1);
    assert.match(noTty.stdout, /^not a tty\r?\n$/);
  });

  test('exec into a stopped service or a missing index: compose\'s messages, exit 1', async () => {
    const stopped = await compose(['-p', PROJECT, 'exec', 'db', 'true']);
    assert.equal(stopped.code, 1);
    assert.equal(stopped.stderr, 'service "db" is not running\n');
    const idx = await compose(['-p', PROJECT, 'exec', '--index', '5', 'web', 'true']);
    assert.equal(idx.stderr, 'service "web" is not running container #5\n');
    const noCmd = await compose(['-p', PROJECT, 'exec', 'web']);
    assert.equal(noCmd.code, 1);
    assert.match(noCmd.stderr, /requires at least 2 arguments/);
  });

  test('top lists each running container\'s processes under its name', async () => {
    const r = await ok(compose(['-p', PROJECT, 'top', 'web']), 'top');
    const sections = r.stdout.split('\n\n').filter(Boolean);
    assert.equal(sections.length, 2);
    assert.match(sections[0]!, /^cmpdemo-web-1\nUID +PID +PPID +C +STIME +TTY +TIME +CMD\nroot +\d+ .*httpd -f -p 80/);
    assert.match(sections[1]!, /^cmpdemo-web-2\n.*\n.*sleep 600/);
  });

  test('port prints the published address; an unpublished port prints :0; a bad port fails', async () => {
    const published = (await d.docker(['port', `${PROJECT}-web-1`, '80'])).stdout.trim();
    assert.equal((await ok(compose(['-p', PROJECT, 'port', 'web', '80']), 'port')).stdout, `${published}\n`);
    assert.equal((await ok(compose(['-p', PROJECT, 'port', '--protocol', 'udp', 'web', '80']), 'udp')).stdout, ':0\n');
    const bad = await compose(['-p', PROJECT, 'port', 'web', 'http']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'strconv.ParseUint: parsing "http": invalid syntax\n');
  });

  test('images lists each container\'s image', async () => {
    const r = await ok(compose(['-p', PROJECT, 'images']), 'images');
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/ +/).slice(0, 3).join(' ')), ['cmpdemo-db-1 busybox latest', 'cmpdemo-web-1 busybox latest', 'cmpdemo-web-2 busybox latest']);
    const id = (await d.docker(['image', 'inspect', '-f', '{{.Id}}', 'busybox'])).stdout.trim();
    assert.equal((await ok(compose(['-p', PROJECT, 'images', '-q']), 'images -q')).stdout, `${id.replace('sha256:', '')}\n`);
    const json = JSON.parse((await ok(compose(['-p', PROJECT, 'images', '--format', 'json', 'db']), 'json')).stdout);
    assert.deepEqual(json.map((x: any) => [x.ContainerName, x.Repository, x.Tag, x.ID]), [['cmpdemo-db-1', 'busybox', 'latest', id]]);
  });
});

describe('compose ls, cp, wait, events, version', () => {
  test('ls aggregates the projects from container labels', async () => {
    const r = await ok(compose(['ls']), 'ls');
    assert.match(r.stdout, /^NAME +STATUS +CONFIG FILES\ncmpdemo +running\(2\) +\/srv\/cmpdemo\/compose.yaml\n$/);
    const all = JSON.parse((await ok(compose(['ls', '-a', '--format', 'json']), 'ls -a')).stdout);
    assert.deepEqual(all, [{ Name: PROJECT, Status: 'created(1), exited(1), running(2)', ConfigFiles: '/srv/cmpdemo/compose.yaml' }]);
    assert.equal((await ok(compose(['ls', '-q', '--filter', 'name=^cmp']), 'ls -q')).stdout, 'cmpdemo\n');
    assert.equal((await ok(compose(['ls', '-q', '--filter', 'name=nomatch']), 'no match')).stdout, '');
    const bad = await compose(['ls', '--filter', 'label=x']);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, "invalid filter 'label'\n");
  });

  test('cp copies into every container of a service and out of the first', async () => {
    const src = join(dir, 'in.txt');
    await writeFile(src, 'copied in\n');
    await ok(compose(['-p', PROJECT, 'cp', src, 'web:/tmp/in.txt']), 'cp in');
    for (const n of [1, 2]) assert.equal((await d.docker(['exec', `${PROJECT}-web-${n}`, 'cat', '/tmp/in.txt'])).stdout, 'copied in\n');
    await ok(d.docker(['exec', `${PROJECT}-web-2`, 'sh', '-c', 'echo two > /tmp/in.txt']), 'change web-2');
    await ok(compose(['-p', PROJECT, 'cp', '--index', '2', 'web:/tmp/in.txt', join(dir, 'out2.txt')]), 'cp out --index');
    assert.equal(await readFile(join(dir, 'out2.txt'), 'utf8'), 'two\n');
    await ok(compose(['-p', PROJECT, 'cp', 'web:/tmp/in.txt', join(dir, 'out1.txt')]), 'cp out');
    assert.equal(await readFile(join(dir, 'out1.txt'), 'utf8'), 'copied in\n');
    const none = await compose(['-p', PROJECT, 'cp', 'nope:/x', dir]);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'no container found for service "nope"\n');
    const both = await compose(['-p', PROJECT, 'cp', 'web:/a', 'db:/b']);
    assert.equal(both.stderr, 'copying between services is not supported\n');
  });

  test('events --json and text; wait exits with the first container\'s code; --down-project removes it', async () => {
    const project = 'cmpwait';
    const json = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', project, 'events', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const text = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', project, 'events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let jsonOut = '';
    let textOut = '';
    json.stdout.on('data', (c) => (jsonOut += String(c)));
    text.stdout.on('data', (c) => (textOut += String(c)));
    try {
      // Both subscriptions are open once they have seen a marker container of the project.
      await waitFor(async () => {
        await d.docker(['rm', '-f', `${project}-marker-1`]);
        await d.docker(['create', '--name', `${project}-marker-1`, ...labels(project, 'marker', 1), 'busybox']);
        return jsonOut.includes('"service":"marker"') && textOut.includes('name=cmpwait-marker-1');
      }, 'events subscribed');
      await ok(d.docker(['rm', '-f', `${project}-marker-1`]), 'rm marker');
      await ok(d.docker(['run', '-d', '--name', `${project}-job-1`, ...labels(project, 'job', 1), 'busybox', 'sh', '-c', 'sleep 1; exit 5']), 'job');
      await ok(d.docker(['run', '-d', '--name', `${project}-svc-1`, ...labels(project, 'svc', 1), 'busybox', 'sleep', '600']), 'svc');
      const waited = await compose(['-p', project, 'wait', 'job']);
      assert.equal(waited.code, 5, waited.stderr);
      await waitFor(async () => jsonOut.includes('"action":"die"') && textOut.includes(' container die '), 'die events');
    } finally {
      json.kill('SIGINT');
      text.kill('SIGINT');
    }
    const first = jsonOut.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.service === 'job');
    assert.deepEqual(Object.keys(first), ['action', 'attributes', 'id', 'service', 'time', 'type']);
    assert.equal(first.action, 'create');
    assert.equal(first.service, 'job');
    assert.equal(first.type, 'container');
    assert.equal(first.attributes.name, `${project}-job-1`);
    assert.ok(!Object.keys(first.attributes).some((k) => k.startsWith('com.docker.compose.')));
    assert.match(textOut, /\n\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container create [0-9a-f]{64} \(image=busybox, name=cmpwait-job-1\)\n\n/);

    const none = await compose(['-p', project, 'wait', 'job']);
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'no containers for project "cmpwait"\n');
    await ok(d.docker(['run', '-d', '--name', `${project}-job-2`, ...labels(project, 'job', 2), 'busybox', 'sh', '-c', 'sleep 1; exit 4']), 'job 2');
    const down = await compose(['-p', project, 'wait', '--down-project', 'job']);
    assert.equal(down.code, 4, down.stderr);
    assert.equal((await d.docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`])).stdout, '');
  });

  test('version: docker compose\'s wording, --short, --format json', async () => {
    assert.match((await ok(compose(['version']), 'version')).stdout, /^Docker Compose version v2\.\d+\.\d+ \(berth compose [\d.]+\)\n$/);
    assert.match((await ok(compose(['version', '--short']), 'short')).stdout, /^2\.\d+\.\d+\n$/);
    assert.match((await ok(compose(['version', '--format', 'json']), 'json')).stdout, /^\{"version":"v2\.\d+\.\d+"\}\n$/);
  });
});

describe('compose config and run, with a project file', () => {
  let projectDir: string;
  let file: string;
  const withFile = (args: string[], opts: { input?: string; env?: Record<string, string> } = {}) => compose(['-f', file, ...args], opts);

  before(async () => {
    projectDir = join(dir, 'proj');
    await mkdir(projectDir, { recursive: true });
    file = join(projectDir, 'compose.yaml');
    await writeFile(join(projectDir, '.env'), 'GREETING=from-dotenv\nTOKEN=s3cret\n');
    await writeFile(file, [
      'name: cmprun',
      'services:',
      '  web:',
      '    image: busybox',
      '    command: sh -c "echo web $$GREETING; exec sleep 600"',
      '    environment:',
      '      GREETING: ${GREETING:-unset}',
      '    ports: ["127.0.0.1::80"]',
      '    depends_on: [db]',
      '    volumes: [data:/data]',
      '    secrets: [token]',
      '  db:',
      '    image: busybox',
      '    command: sleep 600',
      '  tool:',
      '    image: busybox',
      '    profiles: [tools]',
      'volumes:',
      '  data: {}',
      'secrets:',
      '  token:',
      '    environment: TOKEN',
      '',
    ].join('\n'));
  });

  after(async () => {
    await compose(['-p', 'cmprun', 'down', '-v', '-t', '0']);
  });

  test('config: canonical YAML and JSON, the lists, -q, -o', async () => {
    const yaml = await ok(withFile(['config']), 'config');
    assert.match(yaml.stdout, /^name: cmprun\nservices:\n/);
    assert.match(yaml.stdout, /GREETING: from-dotenv/);
    assert.doesNotMatch(yaml.stdout, /s3cret/);
    const json = JSON.parse((await ok(withFile(['config', '--format', 'json']), 'json')).stdout);
    assert.equal(json.name, 'cmprun');
    assert.deepEqual(Object.keys(json.services).sort(), ['db', 'web']);
    assert.equal(json.services.web.environment.GREETING, 'from-dotenv');
    assert.equal((await ok(withFile(['config', '--services']), 'services')).stdout, 'db\nweb\n');
    assert.equal((await ok(withFile(['config', '--volumes']), 'volumes')).stdout, 'data\n');
    assert.equal((await ok(withFile(['config', '--profiles']), 'profiles')).stdout, 'tools\n');
    assert.equal((await ok(withFile(['config', '--images']), 'images')).stdout, 'busybox\nbusybox\n');
    assert.match((await ok(withFile(['config', '--hash', '*']), 'hash')).stdout, /^db [0-9a-f]{64}\nweb [0-9a-f]{64}\n$/);
    assert.equal((await ok(withFile(['config', '-q']), 'quiet')).stdout, '');
    const out = join(dir, 'config-out.yaml');
    await ok(withFile(['config', '-o', out]), 'output');
    assert.equal(await readFile(out, 'utf8'), yaml.stdout);
    assert.match((await ok(withFile(['config', '--no-interpolate']), 'no-interpolate')).stdout, /GREETING: \$\{GREETING:-unset\}/);
    assert.match((await ok(withFile(['config', '--environment']), 'environment')).stdout, /^GREETING=from-dotenv$/m);
    assert.equal((await ok(withFile(['config', '--variables']), 'variables')).stdout, 'GREETING:\n    name: GREETING\n    defaultvalue: unset\n    presencevalue: ""\n    required: false\n');
  });

  test('config: bad inputs are compose\'s messages', async () => {
    const format = await withFile(['config', '--format', 'toml']);
    assert.equal(format.code, 1);
    assert.equal(format.stderr, 'unsupported format "toml"\n');
    const svc = await withFile(['config', 'nope']);
    assert.notEqual(svc.code, 0);
    assert.equal(svc.stderr, 'no such service: nope\n');
    const empty = join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    for (const verb of [['config'], ['ps'], ['run', 'web', 'true']]) {
      const r = await run('sh', ['-c', 'cd "$1" && shift && exec "$@"', 'sh', empty, join(ROOT, 'bin/berth'), '-H', d.host, 'compose', ...verb]);
      assert.equal(r.code, 14, `${verb[0]}: ${r.stderr}`);
      assert.equal(r.stderr, 'no configuration file provided: not found\n');
    }
  });

  test('run --rm: a one-off container with the service\'s settings, dependencies started, the exit code, nothing left', async () => {
    const r = await withFile(['run', '--rm', 'web', 'sh', '-c', 'echo run $GREETING; ping -c1 -W2 db >/dev/null && echo db-reachable; ls -d /data; cat /run/secrets/token; echo; exit 4']);
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, 'run from-dotenv\ndb-reachable\n/data\ns3cret\n');
    const left = await d.docker(['ps', '-a', '--filter', 'label=com.docker.compose.project=cmprun', '--format', '{{.Names}} {{.Label "com.docker.compose.oneoff"}}']);
    assert.equal(left.stdout, 'cmprun-db-1 False\n');
  });

  test('run: one-off name and labels, -e, -T with stdin, --no-deps, --entrypoint, -w, -u, -l, -d, --name', async () => {
    const kept = await withFile(['run', '-T', '--no-deps', '-e', 'GREETING=yo', '-w', '/tmp', '-u', 'nobody', '-l', 'x.y=z', 'web', 'sh', '-c', 'echo $GREETING $(pwd) $(id -u); cat'], { input: 'from-stdin\n' });
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(kept.stdout, 'yo /tmp 65534\nfrom-stdin\n');
    const list = await d.docker(['ps', '-a', '--filter', 'label=com.docker.compose.oneoff=True', '--filter', 'label=com.docker.compose.project=cmprun', '--format', '{{.Names}}|{{.Label "com.docker.compose.service"}}|{{.Label "x.y"}}|{{.Label "com.docker.compose.container-number"}}']);
    assert.match(list.stdout, /^cmprun-web-run-[0-9a-f]{12}\|web\|z\|1\n$/);
    const ep = await withFile(['run', '--rm', '--no-deps', '--entrypoint', 'echo', 'db', 'entry', 'point']);
    assert.equal(ep.stdout, 'entry point\n');
    const detached = await ok(withFile(['run', '-d', '--name', 'cmprun-custom', 'db', 'sleep', '30']), 'run -d');
    assert.equal(detached.stdout, 'cmprun-custom\n');
    assert.equal((await d.docker(['inspect', '-f', '{{.State.Running}} {{index .Config.Labels "com.docker.compose.oneoff"}}', 'cmprun-custom'])).stdout, 'true True\n');
    // ports: none by default, the service's with --service-ports, -p's own
    const portsOf = async (name: string) => (await d.docker(['inspect', '-f', '{{json .HostConfig.PortBindings}}', name])).stdout.trim();
    await ok(withFile(['run', '-d', '--no-deps', '--name', 'cmprun-noports', 'web', 'sleep', '30']), 'no ports');
    assert.match(await portsOf('cmprun-noports'), /^(null|\{\})$/);
    await ok(withFile(['run', '-d', '--no-deps', '--service-ports', '--name', 'cmprun-sp', 'web', 'sleep', '30']), 'service ports');
    assert.match(await portsOf('cmprun-sp'), /"80\/tcp":\[\{"HostIp":"127.0.0.1","HostPort":""\}\]/);
    await ok(withFile(['run', '-d', '--no-deps', '-p', '127.0.0.1::81/udp', '--name', 'cmprun-pub', 'db', 'sleep', '30']), '-p');
    assert.match(await portsOf('cmprun-pub'), /"81\/udp":\[\{"HostIp":"127.0.0.1","HostPort":""\}\]/);
    // a service outside the active profiles runs when named
    assert.equal((await ok(withFile(['run', '--rm', 'tool', 'echo', 'tool-ran']), 'profile')).stdout, 'tool-ran\n');
    // ps shows one-offs only with -a
    assert.ok(!(await ok(withFile(['ps', '--format', '{{.Name}}']), 'ps')).stdout.includes('cmprun-custom'));
    assert.match((await ok(withFile(['ps', '-a', '--format', '{{.Name}}']), 'ps -a')).stdout, /cmprun-custom/);
  });

  test('run: bad inputs', async () => {
    const svc = await withFile(['run', 'nope', 'true']);
    assert.notEqual(svc.code, 0);
    assert.equal(svc.stderr, 'no such service: nope\n');
    const ports = await withFile(['run', '--rm', '--service-ports', '-p', '80', 'web', 'true']);
    assert.notEqual(ports.code, 0);
    assert.match(ports.stderr, /--service-ports and --publish are incompatible/);
    const none = await withFile(['run']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /requires at least 1 argument/);
  });

  test('the docker CLI plugin: docker compose -f x.yml up -d, ps, down', async () => {
    const plugin = (args: string[]) => dockerCompose(['-f', file, '-p', 'cmpplug', ...args]);
    await ok(plugin(['up', '-d']), 'docker compose up -d');
    const ps = await ok(plugin(['ps', '--format', '{{.Name}} {{.State}}']), 'docker compose ps');
    assert.equal(ps.stdout, 'cmpplug-db-1 running\ncmpplug-web-1 running\n');
    assert.match((await ok(plugin(['logs', 'web']), 'logs')).stdout, /^web-1  \| web from-dotenv\n$/);
    await ok(plugin(['down', '-v', '-t', '0']), 'docker compose down');
    assert.equal((await d.docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project=cmpplug'])).stdout, '');
  });
});

describe('compose watch', () => {
  test('sync copies changed files in (ignoring what `ignore` names), removes deleted ones; rebuild rebuilds and recreates', async () => {
    const wdir = join(dir, 'watchproj');
    await mkdir(join(wdir, 'src'), { recursive: true });
    await mkdir(join(wdir, 'app'), { recursive: true });
    await writeFile(join(wdir, 'Dockerfile'), 'FROM busybox\nCOPY app /app\nCMD ["sleep", "600"]\n');
    await writeFile(join(wdir, 'app', 'version'), 'v1\n');
    const wfile = join(wdir, 'compose.yaml');
    await writeFile(wfile, [
      'name: cmpwatch',
      'services:',
      '  web:',
      '    image: busybox',
      '    command: sleep 600',
      '    develop:',
      '      watch:',
      '        - path: ./src',
      '          action: sync',
      '          target: /srv/code',
      '          ignore: ["*.tmp"]',
      '  built:',
      '    build: .',
      '    develop:',
      '      watch:',
      '        - path: ./app',
      '          action: rebuild',
      '',
    ].join('\n'));
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-f', wfile, 'watch'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (err += String(c)));
    const inWeb = async (cmd: string) => (await d.docker(['exec', 'cmpwatch-web-1', 'sh', '-c', cmd])).stdout;
    try {
      await waitFor(async () => out.includes('Watch enabled\n'), `watch enabled (${err})`, 60_000);
      await writeFile(join(wdir, 'src', 'skip.tmp'), 'ignored\n');
      await mkdir(join(wdir, 'src', 'sub'));
      await writeFile(join(wdir, 'src', 'sub', 'deep.txt'), 'deep\n');
      await writeFile(join(wdir, 'src', 'a.txt'), 'synced\n');
      await waitFor(async () => (await inWeb('cat /srv/code/a.txt /srv/code/sub/deep.txt')) === 'synced\ndeep\n', 'files synced');
      assert.equal(await inWeb('ls /srv/code'), 'a.txt\nsub\n');
      assert.match(out, /Syncing service "web" after \d+ changes were detected\n/);
      await rm(join(wdir, 'src', 'a.txt'));
      await waitFor(async () => (await inWeb('ls /srv/code')) === 'sub\n', 'deleted file removed');
      const before = (await d.docker(['inspect', '-f', '{{.Id}}', 'cmpwatch-built-1'])).stdout;
      await writeFile(join(wdir, 'app', 'version'), 'v2\n');
      await waitFor(async () => (await d.docker(['exec', 'cmpwatch-built-1', 'cat', '/app/version'])).stdout === 'v2\n', 'rebuilt and recreated', 60_000);
      assert.notEqual((await d.docker(['inspect', '-f', '{{.Id}}', 'cmpwatch-built-1'])).stdout, before);
      assert.match(out, /Rebuilding service "built" after changes were detected\.\.\.\nservice "built" successfully built\n/);
      // --prune (the default): no dangling image of the project is left
      await waitFor(async () => (await d.docker(['images', '-q', '--filter', 'dangling=true'])).stdout === '', 'dangling image pruned');
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        child.once('exit', (c) => resolve(c));
        child.kill('SIGINT');
      });
      assert.equal(code, 130);
      await compose(['-f', wfile, 'down', '-t', '0', '--rmi', 'local']);
    }
  });

  test('a project without develop.watch is compose\'s error, before anything starts', async () => {
    const file = join(dir, 'nowatch.yaml');
    await writeFile(file, 'name: cmpnowatch\nservices:\n  a:\n    image: busybox\n');
    const r = await compose(['-f', file, 'watch']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "none of the selected services is configured for watch, consider setting a 'develop' section\n");
    assert.equal((await d.docker(['ps', '-aq', '--filter', 'label=com.docker.compose.project=cmpnowatch'])).stdout, '');
  });
});

describe('the docker CLI plugin', () => {
  test('install-compose-plugin links bin/docker-compose into the given cli-plugins dir, once', async () => {
    assert.equal(await readlink(join(dockerConfig, 'cli-plugins', 'docker-compose')), join(ROOT, 'bin/docker-compose'));
    const again = await ok(run('sh', [join(ROOT, 'scripts/install-compose-plugin.sh'), join(dockerConfig, 'cli-plugins')]), 'reinstall');
    assert.match(again.stdout, /already is berth compose/);
    const meta = JSON.parse((await ok(run(join(ROOT, 'bin/docker-compose'), ['docker-cli-plugin-metadata']), 'metadata')).stdout);
    assert.equal(meta.SchemaVersion, '0.1.0');
    assert.equal(meta.Vendor, 'berth');
    assert.match(meta.Version, /^v2\./);
  });

  test('docker compose version / ps / logs run berth compose against DOCKER_HOST', async () => {
    assert.match((await ok(dockerCompose(['version']), 'docker compose version')).stdout, /^Docker Compose version v2\./);
    const ps = await ok(dockerCompose(['-p', PROJECT, 'ps', '--format', '{{.Name}}']), 'docker compose ps');
    assert.equal(ps.stdout, 'cmpdemo-web-1\ncmpdemo-web-2\n');
    assert.equal((await ok(dockerCompose(['-p', PROJECT, 'logs', 'db']), 'logs')).stdout, 'db-1  | db ready\n');
    const help = await ok(run('docker', ['--help'], { env: { DOCKER_CONFIG: dockerConfig } }), 'docker --help');
    assert.match(help.stdout, /compose\* +Docker Compose \(berth/);
  });

  test('docker -H and --context reach the plugin', async () => {
    const viaH = await ok(run('docker', ['-H', d.host, 'compose', '-p', PROJECT, 'ps', '-q'], { env: { DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '' } }), 'docker -H');
    assert.equal(viaH.stdout.trim().split('\n').length, 2);
    await ok(run('docker', ['context', 'create', 'bt', '--docker', `host=${d.host}`], { env: { DOCKER_CONFIG: dockerConfig } }), 'context create');
    const viaContext = await ok(run('docker', ['--context', 'bt', 'compose', '-p', PROJECT, 'ps', '--services'], { env: { DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '' } }), 'docker --context');
    assert.equal(viaContext.stdout, 'web\n');
  });

  test('a SIGINT that reaches docker alone ends the plugin through docker\'s plugin socket', async () => {
    const child = spawn('docker', ['compose', '-p', PROJECT, 'logs', '-f', 'web'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_CONFIG: dockerConfig, DOCKER_HOST: d.host },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    await waitFor(async () => out.includes('hello from web1'), 'following through docker');
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGINT');
    });
    assert.equal(code, 130);
    await waitFor(async () => (await run('pgrep', ['-f', `docker-compose.js -H ${d.host}|docker-compose.js compose -p ${PROJECT} logs`])).stdout === '', 'the plugin process ended');
  });

  test('errors come back with compose\'s text and code through docker', async () => {
    const r = await dockerCompose(['-p', PROJECT, 'exec', 'db', 'true']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'service "db" is not running\n');
    const unknown = await dockerCompose(['frobnicate']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown command: docker compose frobnicate/);
  });
});


describe('compose flags after the subcommand', () => {
  test('the project flags are persistent, except where the subcommand has its own letter', async () => {
    const r = await ok(d.berth(['compose', 'ps', '-p', PROJECT, '--format', '{{.Name}}', 'web']), 'ps -p after');
    assert.equal(r.stdout, 'cmpdemo-web-1\ncmpdemo-web-2\n');
    const long = await ok(d.berth(['compose', 'logs', '--project-name', PROJECT, '--no-log-prefix', 'db']), 'logs --project-name after');
    assert.equal(long.stdout, 'db ready\n');
    // logs -f is --follow, not --file
    const child = spawn(join(ROOT, 'bin/berth'), ['-H', d.host, 'compose', '-p', PROJECT, 'logs', '-f', 'db'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
  });
});
