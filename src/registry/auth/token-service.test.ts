import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authFromConfig, AuthConfigError } from './from-config.ts';
import type { RegistryAuth } from './from-config.ts';
import { htpasswdLine } from './htpasswd.ts';
import type { Access } from './types.ts';

let dir = '';
let server: Server;
let base = '';
let auth: RegistryAuth;
const basic = (u: string, p: string): string => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');
const repo = (name: string, ...actions: string[]): Access => ({ type: 'repository', name, actions });

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'token-service-'));
  await writeFile(join(dir, 'htpasswd'), [await htpasswdLine('alice', 'apw', 4), await htpasswdLine('bob', 'bpw', 4)].join('\n') + '\n');
  const a = await authFromConfig(
    {
      htpasswd: { realm: 'test', path: join(dir, 'htpasswd') },
      token: { service: 'reg', expiration: '5m' },
      access: {
        rules: [
          { account: 'alice', repositories: ['**'], role: 'admin', catalog: true },
          { account: 'bob', repositories: ['a/*'], role: 'reader' },
          { account: 'anonymous', repositories: ['public'], role: 'reader' },
        ],
      },
    },
    { stateDir: dir, defaultRealm: () => 'http://fallback/auth/token' },
  );
  assert.ok(a?.handler);
  auth = a;
  server = createServer((req, res) => {
    void a.handler!(req, res).then((done) => {
      if (!done) res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true });
});

async function getToken(query: string, authorization?: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const r = await fetch(`${base}/auth/token?${query}`, { headers: authorization ? { authorization } : {} });
  return { status: r.status, body: (await r.json()) as Record<string, unknown>, headers: r.headers };
}

function accessOf(token: string): unknown {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { access: unknown }).access;
}

