// pull, push, login, logout and search through runCli against a fake daemon on a unix socket:
// what each sends (query, X-Registry-Auth from config.json, the /auth body), what it prints,
// and docker's errors for bad flag combinations.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from '../../framework/run-cli.ts';
import { registry } from '../index.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-reg-cli-'));
const sock = join(dir, 'd.sock');
const requests: { method: string; url: string; auth?: string; body: string }[] = [];
const server = createServer(async (req, res) => {
  let body = '';
  for await (const c of req) body += String(c);
  const url = (req.url ?? '').replace(/^\/v1\.\d+/, '');
  if (url === '/_ping') {
    res.setHeader('Api-Version', '1.50');
    return res.end('OK');
  }
  requests.push({ method: req.method ?? '', url, auth: req.headers['x-registry-auth'] as string | undefined, body });
  res.setHeader('Content-Type', 'application/json');
  if (url === '/auth') {
    const b = JSON.parse(body) as { password?: string };
    if (b.password === 'bad') {
      res.statusCode = 401;
      return res.end('{"message":"login attempt to http://h:5000/v2/ failed with status: 401 Unauthorized"}');
    }
    return res.end('{"Status":"Login Succeeded","IdentityToken":""}');
  }
  if (url.startsWith('/images/create')) return res.end('{"status":"Pulling from x","id":"latest"}\n{"status":"Digest: sha256:abc"}\n');
  if (url.includes('/push')) {
    if (url.includes('tag=denied')) return res.end('{"status":"The push refers to repository [h:5000/x]"}\n{"errorDetail":{"message":"denied: requested access to the resource is denied"},"error":"denied: requested access to the resource is denied"}\n');
    return res.end('{"status":"The push refers to repository [h:5000/x]"}\n{"status":"latest: digest: sha256:abc size: 527"}\n{"progressDetail":{},"aux":{"Tag":"latest","Digest":"sha256:abc","Size":527}}\n');
  }
  if (url.startsWith('/images/search')) {
    return res.end(JSON.stringify([
      { name: 'x/low', description: 'low', star_count: 1, is_official: false, is_automated: false },
      { name: 'x/high', description: 'high', star_count: 9, is_official: true, is_automated: false },
    ]));
  }
  res.statusCode = 404;
  res.end('{"message":"not here"}');
});
await new Promise<void>((r) => server.listen(sock, r));
after(async () => {
  server.close();
  await rm(dir, { recursive: true, force: true });
});

function sink() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream, get text() { return text; } };
}

async function cli(argv: string[], input = '') {
  const out = sink();
  const err = sink();
  const stdin = Object.assign(Readable.from(input ? [Buffer.from(input)] : []), { isTTY: false }) as unknown as NodeJS.ReadStream;
  requests.length = 0;
  const code = await runCli(argv, {
    registry, env: { HOME: dir, BERTH_HOST: `unix://${sock}`, BERTH_CONFIG: join(dir, 'cfg') }, stdin, stdout: out.stream, stderr: err.stream, versionLine: 'test',
  });
  return { code, stdout: out.text, stderr: err.text };
}

const decode = (h?: string) => JSON.parse(Buffer.from(h ?? '', 'base64url').toString());

test('login stores what the daemon accepted; a refusal stores nothing; docker\'s flag rules', async () => {
  const ok = await cli(['login', '-u', 'u', '--password-stdin', 'h:5000'], 'pw\n');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, 'Login Succeeded\n');
  assert.deepEqual(JSON.parse(requests[0]!.body), { username: 'u', password: 'pw', serveraddress: 'h:5000' });
  const cfg = JSON.parse(await readFile(join(dir, 'cfg', 'config.json'), 'utf8'));
  assert.deepEqual(cfg.auths['h:5000'], { auth: Buffer.from('u:pw').toString('base64') });
  const bad = await cli(['login', '-u', 'v', '-p', 'bad', 'other:1']);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'WARNING! Using --password via the CLI is insecure. Use --password-stdin.\nError response from daemon: login attempt to http://h:5000/v2/ failed with status: 401 Unauthorized\n');
  assert.equal(JSON.parse(await readFile(join(dir, 'cfg', 'config.json'), 'utf8')).auths['other:1'], undefined);
  assert.equal((await cli(['login', '-u', '', 'h:5000'])).stderr, 'username is empty\n');
  assert.equal((await cli(['login', '-u', 'u', '-p', '', 'h:5000'])).stderr, 'password is empty\n');
  const nontty = await cli(['login', 'fresh:1']);
  assert.equal(nontty.stderr, 'Error: Cannot perform an interactive login from a non TTY device\n');
  assert.equal(requests.length, 0);
  assert.equal((await cli(['login', 'a', 'b'])).code, 1);
});

