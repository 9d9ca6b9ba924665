// The build routes over a scripted fake backend behind the real server: what the query becomes
// (moby's defaults: rm true, forcerm implies rm), the headers (registry auth configs, secrets),
// and how the stream words success, `q` and errors before and after the first message.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ApiServer } from '../../server.ts';
import type { JsonMessage } from '../../streams/json-stream.ts';
import { invalidParameter } from '../../../common/index.ts';
import { buildRoutes } from './routes.ts';
import type { BuildBackend, BuildPruneRequest, BuildRequest } from './backend.ts';

let lastBuild: BuildRequest | undefined;
let lastBody = '';
let lastPrune: BuildPruneRequest | undefined;
let cancelled: string[] = [];
/** What the fake build does: messages to send, then an error or an ID. */
let script: { messages: JsonMessage[]; fail?: Error } = { messages: [] };

const backend: BuildBackend = {
  async build(req, body, out) {
    lastBuild = req;
    const parts: Buffer[] = [];
    for await (const c of body) parts.push(Buffer.from(c));
    lastBody = Buffer.concat(parts).toString();
    for (const m of script.messages) out(m);
    if (script.fail) throw script.fail;
    return 'sha256:' + 'ab'.repeat(32);
  },
  async prune(req) {
    lastPrune = req;
    return { CachesDeleted: null, SpaceReclaimed: 0 };
  },
  async cancel(id) {
    cancelled.push(id);
  },
};

const dir = mkdtempSync(join(tmpdir(), 'berth-buildroutes-'));
const sock = join(dir, 's.sock');
const server = new ApiServer({ log: { debug() {}, info() {}, warn() {}, error() {} }, serverHeader: 'berth/test', routes: buildRoutes(backend) });
await server.listenUnix(sock);
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(path: string, body = 'tar', headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  lastBuild = undefined;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the query as moby reads it: defaults, several t, JSON values, the body streamed to the backend', async () => {
  script = { messages: [] };
  const r = await call('/build?t=a&t=b%3A2&extrahosts=h%3A1.2.3.4&nocache=1&memory=5&buildargs=%7B%22X%22%3Anull%7D&target=t&networkmode=none&buildid=id1', 'THE-TAR');
  assert.equal(r.status, 200, r.text);
  const b = lastBuild!;
  assert.deepEqual(b.tags, ['a', 'b:2']);
  assert.deepEqual(b.extraHosts, ['h:1.2.3.4']);
  assert.equal(b.remove, true, 'rm defaults to true');
  assert.equal(b.forceRemove, false);
  assert.equal(b.noCache, true);
  assert.equal(b.memory, 5);
  assert.deepEqual(b.buildArgs, { X: null });
  assert.equal(b.target, 't');
  assert.equal(b.networkMode, 'none');
  assert.equal(b.buildId, 'id1');
  assert.equal(lastBody, 'THE-TAR');
  await call('/build?rm=0');
  assert.equal(lastBuild!.remove, false);
  await call('/build?rm=0&forcerm=1');
  assert.equal(lastBuild!.remove, true, 'forcerm implies rm');
  // platform only from API 1.32.
  await call('/v1.31/build?platform=linux%2Farm64');
  assert.equal(lastBuild!.platform, '');
  await call('/v1.32/build?platform=linux%2Farm64');
  assert.equal(lastBuild!.platform, 'linux/arm64');
});

test('X-Registry-Config and X-Berth-Build-Secrets headers', async () => {
  script = { messages: [] };
  const cfg = Buffer.from(JSON.stringify({ 'reg.example:5000': { username: 'u', password: 'p' }, 'https://index.docker.io/v1/': { Username: 'hub' } })).toString('base64url');
  const secrets = Buffer.from(JSON.stringify({ tok: Buffer.from([0, 1, 2, 255]).toString('base64') })).toString('base64');
  await call('/build', 'x', { 'X-Registry-Config': cfg, 'X-Berth-Build-Secrets': secrets });
  assert.equal(lastBuild!.authConfigs['reg.example:5000'].username, 'u');
  assert.equal(lastBuild!.authConfigs['https://index.docker.io/v1/'].username, 'hub');
  assert.deepEqual([...lastBuild!.secrets.get('tok')!], [0, 1, 2, 255]);
  const bad = await call('/build', 'x', { 'X-Berth-Build-Secrets': Buffer.from('[1]').toString('base64') });
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).message, 'invalid X-Berth-Build-Secrets header: not a JSON object');
});

