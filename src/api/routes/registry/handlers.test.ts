// The registry routes with a fake backend: what reaches the backend (credentials, the raw
// X-Registry-Auth, limit, filters, platform), Docker's input errors, and push errors before and
// after the stream started.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiServer } from '../../server.ts';
import { notFound, BerthError } from '../../../common/index.ts';
import { registryRoutes } from './routes.ts';
import type { PushRequest, RegistryBackend } from './backend.ts';

const seen: Record<string, unknown> = {};
const backend: RegistryBackend = {
  async login(auth) {
    seen.login = auth;
    if (auth.password === 'bad') throw new BerthError('Unauthorized', 'login attempt to http://h/v2/ failed with status: 401 Unauthorized');
    return { Status: 'Login Succeeded', IdentityToken: '' };
  },
  async search(term, opts) {
    seen.search = { term, limit: opts.limit, filters: Object.fromEntries(opts.filters), authHeader: opts.authHeader };
    return [{ description: 'd', is_official: false, is_automated: false, name: 'n', star_count: 1 }];
  },
  async push(req: PushRequest, progress) {
    seen.push = req;
    if (req.tag === 'early') throw notFound('No such image: x:early');
    progress({ status: 'The push refers to repository [h/x]' });
    if (req.tag === 'late') throw new Error('denied: requested access to the resource is denied');
  },
};

const dir = mkdtempSync(join(tmpdir(), 'berth-reg-api-'));
const sock = join(dir, 's.sock');
const server = new ApiServer({ log: { debug() {}, info() {}, warn() {}, error() {} }, serverHeader: 'berth/test', routes: registryRoutes(backend) });
await server.listenUnix(sock);
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: body ? { 'Content-Type': 'application/json', ...headers } : headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('POST /auth passes the credentials and answers Status and IdentityToken; 401 for bad ones', async () => {
  const ok = await call('POST', '/v1.50/auth', JSON.stringify({ username: 'u', password: 'p', serveraddress: 'h:1', identitytoken: 't', extra: 1 }));
  assert.equal(ok.status, 200);
  assert.deepEqual(JSON.parse(ok.text), { Status: 'Login Succeeded', IdentityToken: '' });
  assert.deepEqual(seen.login, { username: 'u', password: 'p', serveraddress: 'h:1', identitytoken: 't' });
  const bad = await call('POST', '/auth', JSON.stringify({ username: 'u', password: 'bad' }));
  assert.equal(bad.status, 401);
  assert.match(JSON.parse(bad.text).message, /failed with status: 401/);
  const notJson = await call('POST', '/auth', '{"username": 5}');
  assert.equal(notJson.status, 400);
});

test('GET /images/search: limit, filters and the auth header reach the backend; bad limits and filters are 400', async () => {
  const r = await call('GET', `/images/search?term=h%3A1%2Fx&limit=3&filters=${encodeURIComponent('{"stars":{"2":true}}')}`, undefined, { 'X-Registry-Auth': 'e30=' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(seen.search, { term: 'h:1/x', limit: 3, filters: { stars: ['2'] }, authHeader: 'e30=' });
  assert.equal((await call('GET', '/images/search?term=x&limit=abc')).status, 400);
  assert.equal((await call('GET', '/images/search?term=x&limit=-1')).status, 400);
  const badFilter = await call('GET', `/images/search?term=x&filters=${encodeURIComponent('{"label":{"a":true}}')}`);
  assert.equal(badFilter.status, 400);
  assert.match(JSON.parse(badFilter.text).message, /invalid filter 'label'/);
});

test('POST /images/{name}/push: name with slashes, tag, platform; errors before the stream are statuses, after it in-band', async () => {
  const r = await call('POST', `/v1.50/images/h:1/team/x/push?tag=v1&platform=${encodeURIComponent('{"os":"linux","architecture":"amd64"}')}`, undefined, { 'X-Registry-Auth': 'abc' });
  assert.equal(r.status, 200);
  const { signal, ...pushed } = seen.push as PushRequest;
  assert.ok(signal instanceof AbortSignal);
  assert.deepEqual(pushed, { name: 'h:1/team/x', tag: 'v1', platform: { os: 'linux', architecture: 'amd64', variant: undefined }, authHeader: 'abc' });
  assert.equal((await call('POST', '/images/x/push?tag=early')).status, 404);
  const late = await call('POST', '/images/x/push?tag=late');
  assert.equal(late.status, 200);
  assert.deepEqual(late.text.trim().split('\n').map((l) => JSON.parse(l)), [
    { status: 'The push refers to repository [h/x]' },
    { errorDetail: { message: 'denied: requested access to the resource is denied' }, error: 'denied: requested access to the resource is denied' },
  ]);
  const oldApi = await call('POST', `/v1.45/images/x/push?platform=${encodeURIComponent('{"os":"linux","architecture":"amd64"}')}`);
  assert.equal(oldApi.status, 400);
  assert.match(JSON.parse(oldApi.text).message, /selecting platform is not supported in API version < 1.46/);
  assert.equal((await call('POST', '/images/x/push?platform=notjson')).status, 400);
});
