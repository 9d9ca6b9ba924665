// berth-registry's authentication and access model, end to end: a real berth-registry process
// (bin/berth-registry, run `sh scripts/build.sh` first) with htpasswd basic auth, with the
// built-in token service, over TLS with a CA made here by openssl, and on the S3 driver against
// s3rver (a local S3-compatible server from npm, in its own process); skopeo (Debian) pushes
// and pulls with --creds. No berthd is needed.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { run as runTool } from './harness.ts';
import { dockerdMissing, startPrivateDockerd, type PrivateDockerd } from './dockerd.test-helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const REGISTRY_BIN = join(ROOT, 'bin/berth-registry');
const run = promisify(execFile);

const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } as const;
// alice administers everything; bob may only pull team/**; carol owns carol/** and nothing else.
const ACCESS = `
  access:
    rules:
      - account: alice
        repositories: ["**"]
        role: admin
        catalog: true
      - account: bob
        repositories: ["team/**"]
        role: reader
      - account: carol
        repositories: ["{account}/**"]
        role: writer
`;

let work = '';
const children: ChildProcess[] = [];

interface Registry {
  url: string;
  host: string;
  /** The access log so far (one JSON line per request, on stdout). */
  accessLog(): { method: string; path: string; status: number }[];
  stop(): Promise<void>;
}

async function startRegistry(name: string, config: string): Promise<Registry> {
  const file = join(work, `${name}.yml`);
  await writeFile(file, config);
  const child = spawn(REGISTRY_BIN, ['serve', '--config', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let access = '';
  child.stdout!.on('data', (b: Buffer) => (access += b.toString()));
  let log = '';
  const port = await new Promise<number>((resolveP, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolveP(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`berth-registry exited ${code}: ${log}`)));
  });
  const tls = config.includes('certificate:');
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    accessLog: () => access.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { method: string; path: string; status: number }),
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** A one-layer OCI image layout (tag v1) made here: its layer holds `payload` as /data. */
async function makeImage(dir: string, payload: Buffer): Promise<{ layout: string; manifestDigest: string; layerDigest: string }> {
  const src = join(dir, 'src');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, 'data'), payload);
  execFileSync('tar', ['-cf', join(dir, 'layer.tar'), '-C', src, '--owner=0', '--group=0', '--mtime=@0', 'data']);
  execFileSync('gzip', ['-n', '-f', join(dir, 'layer.tar')]);
  const tarGz = await readFile(join(dir, 'layer.tar.gz'));
  const diffId = 'sha256:' + createHash('sha256').update(execFileSync('gzip', ['-dc', join(dir, 'layer.tar.gz')], { maxBuffer: 1 << 30 })).digest('hex');
  const layout = join(dir, 'layout');
  await mkdir(join(layout, 'blobs', 'sha256'), { recursive: true });
  const put = async (data: Buffer): Promise<string> => {
    const hex = createHash('sha256').update(data).digest('hex');
    await writeFile(join(layout, 'blobs', 'sha256', hex), data);
    return `sha256:${hex}`;
  };
  const layerDigest = await put(tarGz);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const configDigest = await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: tarGz.length }],
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
    }),
  );
  return { layout, manifestDigest, layerDigest };
}

