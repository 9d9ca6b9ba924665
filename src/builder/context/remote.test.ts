// The `remote` context: a tarball (any compression) or a plain Dockerfile over loopback HTTP,
// told apart by Content-Type or by sniffing; bad statuses, types and sizes refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeTar } from './context.test-helpers.ts';
import { receiveRemoteContext } from './remote.ts';

let tmp: string;
let server: Server;
let base: string;
let n = 0;
const routes = new Map<string, { type?: string; body: Buffer }>();
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-remote-'));
  server = createServer((rq, res) => {
    const r = routes.get(rq.url ?? '');
    if (!r) {
      res.writeHead(404);
      res.end('not here');
      return;
    }
    res.writeHead(200, r.type ? { 'content-type': r.type } : {});
    res.end(r.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tar = await makeTar([{ name: 'Dockerfile', data: 'FROM tarball' }, { name: 'file.txt', data: 'hi' }]);
  routes.set('/ctx.tar', { type: 'application/x-tar', body: tar });
  routes.set('/ctx.tar.gz', { type: 'application/octet-stream', body: gzipSync(tar) });
  routes.set('/ctx.tar.xz', { body: execFileSync('xz', ['-c'], { input: tar }) });
  routes.set('/Dockerfile', { type: 'application/octet-stream', body: Buffer.from('FROM plain\nRUN true\n') });
  routes.set('/Dockerfile.txt', { type: 'text/plain; charset=utf-8', body: Buffer.from('FROM text') });
  routes.set('/page.html', { type: 'text/html', body: Buffer.from('<html></html>') });
  routes.set('/empty', { type: 'application/x-tar', body: Buffer.alloc(0) });
});
after(() => {
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const dir = () => join(tmp, `r${++n}`);

test('a tarball by Content-Type or sniffed, in any compression', async () => {
  for (const path of ['/ctx.tar', '/ctx.tar.gz', '/ctx.tar.xz']) {
    const ctx = await receiveRemoteContext(`${base}${path}`, { dir: dir() });
    try {
      assert.equal(await ctx.dockerfile(), 'FROM tarball', path);
      assert.notEqual(ctx.entry('file.txt'), undefined);
    } finally {
      await ctx.close();
    }
  }
});

test('a plain Dockerfile becomes the context\'s only file', async () => {
  for (const [path, text] of [['/Dockerfile', 'FROM plain\nRUN true\n'], ['/Dockerfile.txt', 'FROM text']]) {
    const ctx = await receiveRemoteContext(`${base}${path}`, { dir: dir() });
    try {
      assert.equal(await ctx.dockerfile(), text);
      assert.deepEqual(readdirSync(ctx.dir), ['Dockerfile']);
    } finally {
      await ctx.close();
    }
  }
});

test('errors: status, content type, empty body, size, git and non-URLs', async () => {
  await assert.rejects(receiveRemoteContext(`${base}/nope`, { dir: dir() }),
    /error downloading remote context http:\/\/127\.0\.0\.1:\d+\/nope: failed to GET .* with status 404 Not Found: not here/);
  await assert.rejects(receiveRemoteContext(`${base}/page.html`, { dir: dir() }), /unsupported Content-Type "text\/html"/);
  await assert.rejects(receiveRemoteContext(`${base}/empty`, { dir: dir() }), /empty response/);
  await assert.rejects(receiveRemoteContext(`${base}/ctx.tar`, { dir: dir(), maxDownload: 100 }), /larger than the limit of 100 bytes/);
  await assert.rejects(receiveRemoteContext('git@github.com:x/y.git', { dir: dir() }), /git contexts are not supported/);
  await assert.rejects(receiveRemoteContext('ftp://x/y', { dir: dir() }), /remoteURL \(ftp:\/\/x\/y\) could not be recognized as URL/);
  assert.deepEqual(readdirSync(tmp), [], 'nothing left behind');
});
