// The server without a daemon: version prefixes, the error mapper, and the upgrade hijack,
// against routes with fake handlers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiServer } from './server.ts';
import { conflict, notFound } from '../common/index.ts';
import { BODIES } from './validate/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'berth-api-'));
const sock = join(dir, 's.sock');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const server = new ApiServer({
  log: quiet,
  serverHeader: 'berth/test',
  routes: [
    { method: 'GET', path: '/things/{id}', handler: async (ctx) => ctx.reply(200, { id: ctx.params.id, version: ctx.version }) },
    { method: 'DELETE', path: '/things/{id}', handler: async () => { throw conflict('thing is busy'); } },
    { method: 'GET', path: '/missing', handler: async () => { throw notFound('No such thing: x'); } },
    { method: 'GET', path: '/boom', handler: async () => { throw new Error('kaput'); } },
    { method: 'POST', path: '/echo', handler: async (ctx) => ctx.reply(200, await ctx.jsonBody(BODIES.ExecStartConfig)) },
    {
      method: 'POST', path: '/hijack', handler: async (ctx) => {
        const body = await ctx.optionalJsonBody(BODIES.ExecStartConfig);
        const { socket } = await ctx.hijack({ multiplexed: false });
        socket.write(`body=${JSON.stringify(body)};`);
        socket.once('data', (d) => socket.end(`echo=${d}`));
      },
    },
  ],
});
await server.listenUnix(sock);
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, path: string, body?: string): Promise<{ status: number; json: any; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('paths work with and without a version prefix; the version reaches the handler', async () => {
  assert.deepEqual((await call('GET', '/things/a')).json, { id: 'a', version: '1.50' });
  assert.deepEqual((await call('GET', '/v1.41/things/b')).json, { id: 'b', version: '1.41' });
  const r = await call('GET', '/v1.24/things/c');
  assert.equal(r.headers['api-version'], '1.50');
});

test('versions outside 1.24..1.50 are refused with 400', async () => {
  assert.equal((await call('GET', '/v1.51/things/a')).status, 400);
  assert.equal((await call('GET', '/v1.23/things/a')).status, 400);
});

test('errors map to Docker statuses with {"message"}', async () => {
  assert.deepEqual(await call('DELETE', '/things/a').then((r) => [r.status, r.json]), [409, { message: 'thing is busy' }]);
  assert.deepEqual(await call('GET', '/missing').then((r) => [r.status, r.json]), [404, { message: 'No such thing: x' }]);
  assert.deepEqual(await call('GET', '/boom').then((r) => [r.status, r.json]), [500, { message: 'kaput' }]);
  assert.equal((await call('GET', '/nowhere')).status, 404);
});

test('malformed JSON bodies are a 400', async () => {
  const r = await call('POST', '/echo', '{"a":');
  assert.equal(r.status, 400);
  assert.match(r.json.message, /invalid JSON/);
  assert.deepEqual((await call('POST', '/echo', '{"a":1}')).json, { a: 1 });
});

test('an upgrade request gets 101 UPGRADED and a raw two-way stream after its body', async () => {
  const body = '{"Detach":false}';
  const s = connect(sock);
  let got = '';
  s.on('data', (d) => {
    got += d;
    if (got.includes('body=')) s.write('ping');
  });
  s.write(`POST /v1.50/hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  await new Promise((r) => s.on('close', r));
  assert.match(got, /^HTTP\/1.1 101 UPGRADED\r\n/);
  assert.match(got, /Content-Type: application\/vnd.docker.raw-stream/);
  assert.match(got, /body=\{"Detach":false\};echo=ping$/);
});

/** Sends raw bytes and collects everything until the server closes or answers with a full response. */
function raw(bytes: string | Buffer, opts: { endAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(sock);
    let got = '';
    s.on('data', (d) => {
      got += d;
      // One answer is enough: the server closes upgrade connections, keep-alive ones stay open.
      // (Content-Length may be the last header, as in Go's replies.)
      const m = /\r\nContent-Length: (\d+)\r\n/.exec(got);
      if (m && got.includes('\r\n\r\n') && got.length >= got.indexOf('\r\n\r\n') + 4 + Number(m[1])) s.destroy();
      if (/Transfer-Encoding: chunked\r\n/.test(got) && got.endsWith('\r\n0\r\n\r\n')) s.destroy();
    });
    s.on('error', reject);
    s.on('close', () => resolve(got));
    s.write(bytes);
    if (opts.endAfterWrite) s.end();
  });
}

test('a request whose URL cannot be parsed still gets an answer (bug 5: GET //v1.99 hung)', async () => {
  const got = await raw('GET //v1.99 HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(got, /^HTTP\/1.1 404 /);
  assert.match(got, /"message":"page not found"/);
  const bad = await raw('GET /things/%zz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(bad, /^HTTP\/1.1 400 /);
});

test('an upgrade request body over the limit is refused before it is read (bug 6)', async () => {
  const size = 17 * 1024 * 1024;
  const got = await raw(`POST /v1.50/hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n{"a":"`);
  assert.match(got, /^HTTP\/1.1 400 /);
  assert.match(got, /request body too large/);
});

test('an upgrade request body arriving in many small pieces is read whole', async () => {
  const value = 'x'.repeat(200_000);
  const body = JSON.stringify({ Detach: false, v: value });
  const s = connect(sock);
  let got = '';
  s.on('data', (d) => {
    got += d;
    if (got.includes('body=')) s.write('ping');
  });
  s.write(`POST /v1.50/hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  for (let i = 0; i < body.length; i += 1000) {
    s.write(body.slice(i, i + 1000));
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => s.on('close', r));
  assert.match(got, /^HTTP\/1.1 101 UPGRADED\r\n/);
  assert.ok(got.includes(`body=${body};echo=ping`));
});