async function skopeo(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('skopeo', ['--insecure-policy', ...args], { env: { ...process.env, REGISTRY_AUTH_FILE: join(work, 'auth.json') }, maxBuffer: 1 << 26 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

const basic = (user: keyof typeof USERS, pw: string = USERS[user]): string => 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64');

function parseChallenge(h: string | null): Record<string, string> {
  assert.ok(h, 'a WWW-Authenticate challenge');
  const out: Record<string, string> = { scheme: h.split(' ')[0]! };
  for (const m of h.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

async function token(reg: Registry, user: keyof typeof USERS | undefined, ...scopes: string[]): Promise<string> {
  const q = new URLSearchParams({ service: 'berth-registry' });
  for (const s of scopes) q.append('scope', s);
  const r = await fetch(`${reg.url}/auth/token?${q}`, { headers: user ? { authorization: basic(user) } : {} });
  assert.equal(r.status, 200, await r.clone().text());
  return ((await r.json()) as { token: string }).token;
}

function claims(t: string): { sub: string; access: unknown } {
  return JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()) as { sub: string; access: unknown };
}

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'registry-auth-'));
  await writeFile(join(work, 'auth.json'), '{}');
  const lines: string[] = [];
  for (const [u, p] of Object.entries(USERS)) {
    lines.push(execFileSync(REGISTRY_BIN, ['htpasswd', '-B', '-C', '5', u, p]).toString().trim());
  }
  await writeFile(join(work, 'htpasswd'), lines.join('\n') + '\n');
});

after(async () => {
  for (const c of children) await stopChild(c);
  await rm(work, { recursive: true, force: true });
});

