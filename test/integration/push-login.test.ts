// Login, push, search and credentials end to end: two berthds (the second pulls what the first
// pushed), Debian's docker-registry (distribution 2.8) on loopback with an htpasswd file, the
// real docker CLI through berthd with its own DOCKER_CONFIG, berth's CLI with its own
// BERTH_CONFIG, a fake docker-credential-test helper on PATH, and a small v1 search server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { sign } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT, run, startDaemon, startDaemonWithBusybox, type Daemon } from './harness.ts';
import { startRegistry as startTlsRegistry, type Registry } from './distribution.test-helpers.ts';

let d1: Daemon;
let d2: Daemon;
let tmp: string;
let registry: ChildProcess | undefined;
let host: string;
let search: Server | undefined;
let searchHost: string;
let certsDir: string;
let tlsRegistry: Registry | undefined;

const USER = 'alice';
const PASSWORD = 'wonderland-5';

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** docker-registry with htpasswd auth on 127.0.0.1:<free port>, storage in `root`. */
async function startRegistry(root: string, htpasswd: string): Promise<{ proc: ChildProcess; host: string }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = join(root, `config-${port}.yml`);
    await writeFile(config, [
      'version: 0.1',
      'log:', '  level: error',
      'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`, '  delete:', '    enabled: true',
      'http:', `  addr: 127.0.0.1:${port}`,
      'auth:', '  htpasswd:', '    realm: berth-test', `    path: ${htpasswd}`,
      '',
    ].join('\n'));
    const proc = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr!.on('data', (c) => (log += String(c)));
    for (let i = 0; i < 100 && proc.exitCode === null; i++) {
      if ((await httpStatus(`http://127.0.0.1:${port}/v2/`)) === 401) return { proc, host: `127.0.0.1:${port}` };
      await sleep(50);
    }
    proc.kill('SIGKILL');
    if (!/address already in use/.test(log)) throw new Error(`docker-registry did not start: ${log}`);
  }
  throw new Error('no free port for docker-registry');
}

/** A registry's v1 search API as Docker Hub serves it (q, n), over three repositories. */
async function startSearchServer(): Promise<{ server: Server; host: string }> {
  const repos = [
    { name: 'tools/busybox', description: 'BusyBox\ncombines tiny versions of many common UNIX utilities into a single small executable.', star_count: 5, is_official: true, is_automated: true },
    { name: 'tools/busybox-extras', description: 'extras', star_count: 1, is_official: false, is_automated: false },
    { name: 'tools/alpine', description: 'not a match', star_count: 9, is_official: false, is_automated: false },
  ];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/v1/_ping') return res.end('{}');
    if (u.pathname !== '/v1/search') {
      res.statusCode = 404;
      return res.end();
    }
    const q = u.searchParams.get('q') ?? '';
    const n = Number(u.searchParams.get('n'));
    const results = repos.filter((r) => r.name.includes(q)).slice(0, n);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ num_results: results.length, query: q, results }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as { port: number }).port}` };
}

before(async () => {
  tmp = await mkdtemp('/tmp/bt-push-');
  // berth-registry prints the bcrypt line Apache's `htpasswd -nbB` would.
  const hash = await run(join(ROOT, 'bin/berth-registry'), ['htpasswd', '-B', USER, PASSWORD]);
  assert.equal(hash.code, 0, hash.stderr);
  await writeFile(join(tmp, 'htpasswd'), hash.stdout);
  await mkdir(join(tmp, 'registry'));
  ({ proc: registry, host } = await startRegistry(join(tmp, 'registry'), join(tmp, 'htpasswd')));
  ({ server: search, host: searchHost } = await startSearchServer());
  certsDir = join(tmp, 'certs.d');
  await mkdir(certsDir);
  d1 = await startDaemonWithBusybox(['--registry-certs-dir', certsDir]);
  d2 = await startDaemon();
});

after(async () => {
  await tlsRegistry?.stop();
  registry?.kill('SIGKILL');
  search?.close();
  await d1?.cleanup();
  await d2?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** A fresh DOCKER_CONFIG (and BERTH_CONFIG) directory. */
async function configDir(name: string, content?: object): Promise<string> {
  const dir = join(tmp, name);
  await mkdir(dir, { recursive: true });
  if (content) await writeFile(join(dir, 'config.json'), JSON.stringify(content));
  return dir;
}

test('docker login: a wrong password fails with moby\'s message and stores nothing', async () => {
  const cfg = await configDir('docker-wrong');
  const r = await d1.docker(['login', '-u', USER, '--password-stdin', host], { input: 'nope\n', env: { DOCKER_CONFIG: cfg } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(`Error response from daemon: login attempt to http://${host}/v2/ failed with status: 401 Unauthorized`));
  await assert.rejects(readFile(join(cfg, 'config.json'), 'utf8'));
  // POST /auth directly: 401, Docker's error body.
  const api = await d1.api('POST', '/auth', { username: USER, password: 'nope', serveraddress: host });
  assert.equal(api.status, 401);
  assert.match(api.json.message, /failed with status: 401 Unauthorized/);
});

