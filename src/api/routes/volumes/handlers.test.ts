// The volume routes over a recording fake backend behind the real server: what reaches the
// backend, and what is refused before it with Docker's words and status.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiServer } from '../../server.ts';
import type { Filters } from '../../request.ts';
import { volumeRoutes } from './routes.ts';
import type { VolumesBackend } from './backend.ts';

const calls: Array<[string, unknown]> = [];
const backend: VolumesBackend = {
  async list(f: Filters) {
    calls.push(['list', Object.fromEntries(f)]);
    return { Volumes: [], Warnings: null };
  },
  async inspect(name) {
    calls.push(['inspect', name]);
    return { Name: name, Driver: 'local', Mountpoint: '/m', Labels: {}, Options: {}, Scope: 'local' };
  },
  async create(body) {
    calls.push(['create', body]);
    return { Name: body.Name || 'gen', Driver: 'local', Mountpoint: '/m', Labels: {}, Options: {}, Scope: 'local' };
  },
  async remove(name, opts) {
    calls.push(['remove', { name, ...opts }]);
  },
  async prune(f: Filters) {
    calls.push(['prune', Object.fromEntries(f)]);
    return { VolumesDeleted: [], SpaceReclaimed: 0 };
  },
};

const dir = mkdtempSync(join(tmpdir(), 'berth-volroutes-'));
const sock = join(dir, 's.sock');
const server = new ApiServer({ log: { debug() {}, info() {}, warn() {}, error() {} }, serverHeader: 'berth/test', routes: volumeRoutes(backend) });
await server.listenUnix(sock);
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, body?: string): Promise<{ status: number; json: any }> {
  calls.length = 0;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const q = (f: unknown) => encodeURIComponent(typeof f === 'string' ? f : JSON.stringify(f));

test('list passes the filters on; unknown keys and bad JSON are 400 before the backend', async () => {
  let r = await call('GET', `/volumes?filters=${q({ name: { x: true }, dangling: ['true'] })}`);
  assert.equal(r.status, 200);
  assert.deepEqual(calls, [['list', { name: ['x'], dangling: ['true'] }]]);
  r = await call('GET', `/volumes?filters=${q({ foo: { x: true } })}`);
  assert.deepEqual([r.status, r.json.message, calls.length], [400, "invalid filter 'foo'", 0]);
  r = await call('GET', `/volumes?filters=${q('{not json')}`);
  assert.equal(r.status, 400);
  assert.match(r.json.message, /^error reading volume filters: invalid filter/);
  assert.equal(calls.length, 0);
});

test('create: an empty body is an anonymous volume; wrong types are 400; cluster specs need a swarm', async () => {
  let r = await call('POST', '/volumes/create');
  assert.equal(r.status, 201);
  assert.deepEqual(calls, [['create', {}]]);
  r = await call('POST', '/volumes/create', JSON.stringify({ Name: 'v1', Labels: { a: 'b' } }));
  assert.equal(r.status, 201);
  assert.deepEqual(calls, [['create', { Name: 'v1', Labels: { a: 'b' } }]]);
  r = await call('POST', '/volumes/create', JSON.stringify({ Name: 5 }));
  assert.equal(r.status, 400);
  assert.match(r.json.message, /cannot unmarshal number into Go struct field .*Name of type string/);
  r = await call('POST', '/volumes/create', JSON.stringify({ DriverOpts: { o: 1 } }));
  assert.equal(r.status, 400);
  r = await call('POST', '/volumes/create', '{');
  assert.equal(r.status, 400);
  r = await call('POST', '/v1.50/volumes/create', JSON.stringify({ Name: 'c', ClusterVolumeSpec: {} }));
  assert.deepEqual([r.status, r.json.message, calls.length], [503, 'This node is not part of a swarm', 0]);
  // Before 1.42 there are no cluster volumes: the spec is ignored.
  r = await call('POST', '/v1.41/volumes/create', JSON.stringify({ Name: 'c', ClusterVolumeSpec: {} }));
  assert.equal(r.status, 201);
});

test('PUT answers as a daemon without a swarm', async () => {
  const r = await call('PUT', '/volumes/x?version=1', '{}');
  assert.deepEqual([r.status, r.json.message], [503, 'volume update only valid for cluster volumes, but swarm is unavailable']);
});

test('delete passes force; inspect passes the name', async () => {
  let r = await call('DELETE', '/volumes/v1?force=1');
  assert.equal(r.status, 204);
  assert.deepEqual(calls, [['remove', { name: 'v1', force: true }]]);
  r = await call('DELETE', '/volumes/v1');
  assert.deepEqual(calls, [['remove', { name: 'v1', force: false }]]);
  r = await call('GET', '/volumes/v1');
  assert.equal(r.json.Name, 'v1');
});

test('prune: all=true added before API 1.42; unknown filter keys refused', async () => {
  await call('POST', '/v1.41/volumes/prune');
  assert.deepEqual(calls, [['prune', { all: ['true'] }]]);
  await call('POST', `/v1.50/volumes/prune?filters=${q({ label: { a: true } })}`);
  assert.deepEqual(calls, [['prune', { label: ['a'] }]]);
  const r = await call('POST', `/volumes/prune?filters=${q({ dangling: { true: true } })}`);
  assert.deepEqual([r.status, r.json.message, calls.length], [400, "invalid filter 'dangling'", 0]);
});
