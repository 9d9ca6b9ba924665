import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EndpointAuth, parseChallenges } from './auth.ts';
import { Transport } from './transport.ts';
import { credentials, decodeAuthConfig, repositoryScope, type AuthConfig } from './index.ts';

test('WWW-Authenticate: schemes, quoted values with escapes and commas, several lines', () => {
  const cs = parseChallenges([
    'Bearer realm="https://auth.example/token?x=1,y=2",service="registry.example",scope="repository:a/b:pull,push"',
    'Basic realm="say \\"hi\\""',
    '   ',
  ]);
  assert.deepEqual(cs, [
    { scheme: 'bearer', params: { realm: 'https://auth.example/token?x=1,y=2', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    { scheme: 'basic', params: { realm: 'say "hi"' } },
  ]);
  assert.deepEqual(parseChallenges(['Bearer error="insufficient_scope", error_description="no"']), [
    { scheme: 'bearer', params: { error: 'insufficient_scope', error_description: 'no' } },
  ]);
  assert.deepEqual(parseChallenges(['BASIC realm=plain']), [{ scheme: 'basic', params: { realm: 'plain' } }]);
});

test('X-Registry-Auth: base64url JSON with or without padding, Docker\'s errors for bad headers', () => {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  assert.deepEqual(decodeAuthConfig(undefined), {});
  assert.deepEqual(decodeAuthConfig(''), {});
  assert.deepEqual(decodeAuthConfig(enc({ username: 'u', password: 'p', serveraddress: 'r:5000', email: '' })), { username: 'u', password: 'p', serveraddress: 'r:5000' });
  assert.deepEqual(decodeAuthConfig(Buffer.from('{"identitytoken":"t"}').toString('base64')), { identitytoken: 't' });
  assert.deepEqual(decodeAuthConfig(enc(null)), {});
  assert.throws(() => decodeAuthConfig('not base64!'), { message: 'invalid X-Registry-Auth header: illegal base64 data at input byte 3' });
  assert.throws(() => decodeAuthConfig(Buffer.from('{nope').toString('base64url')), /^InvalidParameterError: invalid X-Registry-Auth header: /);
  assert.throws(() => decodeAuthConfig(enc({ username: 5 })), /cannot unmarshal number into Go struct field AuthConfig.username of type string/);
  assert.throws(() => decodeAuthConfig(enc([1])), /invalid X-Registry-Auth header/);
  assert.deepEqual(credentials({ auth: Buffer.from('al:ice:pw').toString('base64') }), { username: 'al', password: 'ice:pw' });
  assert.equal(credentials({}), undefined);
  assert.equal(repositoryScope('library/busybox', ['pull', 'push']), 'repository:library/busybox:pull,push');
});

/** A token service recording what it was asked. */
async function tokenServer(answer: (req: { method: string; url: URL; auth?: string; body: string }) => { status: number; body: unknown }) {
  const seen: { method: string; url: URL; auth?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const r = { method: req.method!, url: new URL(req.url!, 'http://x'), auth: req.headers.authorization, body };
      seen.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return { realm, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test('Bearer: GET realm with service, scope, account and Basic credentials; the token is cached per scope', async (t) => {
  const ts = await tokenServer(() => ({ status: 200, body: { token: 'tok-1', expires_in: 300 } }));
  const tr = new Transport();
  t.after(async () => {
    tr.close();
    await ts.close();
  });
  const auth: AuthConfig = { username: 'alice', password: 'pw' };
  const ea = new EndpointAuth(tr, auth);
  ea.challenges = parseChallenges([`Bearer realm="${ts.realm}",service="reg"`]);
  const scopes = [repositoryScope('a/b', ['pull'])];
  assert.equal(await ea.header(scopes), 'Bearer tok-1');
  assert.equal(await ea.header(scopes), 'Bearer tok-1');
  assert.equal(ts.seen.length, 1, 'cached');
  const q = ts.seen[0].url.searchParams;
  assert.equal(q.get('service'), 'reg');
  assert.equal(q.get('scope'), 'repository:a/b:pull');
  assert.equal(q.get('account'), 'alice');
  assert.equal(ts.seen[0].auth, `Basic ${Buffer.from('alice:pw').toString('base64')}`);
  await ea.header([repositoryScope('a/b', ['pull', 'push'])]);
  assert.equal(ts.seen.length, 2, 'another scope, another token');
  ea.invalidate(scopes);
  await ea.header(scopes);
  assert.equal(ts.seen.length, 3);
});

test('Bearer: a refresh token is exchanged by POST (OAuth2); a response without token is an error; a registry token is sent as is', async (t) => {
  const ts = await tokenServer((r) => (r.method === 'POST' ? { status: 200, body: { access_token: 'oauth', refresh_token: 'next' } } : { status: 200, body: {} }));
  const tr = new Transport();
  t.after(async () => {
    tr.close();
    await ts.close();
  });
  const ea = new EndpointAuth(tr, { identitytoken: 'refresh-me', username: 'bob' });
  ea.challenges = parseChallenges([`Bearer realm="${ts.realm}",service="svc"`]);
  assert.equal(await ea.header(['repository:x:pull']), 'Bearer oauth');
  const form = new URLSearchParams(ts.seen[0].body);
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('refresh_token'), 'refresh-me');
  assert.equal(form.get('client_id'), 'docker');
  assert.equal(form.get('scope'), 'repository:x:pull');
  assert.equal(ea.refreshToken, 'next');
  const anon = new EndpointAuth(tr, {});
  anon.challenges = ea.challenges;
  await assert.rejects(anon.header(['repository:x:pull']), { message: 'unauthorized: authorization server did not include a token in the response' });
  const given = new EndpointAuth(tr, { registrytoken: 'rt' });
  given.challenges = ea.challenges;
  assert.equal(await given.header([]), 'Bearer rt');
  const basic = new EndpointAuth(tr, {});
  basic.challenges = parseChallenges(['Basic realm="r"']);
  await assert.rejects(basic.header([]), { message: 'no basic auth credentials' });
  const none = new EndpointAuth(tr, {});
  assert.equal(await none.header([]), undefined);
});