test('docker login, push, push again, cross-repository mount, then pull on a second berthd', async () => {
  const cfg = await configDir('docker-ok');
  const env = { DOCKER_CONFIG: cfg };
  const login = await d1.docker(['login', '-u', USER, '--password-stdin', host], { input: `${PASSWORD}\n`, env });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const stored = JSON.parse(await readFile(join(cfg, 'config.json'), 'utf8'));
  assert.equal(stored.auths[host].auth, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));

  assert.equal((await d1.docker(['tag', 'busybox', `${host}/app:v1`])).code, 0);
  const push = await d1.docker(['push', `${host}/app:v1`], { env });
  assert.equal(push.code, 0, push.stderr + push.stdout);
  assert.match(push.stdout, new RegExp(`The push refers to repository \\[${host}/app\\]`));
  assert.match(push.stdout, /[0-9a-f]{12}: Pushed/);
  const m = /v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(push.stdout);
  assert.ok(m, push.stdout);
  // The digest reference is recorded.
  const inspect = await d1.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${host}/app:v1`]);
  assert.match(inspect.stdout, new RegExp(`${host}/app@${m[1]}`));

  const again = await d1.docker(['push', `${host}/app:v1`], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Layer already exists/);
  assert.doesNotMatch(again.stdout, /Pushed/);
  assert.match(again.stdout, new RegExp(`v1: digest: ${m[1]} size: ${m[2]}`));

  // The same layers in another repository of the registry are mounted, not sent.
  assert.equal((await d1.docker(['tag', 'busybox', `${host}/other:v1`])).code, 0);
  const mount = await d1.docker(['push', `${host}/other:v1`], { env });
  assert.equal(mount.code, 0, mount.stderr);
  assert.match(mount.stdout, /Mounted from app/);

  const pull = await d2.docker(['pull', `${host}/app:v1`], { env });
  assert.equal(pull.code, 0, pull.stderr + pull.stdout);
  const ran = await d2.docker(['run', '--rm', `${host}/app:v1`, 'echo', 'pulled'], { env });
  assert.equal(ran.stdout.trim(), 'pulled', ran.stderr);
  const pulledDigests = await d2.docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${host}/app:v1`]);
  assert.match(pulledDigests.stdout, new RegExp(m[1]));
  // The second berthd pushes what it pulled to another repository: mounted from where it came,
  // and the very same manifest (the blobs as pulled, no recompression).
  assert.equal((await d2.docker(['tag', `${host}/app:v1`, `${host}/copy:v1`])).code, 0);
  const copy = await d2.docker(['push', `${host}/copy:v1`], { env });
  assert.equal(copy.code, 0, copy.stderr);
  assert.match(copy.stdout, /Mounted from app/);
  assert.match(copy.stdout, new RegExp(`v1: digest: ${m[1]} size: ${m[2]}`));

  const logout = await d1.docker(['logout', host], { env });
  assert.equal(logout.code, 0);
  assert.match(logout.stdout, new RegExp(`Removing login credentials for ${host}`));
  assert.deepEqual(JSON.parse(await readFile(join(cfg, 'config.json'), 'utf8')).auths, {});
});

test('push errors: no credentials, no such image, and the push event', async () => {
  const cfg = await configDir('docker-anon');
  const anon = await d1.docker(['push', `${host}/app:v1`], { env: { DOCKER_CONFIG: cfg } });
  assert.equal(anon.code, 1);
  assert.match(anon.stderr, /no basic auth credentials/);
  const missing = await d1.docker(['push', `${host}/nope`], { env: { DOCKER_CONFIG: cfg } });
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /Using default tag: latest/);
  assert.match(missing.stderr, new RegExp(`An image does not exist locally with the tag: ${host}/nope`));
  // Until a moment ahead: "now" in whole seconds could fall before an event of this second.
  const until = String(Math.floor(Date.now() / 1000) + 2);
  const events = await d1.docker(['events', '--since', '0', '--until', until, '--filter', 'type=image', '--filter', 'event=push', '--format', '{{.Actor.ID}}']);
  assert.match(events.stdout, new RegExp(`${host}/app:v1`));
});

