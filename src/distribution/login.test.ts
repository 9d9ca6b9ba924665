// POST /auth's check against fake registries on loopback: Basic (right and wrong password, no
// challenge at all), Bearer with a token service (offline token becomes the identity token,
// refused credentials), and the endpoint rules (https first, http for an insecure registry).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { RegistryClient } from './registry-client.ts';
import { RegistryConfig } from './registry-config.ts';
import { login } from './login.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const seen: { url: string; auth?: string }[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer((req, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    handler(req, res);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  after(() => s.close());
  return `127.0.0.1:${(s.address() as { port: number }).port}`;
}

const client = new RegistryClient(new RegistryConfig({}));

const basicHost = await serve((req, res) => {
  if (req.headers.authorization === basic('u', 'p')) return res.end('{}');
  res.statusCode = 401;
  res.setHeader('WWW-Authenticate', 'Basic realm="r"');
  res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
});

let tokenHost = '';
const bearerHost = await serve((req, res) => {
  if (req.headers.authorization === 'Bearer good-token') return res.end('{}');
  res.statusCode = 401;
  res.setHeader('WWW-Authenticate', `Bearer realm="http://${tokenHost}/token",service="reg"`);
  res.end();
});
tokenHost = await serve((req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  if (req.headers.authorization === basic('u', 'p') && u.searchParams.get('offline_token') === 'true' && u.searchParams.get('service') === 'reg') {
    return res.end(JSON.stringify({ token: 'good-token', refresh_token: 'refresh-1' }));
  }
  res.statusCode = 401;
  res.setHeader('Content-Type', 'application/json');
  res.end('{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}');
});

const openHost = await serve((_req, res) => res.end('{}'));

test('Basic: right password succeeds, a wrong one is 401 with moby\'s words (http after the https attempt)', async () => {
  assert.deepEqual(await login(client, { username: 'u', password: 'p', serveraddress: basicHost }), { Status: 'Login Succeeded', IdentityToken: '' });
  await assert.rejects(login(client, { username: 'u', password: 'x', serveraddress: basicHost }), (err: Error & { kind?: string }) => {
    assert.equal(err.message, `login attempt to http://${basicHost}/v2/ failed with status: 401 Unauthorized`);
    assert.equal(err.kind, 'Unauthorized');
    return true;
  });
  // The serveraddress may be a URL.
  assert.equal((await login(client, { username: 'u', password: 'p', serveraddress: `http://${basicHost}/v1/` })).Status, 'Login Succeeded');
});

test('Bearer: the token service is asked with the credentials and offline_token; its refresh token is the identity token', async () => {
  seen.length = 0;
  assert.deepEqual(await login(client, { username: 'u', password: 'p', serveraddress: bearerHost }), { Status: 'Login Succeeded', IdentityToken: 'refresh-1' });
  const tokenCall = seen.find((s) => s.url.startsWith('/token'))!;
  assert.match(tokenCall.url, /client_id=docker/);
  assert.match(tokenCall.url, /account=u/);
  await assert.rejects(login(client, { username: 'u', password: 'x', serveraddress: bearerHost }), (err: Error & { kind?: string }) => {
    assert.equal(err.message, `Get "http://${bearerHost}/v2/": unauthorized: incorrect username or password`);
    assert.equal(err.kind, 'Unauthorized');
    return true;
  });
});

test('a registry without auth accepts anyone; a bad address and an unreachable registry fail', async () => {
  assert.equal((await login(client, { serveraddress: openHost })).Status, 'Login Succeeded');
  await assert.rejects(login(client, { username: 'u', password: 'p', serveraddress: 'http://[bad' }), /unable to parse server address/);
  await assert.rejects(login(client, { username: 'u', password: 'p', serveraddress: '127.0.0.1:1' }), /connection refused/);
});
