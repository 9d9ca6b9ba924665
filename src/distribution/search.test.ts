// Search over a fake v1 search API on loopback: the term's registry and remote name, limit
// defaults and range, filters, credentials, and the errors of a registry without the API.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { RegistryClient } from './registry-client.ts';
import { RegistryConfig } from './registry-config.ts';
import { searchRegistry, splitSearchTerm } from './search.ts';

const requests: { url: string; auth?: string; token?: string }[] = [];
let tokenForm = '';
const server = createServer(async (req, res) => {
  requests.push({ url: req.url ?? '', auth: req.headers.authorization, token: req.headers['x-docker-token'] as string | undefined });
  const u = new URL(req.url ?? '/', 'http://x');
  if (u.pathname === '/v1/_ping') return res.end();
  if (u.pathname === '/v2/') {
    res.statusCode = 401;
    res.setHeader('WWW-Authenticate', `Bearer realm="http://${req.headers.host}/token",service="reg"`);
    return res.end();
  }
  if (u.pathname === '/token' && req.method === 'POST') {
    tokenForm = '';
    for await (const c of req) tokenForm += String(c);
    const f = new URLSearchParams(tokenForm);
    if (f.get('refresh_token') === 'idt' && f.get('scope') === 'registry:catalog:search') return res.end('{"access_token":"search-token"}');
    res.statusCode = 401;
    return res.end();
  }
  if (u.searchParams.get('q') === 'secure' && req.headers.authorization !== 'Bearer search-token') {
    res.statusCode = 401;
    return res.end();
  }
  if (u.pathname === '/v1/search' && u.searchParams.get('q') !== 'gone') {
    return res.end(JSON.stringify({ results: [
      { name: 'a/one', description: 'first', star_count: 2, is_official: true, is_automated: true },
      { name: 'a/two', description: 'second', star_count: 7, is_official: false },
      'junk',
    ] }));
  }
  res.statusCode = 404;
  res.end('404 page not found');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
after(() => server.close());
// 127.0.0.0/8 is insecure by default: https fails (plain HTTP server), then http.
const client = new RegistryClient(new RegistryConfig({}));

test('the term names the registry as moby splits it', () => {
  assert.deepEqual(splitSearchTerm('busybox'), { index: 'docker.io', remote: 'busybox' });
  assert.deepEqual(splitSearchTerm('user/app'), { index: 'docker.io', remote: 'user/app' });
  assert.deepEqual(splitSearchTerm('localhost/app'), { index: 'localhost', remote: 'app' });
  assert.deepEqual(splitSearchTerm('h:5000/a/b'), { index: 'h:5000', remote: 'a/b' });
});

test('results, default limit 25, credentials as Basic, is_automated forced false', async () => {
  requests.length = 0;
  const r = await searchRegistry(client, `${host}/a`, { limit: 0, filters: new Map(), auth: { username: 'u', password: 'p' } });
  assert.deepEqual(r.map((x) => [x.name, x.star_count, x.is_official, x.is_automated]), [['a/one', 2, true, false], ['a/two', 7, false, false]]);
  const q = requests.find((x) => x.url.startsWith('/v1/search'))!;
  assert.equal(q.url, '/v1/search?q=a&n=25');
  assert.equal(q.token, 'true');
  assert.equal(q.auth, `Basic ${Buffer.from('u:p').toString('base64')}`);
});

test('filters: is-official, stars (the highest wins), is-automated=true yields nothing; bad values are refused', async () => {
  const f = (o: Record<string, string[]>) => searchRegistry(client, `${host}/a`, { limit: 10, filters: new Map(Object.entries(o)), auth: {} });
  assert.deepEqual((await f({ 'is-official': ['true'] })).map((x) => x.name), ['a/one']);
  assert.deepEqual((await f({ 'is-official': ['0'] })).map((x) => x.name), ['a/two']);
  assert.deepEqual((await f({ stars: ['1', '5'] })).map((x) => x.name), ['a/two']);
  assert.deepEqual(await f({ 'is-automated': ['true'] }), []);
  await assert.rejects(f({ 'is-official': ['yes'] }), /invalid filter 'is-official=yes'/);
  await assert.rejects(f({ 'is-official': ['true', 'false'] }), /invalid filter 'is-official=true,false'/);
  await assert.rejects(f({ stars: ['many'] }), /invalid filter 'stars=many'/);
});

test('limit range, a scheme in the term, and a registry without the search API', async () => {
  await assert.rejects(searchRegistry(client, `${host}/a`, { limit: 101, filters: new Map(), auth: {} }), /limit 101 is outside the range of \[1, 100\]/);
  await assert.rejects(searchRegistry(client, `http://${host}/a`, { limit: 1, filters: new Map(), auth: {} }), /should not have a scheme/);
  await assert.rejects(searchRegistry(client, `${host}/gone`, { limit: 1, filters: new Map(), auth: {} }), /^Error: unexpected status code 404$|unexpected status code 404/);
});

test('with an identity token the search carries a v2 token for registry:catalog:search', async () => {
  await assert.rejects(searchRegistry(client, `${host}/secure`, { limit: 1, filters: new Map(), auth: {} }), /unexpected status code 401/);
  const r = await searchRegistry(client, `${host}/secure`, { limit: 5, filters: new Map(), auth: { username: 'u', identitytoken: 'idt' } });
  assert.equal(r.length, 2);
  assert.match(tokenForm, /grant_type=refresh_token/);
});