test('berth login, push -q, pull, logout with its own config file', async () => {
  const cfg = await configDir('berth-cli');
  const env = { BERTH_CONFIG: cfg };
  const login = await d1.berth(['login', '-u', USER, '-p', PASSWORD, host], { env });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /WARNING! Using --password via the CLI is insecure. Use --password-stdin./);
  assert.match(login.stderr, /WARNING! Your credentials are stored unencrypted in/);
  assert.equal(login.stdout, 'Login Succeeded\n');
  assert.equal((await d1.berth(['tag', 'busybox', `${host}/berth:one`])).code, 0);
  const push = await d1.berth(['push', '-q', `${host}/berth:one`], { env });
  assert.equal(push.code, 0, push.stderr);
  assert.equal(push.stdout, `${host}/berth:one\n`);
  const pull = await d2.berth(['pull', `${host}/berth:one`], { env });
  assert.equal(pull.code, 0, pull.stderr + pull.stdout);
  assert.match(pull.stdout, new RegExp(`${host}/berth:one\\n$`));
  // run pulls a missing image with the stored credentials, its progress on stderr.
  assert.equal((await d1.berth(['tag', 'busybox', `${host}/berth:two`])).code, 0);
  assert.equal((await d1.berth(['push', '-q', `${host}/berth:two`], { env })).code, 0);
  const ran = await d2.berth(['run', '--rm', `${host}/berth:two`, 'echo', 'ran'], { env });
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'ran\n');
  assert.match(ran.stderr, new RegExp(`Unable to find image '${host}/berth:two' locally`));
  assert.match(ran.stderr, /Status: Downloaded newer image/);
  // A login without user and password tries the stored credentials first, as docker does.
  const stored = await d1.berth(['login', host], { env });
  assert.equal(stored.code, 0, stored.stderr);
  assert.match(stored.stderr, new RegExp(`Authenticating with existing credentials\\.\\.\\. \\[Username: ${USER}\\]`));
  assert.equal(stored.stdout, 'Login Succeeded\n');
  const dockerCfg = await configDir('docker-stored', JSON.parse(await readFile(join(cfg, 'config.json'), 'utf8')));
  const dockerStored = await d1.docker(['login', host], { env: { DOCKER_CONFIG: dockerCfg } });
  assert.equal(dockerStored.code, 0, dockerStored.stderr);
  assert.equal(dockerStored.stdout, stored.stdout);
  assert.equal(stored.stderr, dockerStored.stderr.replace(/docker/g, 'berth'));
  const logout = await d1.berth(['logout', host], { env });
  assert.equal(logout.stdout, `Removing login credentials for ${host}\n`);
  const denied = await d1.berth(['push', `${host}/berth:one`], { env });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /no basic auth credentials/);
  // Docker's flag checks, before any request.
  const both = await d1.berth(['login', '-u', USER, '-p', 'x', '--password-stdin', host], { env });
  assert.equal(both.code, 1);
  assert.match(both.stderr, /conflicting options: cannot specify both --password and --password-stdin/);
  const noUser = await d1.berth(['login', '--password-stdin', host], { env, input: 'x' });
  assert.match(noUser.stderr, /the --password-stdin option requires --username to be set/);
});

/** Runs a command on a pseudo-terminal, answering the login prompts (python3 owns the pty). */
const PTY_LOGIN = String.raw`
import os, sys, pty, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
def read_until(token, timeout=30):
    global out
    end = time.time() + timeout
    while token not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            out += data
read_until(b'Username: ')
os.write(fd, os.environ['LOGIN_USER'].encode() + b'\r')
read_until(b'Password: ')
os.write(fd, os.environ['LOGIN_PASSWORD'].encode() + b'\r')
read_until(b'Login Succeeded')
_, status = os.waitpid(pid, 0)
read_until(b'\0', 0.3)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
`;

