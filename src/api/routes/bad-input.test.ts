// Bad request bodies and queries never reach a backend: the real route tables over fake
// backends that record every call, behind the real server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiServer } from '../server.ts';
import { containerRoutes } from './containers/routes.ts';
import { networkRoutes } from './networks/routes.ts';
import { execRoutes } from './exec/routes.ts';
import type { ContainersBackend } from './containers/backend.ts';
import type { NetworksBackend } from './networks/backend.ts';
import type { ExecBackend } from './exec/backend.ts';

const calls: string[] = [];
/** A backend whose every method records its name and succeeds with an empty answer. */
function recorder<T extends object>(): T {
  return new Proxy({}, {
    get: (_t, name) => (name === 'then' ? undefined : async () => {
      calls.push(String(name));
      return name === 'list' ? [] : { Id: 'x', Warnings: [], Warning: '' };
    }),
  }) as T;
}

const dir = mkdtempSync(join(tmpdir(), 'berth-bad-'));
const sock = join(dir, 's.sock');
const server = new ApiServer({
  log: { debug() {}, info() {}, warn() {}, error() {} },
  serverHeader: 'berth/test',
  routes: [...containerRoutes(recorder<ContainersBackend>()), ...networkRoutes(recorder<NetworksBackend>()), ...execRoutes(recorder<ExecBackend>())],
});
await server.listenUnix(sock);
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, body?: unknown): Promise<{ status: number; message: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, message: text ? (JSON.parse(text) as { message?: string }).message ?? '' : '' }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
  });
}

async function refused(method: string, path: string, body: unknown, message: RegExp): Promise<void> {
  calls.length = 0;
  const r = await call(method, path, body);
  assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)?.slice(0, 100)}: ${r.message}`);
  assert.match(r.message, message);
  assert.deepEqual(calls, [], 'the backend was called');
}

const create = (extra: Record<string, unknown>) => ({ Image: 'busybox', ...extra });

test('create bodies with wrong JSON types are a 400 in Go\'s words before the backend (bug 4)', async () => {
  await refused('POST', '/v1.50/containers/create', create({ HostConfig: { PidMode: 1 } }), /^json: cannot unmarshal number into Go struct field HostConfig\.HostConfig\.PidMode of type string$/);
  await refused('POST', '/containers/create', create({ HostConfig: { IpcMode: 1 } }), /HostConfig\.IpcMode of type string/);
  await refused('POST', '/containers/create', create({ HostConfig: { NetworkMode: 1 } }), /HostConfig\.NetworkMode of type string/);
  await refused('POST', '/containers/create', create({ HostConfig: { LogConfig: 'abc' } }), /HostConfig\.LogConfig of type LogConfig/);
  await refused('POST', '/containers/create', create({ HostConfig: { Privileged: 'abc' } }), /^json: cannot unmarshal string into Go struct field HostConfig\.HostConfig\.Privileged of type bool$/);
  await refused('POST', '/containers/create', create({ HostConfig: { Binds: 12345 } }), /HostConfig\.Binds of type \[\]string/);
  await refused('POST', '/containers/create', create({ HostConfig: { PortBindings: 'x' } }), /HostConfig\.PortBindings/);
  await refused('POST', '/containers/create', create({ Env: 'A=1' }), /CreateRequest\.Env of type \[\]string/);
  await refused('POST', '/containers/create', create({ Cmd: 12 }), /CreateRequest\.Cmd/);
});

test('a string Cmd is accepted, as moby\'s StrSlice does', async () => {
  calls.length = 0;
  const r = await call('POST', '/containers/create', create({ Cmd: 'echo hi' }));
  assert.equal(r.status, 201, r.message);
  assert.deepEqual(calls, ['create']);
});

test('an invalid exposed port is refused at create (bug 3)', async () => {
  await refused('POST', '/containers/create', create({ ExposedPorts: { a: {} } }), /^invalid port specification: "a"$/);
  await refused('POST', '/containers/create', create({ HostConfig: { PortBindings: { b: [] } } }), /invalid port specification: "b"/);
});

test('queries are checked: an out-of-range stop timeout is a 400 (bug 4)', async () => {
  await refused('POST', '/containers/abc/stop?t=99999999999999999999999', undefined, /^strconv\.Atoi: parsing "99999999999999999999999": value out of range$/);
  await refused('POST', '/containers/abc/restart?t=x', undefined, /invalid syntax/);
  await refused('GET', '/containers/json?limit=1.5', undefined, /invalid syntax/);
});

test('a huge network name is refused before anything is created, and not echoed (bug 4)', async () => {
  const name = 'n'.repeat(1024 * 1024);
  calls.length = 0;
  const r = await call('POST', '/networks/create', { Name: name });
  assert.equal(r.status, 400);
  assert.ok(r.message.length < 200, `message of ${r.message.length} characters`);
  assert.match(r.message, /network name is too long/);
  assert.deepEqual(calls, []);
});

test('no error message echoes an unbounded value', async () => {
  const big = 'v'.repeat(1024 * 1024);
  for (const [method, path, body] of [
    ['POST', `/containers/create`, create({ ExposedPorts: { [big]: {} } })],
    ['POST', `/containers/abc/stop?t=${'9'.repeat(8000)}`, undefined],
    ['GET', `/containers/json?filters=${'{'.repeat(8000)}`, undefined],
  ] as const) {
    const r = await call(method, path, body);
    assert.equal(r.status, 400, `${method} ${path.slice(0, 40)}`);
    assert.ok(r.message.length < 300, `${method} ${path.slice(0, 40)}: message of ${r.message.length} characters`);
  }
});

test('exec and network bodies are checked too', async () => {
  await refused('POST', '/containers/abc/exec', { Cmd: 'ls' }, /ExecOptions\.Cmd of type \[\]string/);
  await refused('POST', '/networks/create', { Name: 'n', Internal: 'yes' }, /CreateRequest\.Internal of type bool/);
  await refused('POST', '/networks/n/connect', { Container: 5 }, /ConnectOptions\.Container of type string/);
});