test('GET with Basic credentials returns a token with only what the policy grants', async () => {
  const r = await getToken('service=reg&scope=repository:a/x:pull,push&scope=repository:b:pull', basic('bob', 'bpw'));
  assert.equal(r.status, 200);
  assert.equal(r.body.token, r.body.access_token);
  assert.equal(r.body.expires_in, 300);
  assert.match(r.body.issued_at as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(r.body.refresh_token, undefined);
  assert.deepEqual(accessOf(r.body.token as string), [repo('a/x', 'pull')]);
  const ok = await auth.authenticator.authorize(`Bearer ${r.body.token as string}`, [repo('a/x', 'pull')]);
  assert.deepEqual(ok, { ok: true, subject: { name: 'bob', via: 'token' } });
  const push = await auth.authenticator.authorize(`Bearer ${r.body.token as string}`, [repo('a/x', 'pull', 'push')]);
  assert.equal(push.ok, false);
  if (!push.ok) {
    assert.equal(push.status, 401);
    assert.equal(push.challenge, 'Bearer realm="http://fallback/auth/token",service="reg",scope="repository:a/x:pull,push",error="insufficient_scope"');
    assert.deepEqual(push.detail, [repo('a/x', 'pull', 'push')], 'the detail names what the request needs, as distribution');
  }
  const other = await auth.authenticator.authorize(`Bearer ${r.body.token as string}`, [repo('b', 'pull')]);
  assert.equal(other.ok, false, 'no grant on b means no access to b');
});

test('unknown user, wrong password and undecodable credentials get 401 with a Basic challenge', async () => {
  for (const a of [basic('mallory', 'x'), basic('bob', 'wrong'), 'Basic %%%']) {
    const r = await getToken('service=reg&scope=repository:a/x:pull', a);
    assert.equal(r.status, 401, a);
    assert.equal(r.headers.get('www-authenticate'), 'Basic realm="reg"');
    assert.deepEqual((r.body.errors as { code: string }[])[0]!.code, 'UNAUTHORIZED');
  }
});

test('anonymous gets what anonymous rules grant; account must match; bad scope and service are 400', async () => {
  const anon = await getToken('service=reg&scope=repository:public:pull,push&scope=repository:a/x:pull');
  assert.equal(anon.status, 200);
  assert.deepEqual(accessOf(anon.body.token as string), [repo('public', 'pull')]);
  const ok = await auth.authenticator.authorize(`Bearer ${anon.body.token as string}`, [repo('public', 'pull')]);
  assert.deepEqual(ok, { ok: true, subject: undefined });
  assert.equal((await getToken('service=reg&account=alice', basic('bob', 'bpw'))).status, 400);
  assert.equal((await getToken('service=reg&account=bob', basic('bob', 'bpw'))).status, 200);
  const bad = await getToken('service=reg&scope=repository:UPPER:pull', basic('bob', 'bpw'));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_scope');
  assert.equal((await getToken('service=elsewhere', basic('bob', 'bpw'))).status, 400);
});

test('catalog needs registry:catalog:* granted', async () => {
  const a = await getToken('service=reg&scope=registry:catalog:*', basic('alice', 'apw'));
  assert.deepEqual(accessOf(a.body.token as string), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  const b = await getToken('service=reg&scope=registry:catalog:*', basic('bob', 'bpw'));
  assert.deepEqual(accessOf(b.body.token as string), []);
  const need = [{ type: 'registry' as const, name: 'catalog', actions: ['*'] }];
  assert.equal((await auth.authenticator.authorize(`Bearer ${a.body.token as string}`, need)).ok, true);
  assert.equal((await auth.authenticator.authorize(`Bearer ${b.body.token as string}`, need)).ok, false);
});

test('offline_token and the OAuth2 POST: password and refresh_token grants', async () => {
  const login = await getToken('service=reg&offline_token=true&client_id=docker', basic('bob', 'bpw'));
  const refresh = login.body.refresh_token as string;
  assert.ok(refresh);
  const refused = await auth.authenticator.authorize(`Bearer ${refresh}`, []);
  assert.equal(refused.ok, false, 'a refresh token is not an access token');
  const post = (form: Record<string, string>): Promise<Response> =>
    fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const r = await post({ grant_type: 'refresh_token', refresh_token: refresh, service: 'reg', client_id: 'docker', scope: 'repository:a/x:pull,push repository:a/y:pull' });
  assert.equal(r.status, 200);
  const body = (await r.json()) as Record<string, string>;
  assert.deepEqual(accessOf(body.access_token!), [repo('a/x', 'pull'), repo('a/y', 'pull')]);
  assert.equal(body.scope, 'repository:a/x:pull repository:a/y:pull');
  const pw = await post({ grant_type: 'password', username: 'alice', password: 'apw', service: 'reg', client_id: 'c', access_type: 'offline', scope: 'repository:z:delete' });
  const pwBody = (await pw.json()) as Record<string, string>;
  assert.deepEqual(accessOf(pwBody.access_token!), [repo('z', 'delete')]);
  assert.ok(pwBody.refresh_token);
  assert.equal((await post({ grant_type: 'password', username: 'alice', password: 'no', service: 'reg', client_id: 'c' })).status, 401);
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: body.access_token!, service: 'reg', client_id: 'c' })).status, 401, 'an access token is not a refresh token');
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: 'x.y.z', service: 'reg', client_id: 'c' })).status, 401);
  assert.equal((await post({ grant_type: 'password', username: 'alice', password: 'apw', service: 'reg' })).status, 400, 'client_id is required');
  assert.equal((await post({ grant_type: 'client_credentials', service: 'reg', client_id: 'c' })).status, 400);
  const json = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 400);
  const big = await fetch(`${base}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a='.padEnd(70_000, 'x') });
  assert.equal(big.status, 413);
  assert.equal((await fetch(`${base}/auth/token`, { method: 'DELETE' })).status, 405);
  // A changed password ends the account's refresh tokens; a removed account's too.
  const alices = pwBody.refresh_token!;
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: alices, service: 'reg', client_id: 'c' })).status, 200);
  const bobLine = (await readFile(join(dir, 'htpasswd'), 'utf8')).split('\n').find((l) => l.startsWith('bob:'))!;
  await writeFile(join(dir, 'htpasswd'), [await htpasswdLine('alice', 'apw2', 4), bobLine].join('\n') + '\n');
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: alices, service: 'reg', client_id: 'c' })).status, 401, 'new password');
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: refresh, service: 'reg', client_id: 'docker' })).status, 200, "bob's is unchanged");
  await writeFile(join(dir, 'htpasswd'), (await htpasswdLine('alice', 'apw', 4)) + '\n');
  const gone = await post({ grant_type: 'refresh_token', refresh_token: refresh, service: 'reg', client_id: 'docker' });
  assert.equal(gone.status, 401, 'removed account');
});

test('the registry side: no token, garbage and foreign tokens get the challenge', async () => {
  const need = [repo('a/x', 'pull')];
  const none = await auth.authenticator.authorize(undefined, need);
  assert.equal(none.ok, false);
  if (!none.ok) assert.equal(none.challenge, 'Bearer realm="http://fallback/auth/token",service="reg",scope="repository:a/x:pull"');
  const garbage = await auth.authenticator.authorize('Bearer abc.def.ghi', need);
  if (!garbage.ok) assert.match(garbage.challenge!, /,error="invalid_token"$/);
  else assert.fail('garbage accepted');
  const basicHeader = await auth.authenticator.authorize(basic('alice', 'apw'), need);
  assert.equal(basicHeader.ok, false, 'token mode takes no passwords at the registry');
  const base401 = await auth.authenticator.authorize(undefined, []);
  if (!base401.ok) assert.equal(base401.challenge, 'Bearer realm="http://fallback/auth/token",service="reg"');
});

test('config errors name the field', async () => {
  const ctx = { stateDir: dir, defaultRealm: () => 'x' };
  const bad: Array<[unknown, RegExp]> = [
    [{ silly: {} }, /unknown or unsupported method "silly"/],
    [{ access: { rules: [] } }, /needs htpasswd or token/],
    [{ htpasswd: { realm: 'r' } }, /htpasswd.path: required/],
    [{ htpasswd: { path: join(dir, 'missing') } }, /ENOENT/],
    [{ token: {} }, /needs auth.htpasswd.path/],
    [{ htpasswd: { path: join(dir, 'htpasswd') }, token: { rootcertbundle: 'x' } }, /unknown key "rootcertbundle"/],
    [{ htpasswd: { path: join(dir, 'htpasswd') }, token: { realm: 'relative' } }, /absolute URL/],
    [{ htpasswd: { path: join(dir, 'htpasswd') }, token: { expiration: -1 } }, /expiration/],
  ];
  for (const [config, msg] of bad) await assert.rejects(authFromConfig(config, ctx), (e: Error) => e instanceof AuthConfigError && msg.test(e.message), String(msg));
  await assert.rejects(authFromConfig({ htpasswd: { path: join(dir, 'htpasswd') }, token: {} }, { stateDir: undefined, defaultRealm: () => 'x' }), /signingkey: required/);
  assert.equal(await authFromConfig(undefined, ctx), undefined);
});

test('htpasswd mode: 401 Basic challenge without or with wrong credentials, 403 DENIED when the policy refuses', async () => {
  const a = await authFromConfig(
    { htpasswd: { realm: 'my "realm"', path: join(dir, 'htpasswd') }, access: { rules: [{ account: 'alice', repositories: ['mine/*'], role: 'writer' }] } },
    { stateDir: dir, defaultRealm: () => 'x' },
  );
  assert.equal(a?.kind, 'htpasswd');
  assert.equal(a?.handler, undefined);
  const need = [repo('mine/x', 'pull', 'push')];
  const none = await a!.authenticator.authorize(undefined, need);
  assert.deepEqual(none, { ok: false, status: 401, challenge: 'Basic realm="my \\"realm\\""', code: 'UNAUTHORIZED', message: 'authentication required', detail: need });
  const wrong = await a!.authenticator.authorize(basic('alice', 'nope'), need);
  assert.equal(!wrong.ok && wrong.status, 401);
  assert.deepEqual(await a!.authenticator.authorize(basic('alice', 'apw'), need), { ok: true, subject: { name: 'alice', via: 'basic' } });
  const denied = await a!.authenticator.authorize(basic('alice', 'apw'), [repo('mine/x', 'delete')]);
  assert.deepEqual(denied, { ok: false, status: 403, code: 'DENIED', message: 'requested access to the resource is denied', detail: [repo('mine/x', 'delete')] });
  assert.deepEqual(await a!.authenticator.authorize(basic('alice', 'apw'), []), { ok: true, subject: { name: 'alice', via: 'basic' } });
  // Anonymous rules: anonymous pulls what they allow, but /v2/ still challenges.
  const anon = await authFromConfig(
    { htpasswd: { path: join(dir, 'htpasswd') }, access: { rules: [{ account: 'anonymous', repositories: ['pub/**'], role: 'reader' }] } },
    { stateDir: dir, defaultRealm: () => 'x' },
  );
  assert.deepEqual(await anon!.authenticator.authorize(undefined, [repo('pub/a', 'pull')]), { ok: true, subject: undefined });
  assert.equal((await anon!.authenticator.authorize(undefined, [repo('pub/a', 'push')])).ok, false);
  const base = await anon!.authenticator.authorize(undefined, []);
  assert.equal(!base.ok && base.status, 401);
  assert.equal((await anon!.authenticator.authorize(basic('alice', 'apw'), [repo('pub/a', 'pull')])).ok, true);
  const aliceDenied = await anon!.authenticator.authorize(basic('alice', 'apw'), [repo('pub/a', 'push')]);
  assert.equal(!aliceDenied.ok && aliceDenied.status, 403);
});

test('a configured RSA signing key signs RS256 tokens; a bad key path is a config error', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const keyPath = join(dir, 'rsa.pem');
  await writeFile(keyPath, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs1' }) as string);
  const a = await authFromConfig(
    { htpasswd: { path: join(dir, 'htpasswd') }, token: { signingkey: keyPath, service: 's', issuer: 'i' } },
    { stateDir: undefined, defaultRealm: () => 'http://r/auth/token' },
  );
  let status = 0;
  let body = '';
  const res = {
    writeHead: (s: number) => {
      status = s;
      return res;
    },
    end: (b: string) => {
      body = b;
    },
  };
  const req = Object.assign(Readable.from([]), { url: '/auth/token?service=s&scope=repository:x:pull', method: 'GET', headers: { authorization: basic('alice', 'apw') } });
  assert.equal(await a!.handler!(req as never, res as never), true);
  assert.equal(status, 200);
  const t = (JSON.parse(body) as { token: string }).token;
  assert.equal((JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()) as { alg: string }).alg, 'RS256');
  assert.equal((await a!.authenticator.authorize(`Bearer ${t}`, [repo('x', 'pull')])).ok, true);
  await writeFile(join(dir, 'dsa-ish.pem'), 'garbage');
  await assert.rejects(
    authFromConfig({ htpasswd: { path: join(dir, 'htpasswd') }, token: { signingkey: join(dir, 'dsa-ish.pem') } }, { stateDir: undefined, defaultRealm: () => 'x' }),
    /auth.token.signingkey: signing key: not a PEM private key/,
  );
});
