// The API client against a small HTTP server on a unix socket: version negotiation, the version
// prefix, query encoding, DaemonError, one kept-alive connection, and the upgrade hijack.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { createApiClient, encodeQuery } from './client.ts';
import { ConnectionError, DaemonError } from './types.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-client-test-'));
const socketPath = join(dir, 'api.sock');
const requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
let connections = 0;
let serverVersion = '1.44';

const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': serverVersion, 'Content-Type': 'text/plain' });
      res.end('OK');
    } else if (req.url!.includes('/containers/missing/json')) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'No such container: missing' }));
    } else if (req.url!.includes('/plain-error')) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('boom\n');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ url: req.url }));
    }
  });
});
server.on('connection', () => connections++);
// Upgrade: echo what the client sends, after a greeting in the same packet as the head.
server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
  requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: '' });
  socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello ');
  socket.pipe(socket);
});
await new Promise<void>((resolve) => server.listen(socketPath, resolve));
after(async () => {
  server.close();
  server.closeAllConnections();
  await rm(dir, { recursive: true, force: true });
});

const endpoint = { host: `unix://${socketPath}`, socketPath };

test('negotiates down to the daemon version and prefixes paths', async () => {
  requests.length = 0;
  serverVersion = '1.44';
  const client = createApiClient({ endpoint });
  try {
    assert.equal(await client.apiVersion(), '1.44');
    const body = await client.json('GET', '/containers/json', { query: { all: true, limit: 5, size: undefined, filters: { label: ['a=b'] } } });
    assert.equal(body.url, '/v1.44/containers/json?all=1&limit=5&filters=%7B%22label%22%3A%5B%22a%3Db%22%5D%7D');
    assert.deepEqual(requests.map((r) => r.url), ['/_ping', body.url]);
  } finally {
    client.close();
  }
  serverVersion = '1.51';
  const newer = createApiClient({ endpoint });
  assert.equal(await newer.apiVersion(), '1.50');
  newer.close();
});

test('a fixed version (BERTH_API_VERSION) skips the ping', async () => {
  requests.length = 0;
  const client = createApiClient({ endpoint: { ...endpoint, apiVersion: '1.41' } });
  const body = await client.json('GET', '/info');
  client.close();
  assert.equal(body.url, '/v1.41/info');
  assert.deepEqual(requests.map((r) => r.url), ['/v1.41/info']);
});

test('non-2xx answers: DaemonError from call(), the response from request()', async () => {
  serverVersion = '1.50';
  const client = createApiClient({ endpoint });
  try {
    await assert.rejects(client.call('GET', '/containers/missing/json'), (err: unknown) => err instanceof DaemonError && err.status === 404 && err.message === 'No such container: missing');
    await assert.rejects(client.call('GET', '/plain-error'), (err: unknown) => err instanceof DaemonError && err.status === 500 && err.message === 'boom');
    const res = await client.request('GET', '/containers/missing/json');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { message: 'No such container: missing' });
  } finally {
    client.close();
  }
});

test('JSON bodies, and one connection for several calls', async () => {
  requests.length = 0;
  const before = connections;
  const client = createApiClient({ endpoint });
  await client.json('POST', '/containers/create', { body: { Image: 'busybox' }, query: { name: 'web' } });
  await client.json('GET', '/containers/json');
  await client.json('GET', '/images/json');
  client.close();
  const create = requests.find((r) => r.url.startsWith('/v1.50/containers/create'))!;
  assert.equal(create.url, '/v1.50/containers/create?name=web');
  assert.equal(create.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(create.body), { Image: 'busybox' });
  assert.equal(connections - before, 1);
});

test('hijack: 101, the head bytes, then a two-way stream', async () => {
  const client = createApiClient({ endpoint });
  const conn = await client.hijack('/containers/x/attach', { query: { stream: true, stdin: true } });
  assert.equal(conn.headers['content-type'], 'application/vnd.docker.raw-stream');
  const got: Buffer[] = [conn.head];
  conn.socket.on('data', (d: Buffer) => got.push(d));
  conn.socket.write('world');
  for (let i = 0; i < 100 && Buffer.concat(got).toString() !== 'hello world'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(Buffer.concat(got).toString(), 'hello world');
  const req = requests.find((r) => r.url.startsWith('/v1.50/containers/x/attach'))!;
  assert.equal(req.headers.upgrade, 'tcp');
  assert.equal(req.method, 'POST');
  conn.socket.destroy();
  client.close();
});

test('a daemon that is not there: docker\'s message with berth', async () => {
  const client = createApiClient({ endpoint: { host: `unix://${dir}/none.sock`, socketPath: join(dir, 'none.sock') } });
  await assert.rejects(client.json('GET', '/info'), (err: unknown) => err instanceof ConnectionError && err.message === `Cannot connect to the berth daemon at unix://${dir}/none.sock. Is the daemon running?`);
  client.close();
});

test('query encoding drops undefined and repeats arrays', () => {
  assert.equal(encodeQuery({ a: undefined, b: ['x', 'y'], c: false }), '?b=x&b=y&c=0');
  assert.equal(encodeQuery({}), '');
});
