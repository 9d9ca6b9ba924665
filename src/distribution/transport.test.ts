import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transport } from './transport.ts';
import { readCertsDir } from './certs-dir.ts';
import { RegistryClient, RegistryConfig, RegistryError, TransportError, UnexpectedResponseError, continueOnError, readBody, registryErrorFromResponse, type HttpResponse } from './index.ts';

async function serve(host: string, handler: (req: { url: string; headers: IncomingHttpHeaders }, res: import('node:http').ServerResponse) => void): Promise<{ base: string; server: Server }> {
  const server = createServer((req, res) => handler({ url: req.url ?? '', headers: req.headers }, res));
  await new Promise<void>((r) => server.listen(0, host, r));
  return { base: `http://${host}:${(server.address() as AddressInfo).port}`, server };
}

const close = (s: Server) => new Promise<void>((r) => {
  s.closeAllConnections();
  s.close(() => r());
});

test('redirects are followed; Authorization goes to the same host only', async (t) => {
  const seen: IncomingHttpHeaders[] = [];
  const storage = await serve('127.0.0.2', (req, res) => {
    seen.push(req.headers);
    res.end('blob bytes');
  });
  const reg = await serve('127.0.0.1', (req, res) => {
    if (req.url === '/same') {
      res.writeHead(307, { Location: '/final' }).end();
      return;
    }
    if (req.url === '/final') {
      res.end(String(req.headers.authorization));
      return;
    }
    res.writeHead(307, { Location: `${storage.base}/blob` }).end();
  });
  const tr = new Transport();
  t.after(async () => {
    tr.close();
    await close(storage.server);
    await close(reg.server);
  });
  const other = await tr.request(new URL(`${reg.base}/v2/x/blobs/sha256:1`), { headers: { Authorization: 'Bearer secret' } });
  assert.equal((await readBody(other, 100)).toString(), 'blob bytes');
  assert.equal(seen[0].authorization, undefined);
  const same = await tr.request(new URL(`${reg.base}/same`), { headers: { Authorization: 'Bearer secret' } });
  assert.equal((await readBody(same, 100)).toString(), 'Bearer secret');
});

test('bodies are bounded; transport failures are TransportError in Go\'s words', async (t) => {
  const big = await serve('127.0.0.1', (_req, res) => res.end(Buffer.alloc(2000)));
  const tr = new Transport();
  t.after(async () => {
    tr.close();
    await close(big.server);
  });
  const res = await tr.request(new URL(big.base));
  await assert.rejects(readBody(res, 1000), /too large: 2000 bytes/);
  const port = Number(new URL(big.base).port);
  await close(big.server);
  await assert.rejects(tr.request(new URL(`http://127.0.0.1:${port}/`)), (e: unknown) => e instanceof TransportError && e.message === `Get "http://127.0.0.1:${port}/": dial tcp 127.0.0.1:${port}: connect: connection refused`);
});

test('https to a plain HTTP server says so; an insecure registry then falls back to http', async (t) => {
  const plain = await serve('127.0.0.1', (req, res) => {
    if (req.url === '/v2/') {
      res.end('{}');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  });
  t.after(() => close(plain.server));
  const host = new URL(plain.base).host;
  const client = new RegistryClient(new RegistryConfig());
  const tried: string[] = [];
  await assert.rejects(
    client.withEndpoints(host, { path: 'x', auth: {}, actions: ['pull'] }, async (s) => {
      tried.push(s.endpoint.base);
      return s.getManifest('latest');
    }),
    (e: unknown) => e instanceof RegistryError && e.message === 'manifest unknown: manifest unknown',
  );
  assert.deepEqual(tried, [`https://${host}`, `http://${host}`]);
  const tr = new Transport({ verify: false });
  t.after(() => tr.close());
  await assert.rejects(tr.request(new URL(`https://${host}/v2/`)), { message: `Get "https://${host}/v2/": http: server gave HTTP response to HTTPS client` });
});

function fakeResponse(status: number, body: string, rawHeaders: string[] = []): HttpResponse {
  async function* gen() {
    yield Buffer.from(body);
  }
  const stream = Object.assign(gen(), { destroy() {}, statusMessage: '' });
  return { status, headers: {}, rawHeaders, url: new URL('http://r/'), body: stream as unknown as HttpResponse['body'] };
}

test('registry errors read as docker/distribution\'s client reads them', async () => {
  const e1 = await registryErrorFromResponse(fakeResponse(404, '{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry","detail":{"name":"x"}}]}'));
  assert.ok(e1 instanceof RegistryError);
  assert.equal(e1.message, 'name unknown: repository name not known to registry');
  assert.equal((e1 as RegistryError).code, 'NAME_UNKNOWN');
  const e2 = await registryErrorFromResponse(fakeResponse(401, '', ['WWW-Authenticate', 'Bearer realm="x",error="insufficient_scope"']));
  assert.equal(e2.message, 'denied: requested access to the resource is denied');
  const e3 = await registryErrorFromResponse(fakeResponse(404, 'page not found'));
  assert.ok(e3 instanceof UnexpectedResponseError);
  assert.equal(e3.message, 'error parsing HTTP 404 response body: invalid character \'p\' looking for beginning of value: "page not found"');
  const e4 = await registryErrorFromResponse(fakeResponse(500, 'boom'));
  assert.equal(e4.message, 'received unexpected HTTP status: 500 Internal Server Error');
  const e5 = await registryErrorFromResponse(fakeResponse(401, 'nope'));
  assert.equal(e5.message, 'unauthorized: authentication required');
  const e6 = await registryErrorFromResponse(fakeResponse(429, '{"details":"slow down"}'));
  assert.equal(e6.message, 'toomanyrequests: slow down');
  const e7 = await registryErrorFromResponse(fakeResponse(400, '{"errors":[{"code":"SOMETHING_NEW","message":"m"}]}'));
  assert.equal(e7.message, 'unknown: m');
  // which errors let the next endpoint be tried (moby's continueOnError)
  assert.equal(continueOnError(e1, false), false);
  assert.equal(continueOnError(e1, true), true);
  assert.equal(continueOnError(e3, false), true);
  assert.equal(continueOnError(new TransportError('x'), false), true);
});

test('certs.d: *.crt are CAs on top of the system ones; a client pair needs both halves', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-certsd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  assert.deepEqual(await readCertsDir(dir, 'none:5000'), {});
  assert.deepEqual(await readCertsDir(dir, '../etc'), {});
  await mkdir(join(dir, 'reg:5000'));
  await writeFile(join(dir, 'reg:5000', 'ca.crt'), 'CA PEM');
  const ca = await readCertsDir(dir, 'reg:5000');
  assert.ok(ca.ca && ca.ca.length > 1 && ca.ca.at(-1) === 'CA PEM');
  await writeFile(join(dir, 'reg:5000', 'me.key'), 'KEY');
  await assert.rejects(readCertsDir(dir, 'reg:5000'), { message: 'missing client certificate me.cert for key me.key' });
  await writeFile(join(dir, 'reg:5000', 'me.cert'), 'CERT');
  const pair = await readCertsDir(dir, 'reg:5000');
  assert.equal(pair.cert?.toString(), 'CERT');
  assert.equal(pair.key?.toString(), 'KEY');
  await writeFile(join(dir, 'reg:5000', 'other.cert'), 'C2');
  await assert.rejects(readCertsDir(dir, 'reg:5000'), { message: 'missing key other.key for client certificate other.cert. CA certificates must use the extension .crt' });
});