test('the stream: messages as sent; aux left out before 1.30; errors before output get a status, after it go in-band', async () => {
  script = { messages: [{ stream: 'Step 1/1 : FROM x\n' }, { aux: { ID: 'sha256:1' } }] };
  const ok = await call('/build');
  assert.equal(ok.text, '{"stream":"Step 1/1 : FROM x\\n"}\n{"aux":{"ID":"sha256:1"}}\n');
  const old = await call('/v1.29/build');
  assert.equal(old.text, '{"stream":"Step 1/1 : FROM x\\n"}\n');
  script = { messages: [], fail: invalidParameter('dockerfile parse error on line 1: unknown instruction: X') };
  const early = await call('/build');
  assert.equal(early.status, 400);
  assert.equal(JSON.parse(early.text).message, 'dockerfile parse error on line 1: unknown instruction: X');
  const runFailed = Object.assign(new Error("The command '/bin/sh -c false' returned a non-zero code: 1"), { code: 1 });
  script = { messages: [{ stream: 'Step 1/1 : RUN false\n' }], fail: runFailed };
  const late = await call('/build');
  assert.equal(late.status, 200);
  assert.equal(late.text.split('\n')[1], '{"errorDetail":{"code":1,"message":"The command \'/bin/sh -c false\' returned a non-zero code: 1"},"error":"The command \'/bin/sh -c false\' returned a non-zero code: 1"}');
});

test('q: the held stream only on failure, else the ID alone', async () => {
  script = { messages: [{ stream: 'Step 1/1 : FROM x\n' }, { aux: { ID: 'sha256:1' } }] };
  const ok = await call('/build?q=1');
  assert.equal(ok.text, `{"stream":"sha256:${'ab'.repeat(32)}\\n"}\n`);
  script = { messages: [{ stream: 'Step 1/1 : FROM x\n' }], fail: new Error('boom') };
  const bad = await call('/build?q=true');
  assert.equal(bad.status, 200);
  assert.equal(bad.text, '{"stream":"Step 1/1 : FROM x\\n"}\n{"errorDetail":{"message":"boom"},"error":"boom"}\n');
});

test('/build/prune reads keep-storage, reserved-space (1.48+) and filters; /build/cancel needs an id', async () => {
  const prune = (q: string, v = '') => new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ socketPath: sock, method: 'POST', path: `${v}/build/prune?${q}` }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal((await prune('all=1&keep-storage=10&filters=%7B%22type%22%3A%5B%22regular%22%5D%7D')).status, 200);
  assert.deepEqual({ ...lastPrune!, filters: Object.fromEntries(lastPrune!.filters) }, { all: true, filters: { type: ['regular'] }, reservedSpace: 10, maxUsedSpace: 0, minFreeSpace: 0 });
  await prune('reserved-space=7&max-used-space=8&min-free-space=9');
  assert.equal(lastPrune!.reservedSpace, 7);
  assert.equal(lastPrune!.maxUsedSpace, 8);
  await prune('reserved-space=7', '/v1.47');
  assert.equal(lastPrune!.reservedSpace, 0, 'before 1.48 only keep-storage counts');
  cancelled = [];
  const c = await call('/build/cancel?id=abc');
  assert.equal(c.status, 200);
  assert.deepEqual(cancelled, ['abc']);
  const none = await call('/build/cancel');
  assert.equal(none.status, 400);
  assert.equal(JSON.parse(none.text).message, 'build ID not provided');
});