describe('htpasswd basic auth', () => {
  let reg: Registry;
  let image: Awaited<ReturnType<typeof makeImage>>;
  before(async () => {
    reg = await startRegistry(
      'basic',
      `version: 0.1
http: {addr: "127.0.0.1:0"}
storage:
  filesystem: {rootdirectory: ${join(work, 'basic-root')}}
  delete: {enabled: true}
auth:
  htpasswd: {realm: "berth basic", path: ${join(work, 'htpasswd')}}
${ACCESS}`,
    );
    image = await makeImage(join(work, 'img-basic'), randomBytes(1000));
  });
  after(() => reg.stop());

  test('anonymous and wrong passwords get 401 with the Basic challenge and UNAUTHORIZED', async () => {
    for (const authorization of [undefined, basic('alice', 'wrong'), basic('nobody' as 'alice', 'x')]) {
      const r = await fetch(`${reg.url}/v2/`, { headers: authorization ? { authorization } : {} });
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Basic realm="berth basic"');
      const body = (await r.json()) as { errors: { code: string; message: string }[] };
      assert.equal(body.errors[0]!.code, 'UNAUTHORIZED');
      assert.equal(body.errors[0]!.message, 'authentication required');
    }
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('bob') } })).status, 200);
  });

  test("401s match Debian's docker-registry (distribution 2.8): status, challenge, error body", { skip: existsSync('/usr/bin/docker-registry') ? false : 'no docker-registry' }, async () => {
    // A free port for distribution, which cannot report a port 0 it bound.
    const port = await new Promise<number>((resolveP) => {
      const srv = createNetServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolveP(p));
      });
    });
    const file = join(work, 'distribution.yml');
    await writeFile(file, `version: 0.1
http: {addr: "127.0.0.1:${port}"}
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: ${join(work, 'distribution-root')}}}
auth: {htpasswd: {realm: "berth basic", path: ${join(work, 'htpasswd')}}}
`);
    const dist = spawn('/usr/bin/docker-registry', ['serve', file], { stdio: 'ignore' });
    children.push(dist);
    const distUrl = `http://127.0.0.1:${port}`;
    try {
      for (let i = 0; ; i++) {
        if ((await fetch(`${distUrl}/v2/`).catch(() => undefined)) !== undefined) break;
        if (i > 100) throw new Error('docker-registry did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      const cases: Array<[string, string, string | undefined]> = [
        ['GET', '/v2/', undefined],
        ['GET', '/v2/', basic('alice', 'wrong')],
        ['GET', '/v2/team/app/manifests/v1', undefined],
        ['HEAD', `/v2/team/app/blobs/${image.layerDigest}`, undefined],
        ['POST', `/v2/team/app/blobs/uploads/?mount=${image.layerDigest}&from=other/repo`, undefined],
        ['DELETE', `/v2/team/app/manifests/${image.manifestDigest}`, basic('nobody' as 'alice', 'x')],
        ['GET', '/v2/_catalog', undefined],
      ];
      for (const [method, path, authorization] of cases) {
        const ours = await fetch(reg.url + path, { method, headers: authorization ? { authorization } : {} });
        const theirs = await fetch(distUrl + path, { method, headers: authorization ? { authorization } : {} });
        const what = `${method} ${path}`;
        assert.equal(ours.status, theirs.status, what);
        assert.equal(ours.headers.get('www-authenticate'), theirs.headers.get('www-authenticate'), what);
        assert.equal(ours.headers.get('content-type'), theirs.headers.get('content-type'), what);
        // Same JSON (distribution's encoder adds a final newline; the server core's does not).
        const [o, t] = [await ours.text(), await theirs.text()];
        assert.deepEqual(o === '' ? o : JSON.parse(o), t === '' ? t : JSON.parse(t), what);
      }
    } finally {
      await stopChild(dist);
    }
  });

  test('skopeo --creds pushes and pulls; a pull-only account cannot push', async () => {
    const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `alice:${USERS.alice}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/app:v1`);
    assert.equal(push.code, 0, push.out);
    const pull = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', `bob:${USERS.bob}`, `docker://${reg.host}/team/app:v1`);
    assert.equal(pull.code, 0, pull.out);
    assert.equal('sha256:' + createHash('sha256').update(pull.out).digest('hex'), image.manifestDigest);
    const denied = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `bob:${USERS.bob}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/app:v2`);
    assert.notEqual(denied.code, 0);
    assert.match(denied.out, /denied|unauthorized/i);
    const noCreds = await skopeo('inspect', '--raw', '--tls-verify=false', '--no-creds', `docker://${reg.host}/team/app:v1`);
    assert.notEqual(noCreds.code, 0);
  });

  test('an account added to the htpasswd file while running can log in; the htpasswd command reads stdin', async () => {
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: 'Basic ' + Buffer.from('dave:dave-pw').toString('base64') } })).status, 401);
    const line = execFileSync(REGISTRY_BIN, ['htpasswd', '-C', '4', '--password-stdin', 'dave'], { input: 'dave-pw\n' }).toString();
    assert.match(line, /^dave:\$2y\$04\$[./A-Za-z0-9]{53}\n$/);
    await writeFile(join(work, 'htpasswd-live'), (await readFile(join(work, 'htpasswd'), 'utf8')) + line);
    const { rename } = await import('node:fs/promises');
    const live = join(work, 'htpasswd');
    const saved = await readFile(live, 'utf8');
    await rename(join(work, 'htpasswd-live'), live);
    try {
      assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: 'Basic ' + Buffer.from('dave:dave-pw').toString('base64') } })).status, 200);
    } finally {
      await writeFile(live, saved);
    }
    const usage = await runTool(REGISTRY_BIN, ['htpasswd']);
    assert.equal(usage.code, 1);
    assert.match(usage.stderr, /usage: berth-registry htpasswd/);
    const badUser = await runTool(REGISTRY_BIN, ['htpasswd', 'a:b', 'pw']);
    assert.equal(badUser.code, 1);
    assert.match(badUser.stderr, /invalid user name/);
  });

  test('a known account the policy refuses gets 403 DENIED: push, delete, catalog', async () => {
    const post = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: { authorization: basic('bob') } });
    assert.equal(post.status, 403);
    assert.equal(((await post.json()) as { errors: { code: string }[] }).errors[0]!.code, 'DENIED');
    const del = await fetch(`${reg.url}/v2/team/app/manifests/${image.manifestDigest}`, { method: 'DELETE', headers: { authorization: basic('bob') } });
    assert.equal(del.status, 403);
    assert.equal((await fetch(`${reg.url}/v2/_catalog`, { headers: { authorization: basic('bob') } })).status, 403);
    const cat = await fetch(`${reg.url}/v2/_catalog`, { headers: { authorization: basic('alice') } });
    assert.deepEqual(await cat.json(), { repositories: ['team/app'] });
    // carol sees nothing of team/app: not its blobs, not through her own repository either.
    assert.equal((await fetch(`${reg.url}/v2/team/app/blobs/${image.layerDigest}`, { headers: { authorization: basic('carol') } })).status, 403);
    const viaB = await fetch(`${reg.url}/v2/carol/x/blobs/${image.layerDigest}`, { method: 'GET', headers: { authorization: basic('carol') } });
    assert.equal(viaB.status, 404);
    assert.equal(((await viaB.json()) as { errors: { code: string }[] }).errors[0]!.code, 'BLOB_UNKNOWN');
  });
});

