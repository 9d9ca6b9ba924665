// The issue's multi-service project through `berth compose` (compose v2's behaviour) against a real
// berthd: the project of test/fixtures/compose-v1 (web built from a Dockerfile, db with a named
// volume and a healthcheck, web depending on db being healthy, two networks, .env interpolation,
// env_file, a profile, a secret from a file), found through --project-directory and named after
// its directory. Steps in order: config, build, up -d, ps, logs, exec, run --rm, an idempotent up,
// a changed .env value, the profile, scale to 3 and back, and down -v leaving nothing behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, leftoverRules, run, startDaemonWithBusybox, type Daemon, type RunResult } from './harness.ts';

const FIXTURE = join(ROOT, 'test/fixtures/compose-v1');
const P = 'cproj';
const skip = process.getuid?.() !== 0 ? 'needs root' : false;

const lines = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter(Boolean);
/** stderr without the loader's warnings (the fixture's obsolete `version:`). */
const noWarn = (s: string) => s.replace(/^WARN\[\d+\] .*\n/gm, '');

describe('a multi-service project through berth compose', { skip }, () => {
  let d: Daemon;
  let root = '';
  /** The project directory: its name is the project's. */
  let dir = '';
  let mountsBefore: string[] = [];
  let rulesBefore: string[] = [];
  /** Every host veth seen on the project's bridges, and the bridges: none may be left after down. */
  const veths = new Set<string>();
  const bridges = new Set<string>();

  const compose = (args: string[], opts: { env?: Record<string, string> } = {}): Promise<RunResult> =>
    d.berth(['compose', '--project-directory', dir, ...args], { timeoutMs: 120_000, ...opts });
  const ok = async (args: string[], opts: { env?: Record<string, string> } = {}): Promise<RunResult> => {
    const r = await compose(args, opts);
    assert.equal(r.code, 0, `berth compose ${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const docker = async (args: string[]): Promise<string> => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** name -> full ID of the project's containers (one-offs included). */
  const ids = async (): Promise<Record<string, string>> => {
    const out = await docker(['ps', '-a', '--no-trunc', '--filter', `label=com.docker.compose.project=${P}`, '--format', '{{.Names}} {{.ID}}']);
    return Object.fromEntries(lines(out).map((l) => l.split(' ') as [string, string]).sort());
  };
  const inspect = async (name: string) => JSON.parse(await docker(['inspect', name]))[0];
  const mounts = async () => (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1]!).filter((m) => m && m.startsWith(`${d.dir}/`)).sort();
  const now = () => (Date.now() / 1000).toFixed(3);
  /** The project's containers' events since `since` (seconds), in order: "action name". */
  const events = async (since: string): Promise<string[]> => lines(await docker(['events', '--since', since, '--until', now(),
    '--filter', 'type=container', '--filter', `label=com.docker.compose.project=${P}`, '--format', '{{.Action}} {{.Actor.Attributes.name}}'])).filter((l) => !l.startsWith('exec_'));
  /** Notes the host ends of the veths on the project's bridges. */
  const noteVeths = async () => {
    for (const net of lines(await docker(['network', 'ls', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${P}`]))) {
      const br = `br-${net.slice(0, 12)}`;
      bridges.add(br);
      const links = JSON.parse((await run('ip', ['-j', 'link', 'show', 'master', br])).stdout || '[]') as Array<{ ifname: string }>;
      for (const l of links) veths.add(l.ifname);
    }
  };
  const setEnv = async (from: string, to: string) => {
    const env = await readFile(join(dir, '.env'), 'utf8');
    assert.ok(env.includes(from), `.env has ${from}`);
    await writeFile(join(dir, '.env'), env.replace(from, to));
  };

  before(async () => {
    d = await startDaemonWithBusybox();
    root = await mkdtemp('/tmp/bt-cproj-');
    dir = join(root, P);
    await cp(FIXTURE, dir, { recursive: true });
    mountsBefore = await mounts();
    rulesBefore = await leftoverRules(d.chainPrefix);
  });

  after(async () => {
    if (d) await d.cleanup();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('config: the canonical project with .env interpolated, env_file merged, paths resolved; the profiled service only with --profile', async () => {
    const r = await ok(['config']);
    const out = r.stdout;
    assert.match(r.stderr, /the attribute `version` is obsolete, it will be ignored/);
    assert.match(out, /^name: cproj\n/);
    assert.match(out, /^ {6}GREETING: hello from \.env$/m);
    assert.match(out, /^ {6}WEB_MODE: plain$/m);
    assert.match(out, /^ {8}WEB_TITLE: compose v1 project$/m);
    // env_file's values land in environment; a YAML 1.1 boolean word is quoted, as compose writes it.
    assert.match(out, /^ {6}FROM_ENV_FILE: "yes"$/m);
    assert.match(out, /^ {6}LOG_LEVEL: debug$/m);
    assert.match(out, /^ {6}DB_NAME: appdb$/m);
    assert.match(out, /^ {4}image: cmpv1-web:dev$/m);
    assert.match(out, new RegExp(`^ {6}context: ${dir}/web$`, 'm'));
    assert.match(out, new RegExp(`^ {4}file: ${dir}/db-password\\.txt$`, 'm'));
    // `$$` in the file stays `$$` in the output (a compose file again).
    assert.match(out, /echo \$\$DB_NAME > \/data\/www\/name/);
    assert.doesNotMatch(out, /debug:|sleep/);
    assert.equal((await ok(['config', '--services'])).stdout, 'db\nweb\n');
    assert.equal((await ok(['config', '--profiles'])).stdout, 'debug\n');
    assert.equal((await ok(['--profile', 'debug', 'config', '--services'])).stdout, 'db\ndebug\nweb\n');
    assert.equal((await ok(['config', '--volumes'])).stdout, 'dbdata\n');
    const json = JSON.parse((await ok(['config', '--format', 'json'])).stdout);
    assert.deepEqual(Object.keys(json.services), ['db', 'web']);
    assert.deepEqual(json.services.web.environment, { FROM_ENV_FILE: 'yes', GREETING: 'hello from .env', LOG_LEVEL: 'debug', WEB_MODE: 'plain' });
    assert.deepEqual(json.services.web.depends_on, { db: { condition: 'service_healthy', required: true } });
    assert.deepEqual(json.networks.back, { name: 'cproj_back', labels: { 'org.example.tier': 'back' } });
    const withDebug = JSON.parse((await ok(['--profile', 'debug', 'config', '--format', 'json'])).stdout);
    assert.deepEqual(withDebug.services.debug.profiles, ['debug']);
    // COMPOSE_PROFILES does what --profile does.
    assert.equal((await ok(['config', '--services'], { env: { COMPOSE_PROFILES: 'debug' } })).stdout, 'db\ndebug\nweb\n');
    // The process environment wins over .env: an empty GREETING fails its ${GREETING:?...}.
    const bad = await compose(['config'], { env: { GREETING: '' } });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /required variable GREETING is missing a value: GREETING must be set in \.env/);
  });

  test('build: web from its Dockerfile, with the build arg from .env', async () => {
    // Built before up: up would first try to pull cmpv1-web:dev from Docker Hub (compose pulls a
    // missing image even when it can build it), and the tests talk to no one outside.
    const r = await ok(['build']);
    assert.match(r.stderr, / Service web {2}Built\n/);
    const img = JSON.parse(await docker(['image', 'inspect', 'cmpv1-web:dev']))[0];
    assert.deepEqual(img.Config.Cmd, ['sh', '/start.sh']);
  });

  test('up -d: networks, volume, db healthy before web starts; names, labels, networks, the secret', async () => {
    const since = now();
    const r = await ok(['up', '-d']);
    assert.match(r.stderr, / Network cproj_front {2}Created\n/);
    assert.match(r.stderr, / Network cproj_back {2}Created\n/);
    assert.match(r.stderr, / Volume "cproj_dbdata" {2}Created\n/);
    assert.doesNotMatch(r.stderr, /Pulling|Building/);
    assert.ok(r.stderr.indexOf('Container cproj-db-1  Healthy') >= 0, r.stderr);
    assert.ok(r.stderr.indexOf('Container cproj-db-1  Healthy') < r.stderr.indexOf('Container cproj-web-1  Started'), r.stderr);
    // The daemon's own record of the order: db started, became healthy, then web started.
    const ev = await events(since);
    const at = (e: string) => {
      const i = ev.indexOf(e);
      assert.ok(i >= 0, `${e} in ${ev.join(', ')}`);
      return i;
    };
    assert.ok(at('start cproj-db-1') < at('health_status: healthy cproj-db-1'));
    assert.ok(at('health_status: healthy cproj-db-1') < at('start cproj-web-1'));
    const db = await inspect('cproj-db-1');
    const web = await inspect('cproj-web-1');
    assert.equal(db.State.Health.Status, 'healthy');
    assert.equal(web.State.Running, true);
    const firstPass = db.State.Health.Log.find((l: { ExitCode: number }) => l.ExitCode === 0);
    assert.ok(firstPass && Date.parse(web.State.StartedAt) >= Date.parse(firstPass.End), 'web started after db was healthy');
    // compose's labels.
    const labels = web.Config.Labels;
    assert.equal(labels['com.docker.compose.project'], P);
    assert.equal(labels['com.docker.compose.service'], 'web');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.equal(labels['com.docker.compose.depends_on'], 'db:service_healthy:false');
    assert.equal(labels['com.docker.compose.project.working_dir'], dir);
    assert.equal(labels['com.docker.compose.project.config_files'], join(dir, 'docker-compose.yml'));
    assert.match(labels['com.docker.compose.config-hash'], /^[0-9a-f]{64}$/);
    assert.equal(labels['com.docker.compose.image'], JSON.parse(await docker(['image', 'inspect', 'cmpv1-web:dev']))[0].Id);
    assert.equal(labels['org.example.role'], 'web');
    // Two networks, each with its own subnet; db only on back, with its alias.
    assert.deepEqual(Object.keys(web.NetworkSettings.Networks).sort(), ['cproj_back', 'cproj_front']);
    assert.deepEqual(Object.keys(db.NetworkSettings.Networks), ['cproj_back']);
    assert.ok(db.NetworkSettings.Networks.cproj_back.Aliases.includes('database'));
    const subnet = async (n: string) => JSON.parse(await docker(['network', 'inspect', n]))[0].IPAM.Config[0].Subnet;
    assert.notEqual(await subnet('cproj_front'), await subnet('cproj_back'));
    assert.equal(JSON.parse(await docker(['network', 'inspect', 'cproj_back']))[0].Labels['org.example.tier'], 'back');
    const vol = JSON.parse(await docker(['volume', 'inspect', 'cproj_dbdata']))[0];
    assert.equal(vol.Labels['com.docker.compose.project'], P);
    assert.equal(vol.Labels['com.docker.compose.volume'], 'dbdata');
    assert.equal(vol.Labels['org.example.data'], 'yes');
    assert.deepEqual(db.Mounts.map((m: { Name: string; Destination: string }) => `${m.Name}:${m.Destination}`), ['cproj_dbdata:/data']);
    // The secret: a read-only bind of the file at /run/secrets/<name>.
    const secret = web.Mounts.find((m: { Destination: string }) => m.Destination === '/run/secrets/db_password');
    assert.deepEqual([secret?.Source, secret?.RW], [join(dir, 'db-password.txt'), false]);
    assert.deepEqual(Object.keys(await ids()), ['cproj-db-1', 'cproj-web-1'], 'the profiled service is not started');
    await noteVeths();
    assert.equal(veths.size, 3, 'db on back, web on back and front');
  });

  test('ps: <project>-<service>-1 in the table, as JSON, -q and --services; the published port serves the built page', async () => {
    const table = lines((await ok(['ps'])).stdout);
    assert.match(table[0]!, /^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$/);
    assert.equal(table.length, 3);
    assert.match(table[1]!, /^cproj-db-1 +busybox +"sh -c 'echo db-up; …" +db +.* ago +Up .* \(healthy\)$/);
    assert.match(table[2]!, /^cproj-web-1 +cmpv1-web:dev +"sh \/start\.sh" +web +.* ago +Up .* +127\.0\.0\.1:\d+->8080\/tcp$/);
    const rows = lines((await ok(['ps', '--format', 'json'])).stdout).map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => [r.Name, r.Service, r.Project, r.State, r.Health]), [
      ['cproj-db-1', 'db', P, 'running', 'healthy'],
      ['cproj-web-1', 'web', P, 'running', ''],
    ]);
    const pub = rows[1].Publishers[0];
    assert.deepEqual([pub.URL, pub.TargetPort, pub.Protocol], ['127.0.0.1', 8080, 'tcp']);
    assert.ok(pub.PublishedPort > 0);
    const all = await ids();
    assert.deepEqual(lines((await ok(['ps', '-q', '--no-trunc'])).stdout).sort(), Object.values(all).sort());
    assert.equal((await ok(['ps', '--services'])).stdout, 'db\nweb\n');
    assert.equal((await ok(['port', 'web', '8080'])).stdout, `127.0.0.1:${pub.PublishedPort}\n`);
    assert.equal(await fetch(`http://127.0.0.1:${pub.PublishedPort}/`).then((r) => r.text()), 'compose v1 project\n');
  });

  test('logs: every service with its prefix, db\'s "db-up" line; one service, --no-log-prefix', async () => {
    const r = await ok(['logs']);
    assert.deepEqual(lines(r.stdout).sort(), [
      'db-1   | db-up',
      'web-1  | secret: s3cret-pw',
      'web-1  | web up: GREETING=hello from .env WEB_MODE=plain FROM_ENV_FILE=yes',
    ]);
    assert.equal((await ok(['logs', 'db'])).stdout, 'db-1  | db-up\n');
    assert.equal((await ok(['logs', '--no-log-prefix', 'db'])).stdout, 'db-up\n');
  });

  test('exec: the db alias over the back network, the secret file, env_file and .env values, exit codes, output with stdin at EOF', async () => {
    // stdin is a pipe already closed (exec is interactive by default): the output must all arrive.
    assert.equal((await ok(['exec', 'web', 'wget', '-qO-', 'http://database:5432/name'])).stdout, 'appdb\n');
    const dbIp = (await inspect('cproj-db-1')).NetworkSettings.Networks.cproj_back.IPAddress;
    const backSubnet = JSON.parse(await docker(['network', 'inspect', 'cproj_back']))[0].IPAM.Config[0].Subnet as string;
    assert.ok(dbIp.startsWith(backSubnet.split('.').slice(0, 3).join('.')), `${dbIp} in ${backSubnet}`);
    assert.match((await ok(['exec', 'web', 'nslookup', 'database'])).stdout, new RegExp(`Address: ${dbIp.replace(/\./g, '\\.')}\\n`));
    assert.equal((await ok(['exec', 'web', 'cat', '/run/secrets/db_password'])).stdout, await readFile(join(dir, 'db-password.txt'), 'utf8'));
    const env = lines((await ok(['exec', 'web', 'env'])).stdout);
    for (const kv of ['FROM_ENV_FILE=yes', 'LOG_LEVEL=debug', 'GREETING=hello from .env', 'WEB_MODE=plain']) assert.ok(env.includes(kv), `${kv} in ${env.join(' ')}`);
    assert.ok(!env.some((l) => l.startsWith('DB_NAME=')), '.env itself is not passed to the container');
    const failed = await compose(['exec', '-T', 'web', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([failed.code, failed.stdout, noWarn(failed.stderr)], [3, 'out\n', 'err\n']);
    for (let i = 0; i < 10; i++) assert.equal((await ok(['exec', 'db', 'echo', `quick-${i}`])).stdout, `quick-${i}\n`);
  });

  test('run --rm: a one-off container with the service\'s settings, gone afterwards; its dependency kept as it was', async () => {
    const before = await ids();
    const since = now();
    const r = await compose(['run', '--rm', 'web', 'sh', '-c', 'echo run-$GREETING-$FROM_ENV_FILE; cat /run/secrets/db_password; wget -qO- http://database:5432/name; exit 3']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'run-hello from .env-yes\ns3cret-pw\nappdb\n');
    assert.match(r.stderr, / Container cproj-db-1 {2}Running\n/);
    assert.deepEqual(await ids(), before, 'no one-off left, db and web untouched');
    const ev = await events(since);
    const oneOff = ev.find((e) => e.startsWith('create '))?.slice('create '.length) ?? '';
    assert.match(oneOff, /^cproj-web-run-[0-9a-f]{12}$/);
    assert.ok(ev.includes(`destroy ${oneOff}`), ev.join(', '));
    assert.deepEqual(ev.filter((e) => !e.endsWith(oneOff)), [], 'nothing else was created, started or stopped');
  });

  test('a second up -d recreates nothing', async () => {
    const before = await ids();
    const since = now();
    const r = await ok(['up', '-d']);
    assert.match(r.stderr, / Container cproj-db-1 {2}Running\n/);
    assert.match(r.stderr, / Container cproj-web-1 {2}Running\n/);
    assert.doesNotMatch(r.stderr, /Recreate|Creat|Start/);
    assert.deepEqual(await ids(), before);
    assert.deepEqual(await events(since), []);
  });

  test('a changed .env value recreates only the services that use it, and (docs/compose-engine.md) the dependents of a recreated one', async () => {
    // -t 1: web's httpd runs as PID 1 with no SIGTERM handler, so each stop of it lasts the grace period.
    // GREETING is web's alone, and nothing depends on web: only web is recreated.
    let before = await ids();
    await setEnv('GREETING=hello from .env', 'GREETING=hi again');
    let r = await ok(['up', '-d', '-t', '1']);
    assert.match(r.stderr, / Container cproj-web-1 {2}Recreated\n/);
    assert.doesNotMatch(r.stderr, /cproj-db-1 {2}Recreate/);
    let now1 = await ids();
    assert.equal(now1['cproj-db-1'], before['cproj-db-1']);
    assert.notEqual(now1['cproj-web-1'], before['cproj-web-1']);
    assert.deepEqual(Object.keys(now1), ['cproj-db-1', 'cproj-web-1'], 'the old web container is gone');
    assert.equal((await ok(['exec', 'web', 'sh', '-c', 'echo $GREETING'])).stdout, 'hi again\n');
    // DB_NAME is db's: db is recreated, its volume kept, and web (which depends on it) follows.
    await ok(['exec', 'db', 'sh', '-c', 'echo kept > /data/marker']);
    const volCreated = JSON.parse(await docker(['volume', 'inspect', 'cproj_dbdata']))[0].CreatedAt;
    before = now1;
    await setEnv('DB_NAME=appdb', 'DB_NAME=otherdb');
    r = await ok(['up', '-d', '-t', '1']);
    assert.match(r.stderr, / Container cproj-db-1 {2}Recreated\n/);
    assert.match(r.stderr, / Container cproj-web-1 {2}Recreated\n/);
    assert.ok(r.stderr.indexOf('Container cproj-db-1  Healthy') < r.stderr.indexOf('Container cproj-web-1  Started'), r.stderr);
    now1 = await ids();
    assert.notEqual(now1['cproj-db-1'], before['cproj-db-1']);
    assert.notEqual(now1['cproj-web-1'], before['cproj-web-1']);
    assert.equal((await ok(['exec', 'web', 'wget', '-qO-', 'http://database:5432/name'])).stdout, 'otherdb\n');
    assert.equal((await ok(['exec', 'db', 'cat', '/data/marker'])).stdout, 'kept\n');
    assert.equal(JSON.parse(await docker(['volume', 'inspect', 'cproj_dbdata']))[0].CreatedAt, volCreated);
    await noteVeths();
  });

  test('--profile debug up -d adds the debug service alone; a later up without it leaves it be (not an orphan)', async () => {
    const before = await ids();
    const r = await ok(['--profile', 'debug', 'up', '-d']);
    assert.match(r.stderr, / Container cproj-debug-1 {2}Started\n/);
    const now1 = await ids();
    assert.deepEqual(Object.keys(now1), ['cproj-db-1', 'cproj-debug-1', 'cproj-web-1']);
    assert.equal(now1['cproj-db-1'], before['cproj-db-1']);
    assert.equal(now1['cproj-web-1'], before['cproj-web-1']);
    const dbg = await inspect('cproj-debug-1');
    assert.equal(dbg.State.Running, true);
    assert.deepEqual(Object.keys(dbg.NetworkSettings.Networks), ['cproj_back']);
    assert.equal((await ok(['--profile', 'debug', 'exec', 'debug', 'wget', '-qO-', 'http://database:5432/name'])).stdout, 'otherdb\n');
    const again = await ok(['up', '-d']);
    assert.doesNotMatch(again.stderr, /orphan/i);
    assert.deepEqual(await ids(), now1);
    await noteVeths();
  });

  test('up -d --scale web=3, each replica on its own ephemeral host port; --scale web=1 removes the extra ones', async () => {
    const before = await ids();
    let r = await ok(['up', '-d', '--scale', 'web=3']);
    assert.match(r.stderr, / Container cproj-web-3 {2}Started\n/);
    const three = await ids();
    assert.deepEqual(Object.keys(three), ['cproj-db-1', 'cproj-debug-1', 'cproj-web-1', 'cproj-web-2', 'cproj-web-3']);
    assert.equal(three['cproj-web-1'], before['cproj-web-1'], 'web-1 kept');
    const ports = new Set<string>();
    for (const n of [1, 2, 3]) {
      const c = await inspect(`cproj-web-${n}`);
      assert.equal(c.State.Running, true);
      assert.equal(c.Config.Labels['com.docker.compose.container-number'], String(n));
      const hp = c.NetworkSettings.Ports['8080/tcp'][0];
      assert.equal(hp.HostIp, '127.0.0.1');
      ports.add(hp.HostPort);
      assert.equal(await fetch(`http://127.0.0.1:${hp.HostPort}/`).then((res) => res.text()), 'compose v1 project\n');
    }
    assert.equal(ports.size, 3, 'each replica has its own host port');
    assert.equal(lines((await ok(['ps', '--format', '{{.Name}}', 'web'])).stdout).length, 3);
    await noteVeths();
    r = await ok(['up', '-d', '--scale', 'web=1', '-t', '1']);
    assert.match(r.stderr, / Container cproj-web-3 {2}Removed\n/);
    assert.match(r.stderr, / Container cproj-web-2 {2}Removed\n/);
    const one = await ids();
    assert.deepEqual(Object.keys(one), ['cproj-db-1', 'cproj-debug-1', 'cproj-web-1']);
    assert.equal(one['cproj-web-1'], before['cproj-web-1']);
  });

  test('down -v leaves nothing: no container, network or volume of the project, no veth, bridge, mount or rule', async () => {
    await noteVeths();
    assert.ok(veths.size >= 6 && bridges.size === 2, `${[...veths]} ${[...bridges]}`);
    const r = await ok(['--profile', 'debug', 'down', '-v', '-t', '1']);
    for (const c of ['db', 'web', 'debug']) assert.match(r.stderr, new RegExp(` Container cproj-${c}-1 {2}Removed\\n`));
    assert.match(r.stderr, / Network cproj_back {2}Removed\n/);
    assert.match(r.stderr, / Network cproj_front {2}Removed\n/);
    assert.match(r.stderr, / Volume cproj_dbdata {2}Removed\n/);
    const label = `label=com.docker.compose.project=${P}`;
    assert.equal((await docker(['ps', '-aq', '--filter', label])).trim(), '');
    assert.equal((await docker(['network', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await docker(['volume', 'ls', '-q', '--filter', label])).trim(), '');
    assert.equal((await docker(['ps', '-aq'])).trim(), '');
    assert.equal((await docker(['volume', 'ls', '-q'])).trim(), '');
    for (const link of [...veths, ...bridges]) assert.equal(existsSync(`/sys/class/net/${link}`), false, `${link} is left`);
    assert.deepEqual(await mounts(), mountsBefore);
    assert.deepEqual(await leftoverRules(d.chainPrefix), rulesBefore);
    // The built image stays (no --rmi); a second down finds nothing.
    await docker(['image', 'inspect', 'cmpv1-web:dev']);
    const again = await ok(['--profile', 'debug', 'down', '-v']);
    assert.equal(noWarn(again.stderr), ` ${P}  Warning: No resource found to remove\n`);
  });
});
