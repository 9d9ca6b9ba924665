import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRoute, matchRoute } from './router.ts';

const h = async () => {};
const routes = [
  { method: 'GET' as const, path: '/containers/json', handler: h },
  { method: 'GET' as const, path: '/containers/{id}/json', handler: h },
  { method: 'GET' as const, path: '/images/{name:.*}/json', handler: h },
  { method: 'DELETE' as const, path: '/images/{name:.*}', handler: h },
].map(compileRoute);

test('routes match with their parameters, image names across slashes', () => {
  const c = matchRoute(routes, 'GET', '/containers/abc/json');
  assert.ok(c && c !== 'method-not-allowed');
  assert.deepEqual(c.params, { id: 'abc' });
  const i = matchRoute(routes, 'GET', '/images/localhost:5000/a/b:1.0/json');
  assert.ok(i && i !== 'method-not-allowed');
  assert.deepEqual(i.params, { name: 'localhost:5000/a/b:1.0' });
  const d = matchRoute(routes, 'DELETE', '/images/busybox');
  assert.ok(d && d !== 'method-not-allowed');
  assert.equal(d.params.name, 'busybox');
});

test('a known path with another method, and unknown paths, do not match', () => {
  assert.equal(matchRoute(routes, 'POST', '/containers/json'), 'method-not-allowed');
  assert.equal(matchRoute(routes, 'GET', '/nope'), undefined);
  assert.equal(matchRoute(routes, 'GET', '/containersXjson'), undefined);
});

test('HEAD is served by the GET route', () => {
  const r = matchRoute(routes, 'HEAD', '/containers/json');
  assert.ok(r && r !== 'method-not-allowed');
});