describe('built-in token service', () => {
  let reg: Registry;
  let image: Awaited<ReturnType<typeof makeImage>>;
  before(async () => {
    reg = await startRegistry(
      'token',
      `version: 0.1
http: {addr: "127.0.0.1:0"}
storage:
  filesystem: {rootdirectory: ${join(work, 'token-root')}}
  delete: {enabled: true}
auth:
  htpasswd: {path: ${join(work, 'htpasswd')}}
  token: {service: berth-registry, expiration: 5m}
${ACCESS}`,
    );
    image = await makeImage(join(work, 'img-token'), randomBytes(2000));
    const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `alice:${USERS.alice}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/app:v1`);
    assert.equal(push.code, 0, push.out);
  });
  after(() => reg.stop());

  test('unauthenticated requests get the Bearer challenge naming the token endpoint and scope', async () => {
    const base = await fetch(`${reg.url}/v2/`);
    assert.equal(base.status, 401);
    assert.equal(base.headers.get('www-authenticate'), `Bearer realm="${reg.url}/auth/token",service="berth-registry"`);
    const m = await fetch(`${reg.url}/v2/team/app/manifests/v1`);
    const c = parseChallenge(m.headers.get('www-authenticate'));
    assert.deepEqual(c, { scheme: 'Bearer', realm: `${reg.url}/auth/token`, service: 'berth-registry', scope: 'repository:team/app:pull' });
    const body = (await m.json()) as { errors: { code: string; detail: unknown }[] };
    assert.equal(body.errors[0]!.code, 'UNAUTHORIZED');
    // Passwords go to the token endpoint, not to the registry.
    assert.equal((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('alice') } })).status, 401);
  });

  test('wrong password and unknown users get 401 from the token endpoint', async () => {
    for (const a of [basic('alice', 'nope'), basic('mallory' as 'alice', 'x')]) {
      const r = await fetch(`${reg.url}/auth/token?service=berth-registry&scope=repository:team/app:pull`, { headers: { authorization: a } });
      assert.equal(r.status, 401);
    }
    // No anonymous rule: anonymous gets no token at all.
    assert.equal((await fetch(`${reg.url}/auth/token?service=berth-registry&scope=repository:team/app:pull`)).status, 401);
  });

  test('a pull-only token cannot push: upload POST and manifest PUT are refused with insufficient_scope', async () => {
    const t = await token(reg, 'bob', 'repository:team/app:pull,push');
    assert.deepEqual(claims(t).access, [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    const auth = { authorization: `Bearer ${t}` };
    assert.equal((await fetch(`${reg.url}/v2/team/app/manifests/v1`, { headers: { ...auth, accept: 'application/vnd.oci.image.manifest.v1+json' } })).status, 200);
    const post = await fetch(`${reg.url}/v2/team/app/blobs/uploads/`, { method: 'POST', headers: auth });
    assert.equal(post.status, 401);
    const c = parseChallenge(post.headers.get('www-authenticate'));
    assert.equal(c.error, 'insufficient_scope');
    assert.equal(c.scope, 'repository:team/app:pull,push');
    const manifest = await readFile(join(image.layout, 'blobs', 'sha256', image.manifestDigest.slice(7)));
    const put = await fetch(`${reg.url}/v2/team/app/manifests/v2`, { method: 'PUT', headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, body: manifest });
    assert.equal(put.status, 401);
    assert.equal(parseChallenge(put.headers.get('www-authenticate')).error, 'insufficient_scope');
    const tags = await fetch(`${reg.url}/v2/team/app/tags/list`, { headers: { authorization: `Bearer ${await token(reg, 'alice', 'repository:team/app:pull')}` } });
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags, ['v1'], 'nothing was pushed');
    const bad = await fetch(`${reg.url}/v2/team/app/manifests/v1`, { headers: { authorization: `Bearer ${t.slice(0, -4)}AAAA` } });
    assert.equal(bad.status, 401);
    assert.equal(parseChallenge(bad.headers.get('www-authenticate')).error, 'invalid_token');
  });

  test('no blob of repository A through repository B without pull on A; a mount from A falls back to an upload', async () => {
    const t = await token(reg, 'carol', 'repository:carol/x:pull,push', 'repository:team/app:pull');
    assert.deepEqual(claims(t).access, [{ type: 'repository', name: 'carol/x', actions: ['pull', 'push'] }]);
    const auth = { authorization: `Bearer ${t}` };
    for (const method of ['HEAD', 'GET']) {
      const r = await fetch(`${reg.url}/v2/carol/x/blobs/${image.layerDigest}`, { method, headers: auth });
      assert.equal(r.status, 404, method);
      if (method === 'GET') assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0]!.code, 'BLOB_UNKNOWN');
    }
    assert.equal((await fetch(`${reg.url}/v2/team/app/blobs/${image.layerDigest}`, { headers: auth })).status, 401);
    const mount = await fetch(`${reg.url}/v2/carol/x/blobs/uploads/?mount=${image.layerDigest}&from=team/app`, { method: 'POST', headers: auth });
    assert.equal(mount.status, 202, 'an upload session, not a mount');
    assert.match(mount.headers.get('location') ?? '', /\/v2\/carol\/x\/blobs\/uploads\//);
    assert.equal((await fetch(`${reg.url}/v2/carol/x/blobs/${image.layerDigest}`, { method: 'HEAD', headers: auth })).status, 404, 'still not readable');
    // With pull on A the same request mounts.
    const at = await token(reg, 'alice', 'repository:alice/y:pull,push', 'repository:team/app:pull');
    const ok = await fetch(`${reg.url}/v2/alice/y/blobs/uploads/?mount=${image.layerDigest}&from=team/app`, { method: 'POST', headers: { authorization: `Bearer ${at}` } });
    assert.equal(ok.status, 201);
  });

  test('delete needs the delete action; catalog needs registry:catalog:*', async () => {
    const url = `${reg.url}/v2/team/app/manifests/${image.manifestDigest}`;
    const pp = await token(reg, 'carol', 'repository:team/app:pull,push,delete');
    assert.deepEqual(claims(pp).access, []);
    const r = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${await token(reg, 'bob', 'repository:team/app:delete')}` } });
    assert.equal(r.status, 401);
    assert.equal(parseChallenge(r.headers.get('www-authenticate')).scope, 'repository:team/app:delete');
    const bobCat = await fetch(`${reg.url}/v2/_catalog`, { headers: { authorization: `Bearer ${await token(reg, 'bob', 'registry:catalog:*')}` } });
    assert.equal(bobCat.status, 401);
    assert.equal(parseChallenge(bobCat.headers.get('www-authenticate')).scope, 'registry:catalog:*');
    const aliceCat = await fetch(`${reg.url}/v2/_catalog`, { headers: { authorization: `Bearer ${await token(reg, 'alice', 'registry:catalog:*')}` } });
    assert.equal(aliceCat.status, 200);
    assert.ok(((await aliceCat.json()) as { repositories: string[] }).repositories.includes('team/app'));
    const pushOnly = await token(reg, 'alice', 'repository:team/app:pull,push');
    assert.equal((await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${pushOnly}` } })).status, 401, 'pull,push is not delete');
    const del = await fetch(url, { method: 'DELETE', headers: { authorization: `Bearer ${await token(reg, 'alice', 'repository:team/app:delete')}` } });
    assert.equal(del.status, 202);
  });

  test('skopeo --creds logs in through the token flow; the pull-only account cannot push', async () => {
    const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `carol:${USERS.carol}`, `oci:${image.layout}:v1`, `docker://${reg.host}/carol/app:v1`);
    assert.equal(push.code, 0, push.out);
    const out = join(work, 'pulled-token');
    const pull = await skopeo('copy', '--src-tls-verify=false', '--src-creds', `carol:${USERS.carol}`, `docker://${reg.host}/carol/app:v1`, `oci:${out}:v1`);
    assert.equal(pull.code, 0, pull.out);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, image.manifestDigest, 'the image comes back unchanged');
    const denied = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `bob:${USERS.bob}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/other:v1`);
    assert.notEqual(denied.code, 0);
    const wrong = await skopeo('inspect', '--raw', '--tls-verify=false', '--creds', 'carol:wrong', `docker://${reg.host}/carol/app:v1`);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.out, /unauthorized|authentication required|401/i);
  });

  test('the signing key was made once in the registry root, 0600', async () => {
    const { stdout } = await run('stat', ['-c', '%a', join(work, 'token-root', 'auth', 'token-signing-key.pem')]);
    assert.equal(stdout.trim(), '600');
  });
});