test('berth login on a terminal asks for the user and, without echo, the password', async () => {
  const cfg = await configDir('berth-tty');
  const driver = join(tmp, 'pty-login.py');
  await writeFile(driver, PTY_LOGIN);
  const r = await run('python3', [driver, join(ROOT, 'bin/berth'), '-H', d1.host, 'login', host], {
    env: { BERTH_CONFIG: cfg, LOGIN_USER: USER, LOGIN_PASSWORD: PASSWORD },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`Username: ${USER}`));
  assert.match(r.stdout, /Password: /);
  assert.doesNotMatch(r.stdout, new RegExp(PASSWORD));
  assert.match(r.stdout, /Login Succeeded/);
  assert.equal(JSON.parse(await readFile(join(cfg, 'config.json'), 'utf8')).auths[host].auth, Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
});

test('a credential helper stores, serves and erases the secret (credsStore)', async () => {
  const bin = join(tmp, 'helper-bin');
  await mkdir(bin, { recursive: true });
  const db = join(tmp, 'helper-db.json');
  await writeFile(db, '{}');
  await writeFile(join(bin, 'docker-credential-test'), `#!/bin/sh
exec node -e '
const fs = require("fs"); const db = JSON.parse(fs.readFileSync(${JSON.stringify(db)}, "utf8"));
const input = fs.readFileSync(0, "utf8"); const save = () => fs.writeFileSync(${JSON.stringify(db)}, JSON.stringify(db));
const a = process.argv[1];
if (a === "store") { const c = JSON.parse(input); db[c.ServerURL] = c; save(); }
else if (a === "get") { if (!db[input]) { console.log("credentials not found in native keychain"); process.exit(1); } process.stdout.write(JSON.stringify(db[input])); }
else if (a === "erase") { delete db[input]; save(); }
else if (a === "list") { process.stdout.write("{}"); }
' "$1"
`);
  await chmod(join(bin, 'docker-credential-test'), 0o755);
  for (const [name, cli] of [['docker-helper', 'docker'], ['berth-helper', 'berth']] as const) {
    const cfg = await configDir(name, { credsStore: 'test' });
    const env = { DOCKER_CONFIG: cfg, BERTH_CONFIG: cfg, PATH: `${bin}:${process.env.PATH}` };
    const go = (args: string[], input?: string) => (cli === 'docker' ? d1.docker(args, { env, input }) : d1.berth(args, { env, input }));
    const login = await go(['login', '-u', USER, '--password-stdin', host], PASSWORD);
    assert.equal(login.code, 0, `${cli}: ${login.stderr}`);
    assert.doesNotMatch(login.stderr, /stored unencrypted/);
    assert.deepEqual(JSON.parse(await readFile(db, 'utf8'))[host], { ServerURL: host, Username: USER, Secret: PASSWORD });
    assert.deepEqual(JSON.parse(await readFile(join(cfg, 'config.json'), 'utf8')).auths, { [host]: {} });
    const push = await go(['push', `${host}/app:v1`]);
    assert.equal(push.code, 0, `${cli}: ${push.stderr}`);
    assert.equal((await go(['logout', host])).code, 0);
    assert.deepEqual(JSON.parse(await readFile(db, 'utf8')), {});
  }
});

test('search: a v1 search API with filters, limit and truncation; a registry without one', async () => {
  const table = await d1.docker(['search', `${searchHost}/busybox`]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL$/);
  assert.match(lines[1], /^tools\/busybox\s+BusyBox combines tiny versions of many commo…\s+5\s+\[OK\]$/);
  assert.match(lines[2], /^tools\/busybox-extras\s+extras\s+1\s*$/);
  const mine = await d1.berth(['search', `${searchHost}/busybox`]);
  assert.equal(mine.stdout, table.stdout);
  const filtered = await d1.berth(['search', '--filter', 'stars=3', '--format', '{{.Name}} {{.IsOfficial}}', `${searchHost}/busybox`]);
  assert.equal(filtered.stdout, 'tools/busybox [OK]\n');
  const limited = await d1.docker(['search', '--limit', '1', '--format', '{{.Name}}', `${searchHost}/busybox`]);
  assert.equal(limited.stdout, 'tools/busybox\n');
  const badLimit = await d1.docker(['search', '--limit', '101', `${searchHost}/busybox`]);
  assert.equal(badLimit.code, 1);
  assert.match(badLimit.stderr, /limit 101 is outside the range of \[1, 100\]/);
  const badFilter = await d1.berth(['search', '--filter', 'is-official=maybe', `${searchHost}/busybox`]);
  assert.match(badFilter.stderr, /invalid filter 'is-official=maybe'/);
  const none = await d1.docker(['search', `${host}/app`]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /Error response from daemon: unexpected status code 404/);
});

test('help of login, logout, push, pull, search is docker 28\'s', async () => {
  for (const cmd of [['login'], ['logout'], ['push'], ['pull'], ['search'], ['image', 'push'], ['image', 'pull']]) {
    const docker = await d1.docker([...cmd, '--help']);
    const berth = await d1.berth([...cmd, '--help']);
    assert.equal(berth.stdout, docker.stdout.replace(/docker/g, 'berth'), cmd.join(' '));
  }
});

test('TLS outside loopback: login and push refused without the CA, done with ca.crt in certs.d', async () => {
  // The daemon's bridge address: local, outside 127.0.0.0/8, so the registry is "secure".
  const ip = d1.bip.split('/')[0]!;
  const pki = join(tmp, 'pki');
  await mkdir(pki);
  const ssl = async (args: string[]) => {
    const r = await run('openssl', args, { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
  };
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth push CA', '-keyout', join(pki, 'ca.key'), '-out', join(pki, 'ca.crt')]);
  await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=registry', '-keyout', join(pki, 'server.key'), '-out', join(pki, 'server.csr')]);
  await writeFile(join(pki, 'server.ext'), `subjectAltName=IP:${ip}\n`);
  await ssl(['x509', '-req', '-in', join(pki, 'server.csr'), '-CA', join(pki, 'ca.crt'), '-CAkey', join(pki, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', join(pki, 'server.ext'), '-out', join(pki, 'server.crt')]);
  tlsRegistry = await startTlsRegistry({ host: ip, htpasswd: await readFile(join(tmp, 'htpasswd'), 'utf8'), tls: { certFile: join(pki, 'server.crt'), keyFile: join(pki, 'server.key') } });
  const h = tlsRegistry.addr;
  const cfg = await configDir('docker-tls');
  const env = { DOCKER_CONFIG: cfg };
  const refused = await d1.docker(['login', '-u', USER, '--password-stdin', h], { input: PASSWORD, env });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /x509: certificate signed by unknown authority/);
  await mkdir(join(certsDir, h));
  await writeFile(join(certsDir, h, 'ca.crt'), await readFile(join(pki, 'ca.crt')));
  const login = await d1.docker(['login', '-u', USER, '--password-stdin', h], { input: PASSWORD, env });
  assert.equal(login.code, 0, login.stderr);
  assert.equal((await d1.docker(['tag', 'busybox', `${h}/tls:v1`])).code, 0);
  const push = await d1.docker(['push', `${h}/tls:v1`], { env });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /Pushed/);
  assert.match(push.stdout, /v1: digest: sha256:[0-9a-f]{64} size: \d+/);
});

test('errors before any request are docker\'s, word for word', async () => {
  const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock', BERTH_HOST: 'unix:///nonexistent/berth.sock', DOCKER_CONFIG: join(tmp, 'none'), BERTH_CONFIG: join(tmp, 'none') };
  const cases = [
    ['login', '-u', 'u', '-p', 'x', '--password-stdin', 'h:1'],
    ['login', '--password-stdin', 'h:1'],
    ['login', '-u', '', 'h:1'],
    ['login', '-p', 'x', 'h:1'],
    ['login', 'a', 'b'],
    ['logout', 'a', 'b'],
    ['push'],
    ['push', '-a', 'x:1'],
    ['push', `x@sha256:${'a'.repeat(64)}`],
    ['push', 'Bad'],
    ['pull', '-a', 'x:1'],
    ['pull'],
    ['search'],
    ['search', '--limit', 'x', 'y'],
    ['search', '-f', 'nope', 'y'],
  ];
  for (const argv of cases) {
    const docker = await run('docker', argv, { env });
    const ours = await run(join(ROOT, 'bin/berth'), argv, { env });
    assert.equal(ours.stderr, docker.stderr.replace(/docker/g, 'berth').replace(/Docker/g, 'berth'), argv.join(' '));
    assert.equal(ours.code, docker.code, argv.join(' '));
    assert.equal(ours.stdout, docker.stdout.replace(/docker/g, 'berth'), argv.join(' '));
  }
});

/**
 * A token service as docker/distribution expects one: GET /token with Basic credentials, JWTs
 * signed RS256 with an x5c certificate the registry trusts (its rootcertbundle). It grants what
 * is asked, except push on repositories under readonly/.
 */
async function startTokenService(pki: string): Promise<{ server: Server; realm: string; scopes: string[] }> {
  const key = await readFile(join(pki, 'token.key'), 'utf8');
  const certDer = (await readFile(join(pki, 'token.crt'), 'utf8')).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const b64url = (v: object | Buffer) => Buffer.from(Buffer.isBuffer(v) ? v : JSON.stringify(v)).toString('base64url');
  const scopes: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers.authorization !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) {
      res.statusCode = 401;
      res.setHeader('Content-Type', 'application/json');
      return res.end('{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}');
    }
    const access = u.searchParams.getAll('scope').map((sc) => {
      scopes.push(sc);
      const [type, name, actions] = sc.split(':');
      const granted = actions!.split(',').filter((a) => !(a === 'push' && name!.startsWith('readonly/')));
      return { type, name, actions: granted };
    });
    const now = Math.floor(Date.now() / 1000);
    const head = b64url({ alg: 'RS256', typ: 'JWT', x5c: [certDer] });
    const claims = b64url({ iss: 'berth-test-issuer', sub: USER, aud: u.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now, jti: String(Math.random()), access });
    const sig = sign('sha256', Buffer.from(`${head}.${claims}`), key).toString('base64url');
    const token = `${head}.${claims}.${sig}`;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, realm: `http://127.0.0.1:${(server.address() as { port: number }).port}/token`, scopes };
}

test('a Bearer registry: login through its token service, push with scopes, cross-repository mount, pull-only denied', async () => {
  const pki = join(tmp, 'token-pki');
  await mkdir(pki);
  const ssl = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=berth token signer', '-keyout', join(pki, 'token.key'), '-out', join(pki, 'token.crt')], { timeoutMs: 30_000 });
  assert.equal(ssl.code, 0, ssl.stderr);
  const tokens = await startTokenService(pki);
  let reg: ChildProcess | undefined;
  try {
    const root = join(tmp, 'token-registry');
    await mkdir(root);
    const port = await freePort();
    await writeFile(join(root, 'config.yml'), [
      'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`,
      'http:', `  addr: 127.0.0.1:${port}`,
      'auth:', '  token:', `    realm: ${tokens.realm}`, '    service: berth-test-registry', '    issuer: berth-test-issuer', `    rootcertbundle: ${join(pki, 'token.crt')}`, '',
    ].join('\n'));
    reg = spawn('/usr/bin/docker-registry', ['serve', join(root, 'config.yml')], { stdio: 'ignore' });
    const h = `127.0.0.1:${port}`;
    for (let i = 0; i < 100 && (await httpStatus(`http://${h}/v2/`)) !== 401; i++) await sleep(50);
    const cfg = await configDir('docker-token');
    const env = { DOCKER_CONFIG: cfg };
    const wrong = await d1.docker(['login', '-u', USER, '--password-stdin', h], { input: 'nope', env });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, new RegExp(`Error response from daemon: Get "http://${h}/v2/": unauthorized: incorrect username or password`));
    const login = await d1.docker(['login', '-u', USER, '--password-stdin', h], { input: PASSWORD, env });
    assert.equal(login.code, 0, login.stderr);
    assert.equal((await d1.docker(['tag', 'busybox', `${h}/team/one:v1`])).code, 0);
    const push = await d1.docker(['push', `${h}/team/one:v1`], { env });
    assert.equal(push.code, 0, push.stderr);
    assert.ok(tokens.scopes.includes('repository:team/one:pull,push'), tokens.scopes.join(' '));
    assert.equal((await d1.docker(['tag', 'busybox', `${h}/team/two:v1`])).code, 0);
    const mount = await d1.docker(['push', `${h}/team/two:v1`], { env });
    assert.equal(mount.code, 0, mount.stderr);
    assert.match(mount.stdout, /Mounted from team\/one/);
    assert.ok(tokens.scopes.includes('repository:team/one:pull'), 'the mount source is asked for pull');
    assert.equal((await d1.docker(['tag', 'busybox', `${h}/readonly/x:v1`])).code, 0);
    const denied = await d1.docker(['push', `${h}/readonly/x:v1`], { env });
    assert.equal(denied.code, 1);
    assert.equal(denied.stderr, "denied: requested access to the resource is denied\n");
    const pulled = await d2.docker(['pull', `${h}/team/two:v1`], { env });
    assert.equal(pulled.code, 0, pulled.stderr);
  } finally {
    reg?.kill('SIGKILL');
    tokens.server.close();
  }
});