test('pull: default tag, credentials of the image\'s registry, the full reference at the end; -q; -a rules', async () => {
  const r = await cli(['pull', 'h:5000/x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(requests[0]!.url, '/images/create?fromImage=h%3A5000%2Fx&tag=latest');
  assert.deepEqual(decode(requests[0]!.auth), { username: 'u', password: 'pw', serveraddress: 'h:5000' });
  assert.equal(r.stdout, 'Using default tag: latest\nlatest: Pulling from x\nDigest: sha256:abc\nh:5000/x:latest\n');
  const hub = await cli(['pull', '-q', 'busybox@sha256:' + 'a'.repeat(64)]);
  assert.equal(hub.stdout, `docker.io/library/busybox@sha256:${'a'.repeat(64)}\n`);
  assert.equal(requests[0]!.url, `/images/create?fromImage=busybox&tag=sha256%3A${'a'.repeat(64)}`);
  assert.equal(requests[0]!.auth, 'e30=');
  const all = await cli(['pull', '-a', 'h:5000/x']);
  assert.equal(requests[0]!.url, '/images/create?fromImage=h%3A5000%2Fx');
  assert.equal(all.stdout.split('\n').at(-2), 'h:5000/x');
  assert.deepEqual(await cli(['pull', '-a', 'x:1']), { code: 1, stdout: '', stderr: "tag can't be used with --all-tags/-a\n" });
  assert.equal((await cli(['pull', 'Bad'])).stderr, 'invalid reference format: repository name (library/Bad) must be lowercase\n');
  assert.equal((await cli(['pull', '--platform', 'linux/arm64', 'x'])).code, 0);
  assert.match(requests[0]!.url, /platform=linux%2Farm64/);
});

test('push: the path keeps the slashes, the tag and auth go along; -q; an error in the stream is exit 1', async () => {
  const r = await cli(['push', 'h:5000/team/x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(requests[0]!.url, '/images/h:5000/team/x/push?tag=latest');
  assert.equal(decode(requests[0]!.auth).username, 'u');
  assert.equal(r.stdout, 'Using default tag: latest\nThe push refers to repository [h:5000/x]\nlatest: digest: sha256:abc size: 527\n');
  assert.equal((await cli(['push', '-q', 'h:5000/x:v1'])).stdout, 'h:5000/x:v1\n');
  const denied = await cli(['push', 'h:5000/x:denied']);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr, 'denied: requested access to the resource is denied\n');
  assert.equal((await cli(['push', 'h:5000/x@sha256:' + 'b'.repeat(64)])).stderr, 'cannot push a digest reference\n');
  assert.equal((await cli(['push', '-a', 'h:5000/x:v1'])).stderr, "tag can't be used with --all-tags/-a\n");
  await cli(['push', '-a', 'h:5000/x']);
  assert.equal(requests[0]!.url, '/images/h:5000/x/push');
  // --platform: docker's note first, the platform as the API's JSON.
  const plat = await cli(['push', '-q', '--platform', 'linux/arm64', 'h:5000/x:v1']);
  assert.equal(plat.stdout, '\n Info -> Using --platform pushes only the specified platform manifest of a multi-platform image index.\n         Other components, like attestations, will not be included.\n         To push the complete multi-platform image, remove the --platform flag.\n         \nh:5000/x:v1\n');
  assert.equal(requests[0]!.url, `/images/h:5000/x/push?tag=v1&platform=${encodeURIComponent('{"os":"linux","architecture":"arm64"}')}`);
  const badPlat = await cli(['push', '--platform', 'bad/', 'x']);
  assert.deepEqual(badPlat, { code: 1, stdout: '', stderr: 'Invalid platform bad/"" is an invalid component of "bad/": platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument\n' });
});

test('search sorts by stars and shows docker\'s table; limit and filters go as the API wants them', async () => {
  const r = await cli(['search', '--limit', '2', '-f', 'stars=1', '-f', 'is-official=true', 'h:5000/x']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(requests[0]!.url, `/images/search?term=h%3A5000%2Fx&limit=2&filters=${encodeURIComponent('{"is-official":{"true":true},"stars":{"1":true}}')}`);
  assert.equal(decode(requests[0]!.auth).username, 'u');
  assert.equal(r.stdout, 'NAME      DESCRIPTION   STARS     OFFICIAL\nx/high    high          9         [OK]\nx/low     low           1         \n');
  const json = await cli(['search', '--format', 'json', 'x']);
  assert.equal(json.stdout.split('\n')[0], '{"Description":"high","IsAutomated":"false","IsOfficial":"true","Name":"x/high","StarCount":"9"}');
  assert.equal((await cli(['search', '-f', 'bad', 'x'])).code, 125);
});

test('logout removes the credentials under the host and its URL forms', async () => {
  const cfgFile = join(dir, 'cfg', 'config.json');
  const cfg = JSON.parse(await readFile(cfgFile, 'utf8'));
  cfg.auths['https://h:5000'] = { auth: 'eDp5' };
  await writeFile(cfgFile, JSON.stringify(cfg));
  const r = await cli(['logout', 'http://h:5000/v2/']);
  assert.deepEqual(r, { code: 0, stdout: 'Removing login credentials for h:5000\n', stderr: '' });
  const after1 = JSON.parse(await readFile(cfgFile, 'utf8'));
  assert.equal(after1.auths['h:5000'], undefined);
  assert.equal(after1.auths['https://h:5000'], undefined);
});