// The Docker engine as a client of the token service: a private dockerd (Debian's 20.10) and the
// real docker CLI log in (GET with offline_token, the refresh token kept as identity token),
// then pull and push with it (POST grant_type=refresh_token).
describe('docker login, pull and push through a private dockerd', { skip: dockerdMissing() }, () => {
  let reg: Registry;
  let d: PrivateDockerd | undefined;
  let config = '';
  let image: Awaited<ReturnType<typeof makeImage>>;
  const docker = (args: string[], input?: string): ReturnType<typeof runTool> => runTool('docker', ['--config', config, '-H', d!.host, ...args], { input, timeoutMs: 120_000 });
  before(async () => {
    config = join(work, 'docker-config');
    await mkdir(config);
    reg = await startRegistry(
      'docker',
      `version: 0.1
http: {addr: "127.0.0.1:0"}
storage:
  filesystem: {rootdirectory: ${join(work, 'docker-root')}}
auth:
  htpasswd: {path: ${join(work, 'htpasswd')}}
  token: {}
${ACCESS}`,
    );
    image = await makeImage(join(work, 'img-docker'), randomBytes(3000));
    const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `carol:${USERS.carol}`, `oci:${image.layout}:v1`, `docker://${reg.host}/carol/app:v1`);
    assert.equal(push.code, 0, push.out);
    d = await startPrivateDockerd();
  });
  after(async () => {
    await d?.stop();
    await reg.stop();
  });

  test('login stores a refresh token; pull and push use it; a wrong password and a reader pushing fail', async () => {
    const bad = await docker(['login', reg.host, '-u', 'carol', '--password-stdin'], 'wrong\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unauthorized|authentication required/i);
    const login = await docker(['login', reg.host, '-u', 'carol', '--password-stdin'], `${USERS.carol}\n`);
    assert.equal(login.code, 0, login.stderr + d!.log().slice(-2000));
    assert.match(login.stdout, /Login Succeeded/);
    const stored = JSON.parse(await readFile(join(config, 'config.json'), 'utf8')) as { auths: Record<string, { identitytoken?: string; auth?: string }> };
    assert.ok(stored.auths[reg.host]?.identitytoken, 'the refresh token is kept as identity token, not the password');
    assert.equal(Buffer.from(stored.auths[reg.host]?.auth ?? '', 'base64').toString(), 'carol:', 'the CLI keeps the user name only');
    const before = reg.accessLog().length;
    const pull = await docker(['pull', `${reg.host}/carol/app:v1`]);
    assert.equal(pull.code, 0, pull.stderr + d!.log().slice(-2000));
    const tokenCalls = reg.accessLog().slice(before).filter((e) => e.path.startsWith('/auth/token'));
    assert.ok(tokenCalls.some((e) => e.method === 'POST' && e.status === 200), `the engine refreshes with the OAuth2 POST: ${JSON.stringify(tokenCalls)}`);
    assert.match(pull.stdout, new RegExp(`Digest: ${image.manifestDigest}`));
    assert.equal((await docker(['tag', `${reg.host}/carol/app:v1`, `${reg.host}/carol/copy:v1`])).code, 0);
    const push = await docker(['push', `${reg.host}/carol/copy:v1`]);
    assert.equal(push.code, 0, push.stderr + d!.log().slice(-2000));
    assert.equal((await docker(['logout', reg.host])).code, 0);
    const bobLogin = await docker(['login', reg.host, '-u', 'bob', '--password-stdin'], `${USERS.bob}\n`);
    assert.equal(bobLogin.code, 0, bobLogin.stderr);
    assert.equal((await docker(['tag', `${reg.host}/carol/app:v1`, `${reg.host}/team/nope:v1`])).code, 0);
    const denied = await docker(['push', `${reg.host}/team/nope:v1`]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /denied|unauthorized|authentication required/i);
  });
});

describe('TLS with a self-signed CA', () => {
  let reg: Registry;
  let certs = '';
  before(async () => {
    certs = join(work, 'certs');
    await mkdir(certs);
    const ossl = (...a: string[]): Buffer => execFileSync('openssl', a, { cwd: certs, stdio: ['ignore', 'pipe', 'pipe'] });
    ossl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=berth test CA');
    ossl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    await writeFile(join(certs, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    // skopeo's cert dirs: *.crt are CAs; keep the server key out of it.
    await mkdir(join(certs, 'trust'));
    await writeFile(join(certs, 'trust', 'ca.crt'), await readFile(join(certs, 'ca.crt')));
    reg = await startRegistry(
      'tls',
      `version: 0.1
http:
  addr: "127.0.0.1:0"
  tls: {certificate: ${join(certs, 'server.crt')}, key: ${join(certs, 'server.key')}}
storage:
  filesystem: {rootdirectory: ${join(work, 'tls-root')}}
auth:
  htpasswd: {path: ${join(work, 'htpasswd')}}
  token: {}
${ACCESS}`,
    );
  });
  after(() => reg.stop());

  test('the challenge names the https token endpoint; skopeo pushes and pulls with --cert-dir and --creds', async () => {
    const ca = await readFile(join(certs, 'ca.crt'));
    const challenge = await new Promise<string | undefined>((resolveP, reject) => {
      httpsRequest(`${reg.url}/v2/`, { ca }, (res) => {
        res.resume();
        resolveP(res.headers['www-authenticate']);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(challenge, `Bearer realm="${reg.url}/auth/token",service="berth-registry"`);
    const image = await makeImage(join(work, 'img-tls'), randomBytes(500));
    const trust = join(certs, 'trust');
    const untrusted = await skopeo('copy', '--dest-creds', `alice:${USERS.alice}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/tls:v1`);
    assert.notEqual(untrusted.code, 0, 'without the CA the certificate is refused');
    assert.match(untrusted.out, /certificate|x509/i);
    const push = await skopeo('copy', '--dest-cert-dir', trust, '--dest-creds', `alice:${USERS.alice}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/tls:v1`);
    assert.equal(push.code, 0, push.out);
    const pull = await skopeo('copy', '--src-cert-dir', trust, '--src-creds', `bob:${USERS.bob}`, `docker://${reg.host}/team/tls:v1`, `oci:${join(work, 'pulled-tls')}:v1`);
    assert.equal(pull.code, 0, pull.out);
  });
});

describe('S3 storage (s3rver)', () => {
  let reg: Registry;
  let s3: ChildProcess;
  before(async () => {
    const dir = join(work, 's3rver');
    await mkdir(dir);
    // test/fixtures/s3rver.mjs says why the flag and what it corrects in s3rver.
    s3 = spawn(join(ROOT, 'node_modules/.bin/node'), ['--openssl-legacy-provider', join(ROOT, 'test/fixtures/s3rver.mjs'), dir, 'registry'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(s3);
    const port = await new Promise<number>((resolveP, reject) => {
      let out = '';
      s3.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /listening on [\d.]+:(\d+)/.exec(out);
        if (m) resolveP(Number(m[1]));
      });
      s3.once('exit', (code) => reject(new Error(`s3rver exited ${code}: ${out}`)));
    });
    s3.stdout!.resume();
    reg = await startRegistry(
      's3',
      `version: 0.1
http: {addr: "127.0.0.1:0"}
storage:
  s3:
    region: us-east-1
    bucket: registry
    regionendpoint: http://127.0.0.1:${port}
    accesskey: S3RVER
    secretkey: S3RVER
    forcepathstyle: true
    rootdirectory: /berth
    chunksize: 5242880
    redirect: true
  delete: {enabled: true}
auth:
  htpasswd: {path: ${join(work, 'htpasswd')}}
  token: {signingkey: ${join(work, 's3-token-key.pem')}}
${ACCESS}`,
    );
  });
  after(async () => {
    await reg.stop();
    await stopChild(s3);
  });

  test('skopeo pushes an image with a multipart-sized layer and pulls it back unchanged', async () => {
    const payload = randomBytes(12 << 20);
    const image = await makeImage(join(work, 'img-s3'), payload);
    const push = await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `alice:${USERS.alice}`, `oci:${image.layout}:v1`, `docker://${reg.host}/team/big:v1`);
    assert.equal(push.code, 0, push.out);
    const out = join(work, 'pulled-s3');
    const pull = await skopeo('copy', '--src-tls-verify=false', '--src-creds', `bob:${USERS.bob}`, `docker://${reg.host}/team/big:v1`, `oci:${out}:v1`);
    assert.equal(pull.code, 0, pull.out);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0]!.digest, image.manifestDigest);
    const layer = await readFile(join(out, 'blobs', 'sha256', image.layerDigest.slice(7)));
    assert.equal('sha256:' + createHash('sha256').update(layer).digest('hex'), image.layerDigest);
    // Blob reads redirect to presigned URLs of the bucket (GET and HEAD signed for their method).
    const bt = await token(reg, 'bob', 'repository:team/big:pull');
    for (const method of ['GET', 'HEAD']) {
      const r = await fetch(`${reg.url}/v2/team/big/blobs/${image.layerDigest}`, { method, headers: { authorization: `Bearer ${bt}` }, redirect: 'manual' });
      assert.equal(r.status, 307, method);
      const location = r.headers.get('location')!;
      assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/registry\/berth\/docker\/registry\/v2\/blobs\/sha256\/..\/[0-9a-f]{64}\/data\?X-Amz-Algorithm=AWS4-HMAC-SHA256&/);
      const direct = await fetch(location, { method });
      assert.equal(direct.status, 200, method);
      assert.equal(Number(direct.headers.get('content-length')), layer.length, method);
    }
    // Listing works on object storage: the catalog walks the repositories' prefixes.
    const cat = await fetch(`${reg.url}/v2/_catalog`, { headers: { authorization: `Bearer ${await token(reg, 'alice', 'registry:catalog:*')}` } });
    assert.deepEqual(await cat.json(), { repositories: ['team/big'] });
    // The objects are in the bucket, under the root directory.
    const { stdout } = await run('find', [join(work, 's3rver', 'registry', 'berth', 'docker', 'registry', 'v2', 'blobs'), '-type', 'f']);
    assert.ok(stdout.includes(image.layerDigest.slice(7)), stdout);
  });
});
