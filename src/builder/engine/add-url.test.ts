// ADD <url>: the step is keyed by the content behind the URL (downloaded before the probe, as
// moby's classic builder does), or by --checksum when given. Loopback server only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { build, harness } from './fakes.test-helpers.ts';

test('ADD <url>: cached while the content is the same, rebuilt when it changes; --checksum keys without a download', async () => {
  let body = 'v1';
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/file.txt`;
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const df = `FROM busybox\nADD ${url} /f\n`;
    const first = await build(h, df);
    assert.equal(first.error, undefined, first.error?.message);
    assert.match(first.image!.config.history!.at(-1)!.created_by!, /^\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]{64} in \/f $/);
    const same = await build(h, df);
    assert.match(same.text, /Using cache/);
    body = 'v2';
    const changed = await build(h, df);
    assert.doesNotMatch(changed.text, /Using cache/);
    assert.equal(h.executor.copies.length, 2);
    assert.deepEqual(h.executor.copies[0].copy.sources, [url]);
    assert.deepEqual(await readdir(join(h.root, 'builder', 'tmp')), []);
    const before = requests;
    const sum = 'sha256:' + 'a'.repeat(64);
    await build(h, `FROM busybox\nADD --checksum=${sum} ${url} /f\n`);
    assert.equal(requests, before);
    assert.equal(h.executor.copies.at(-1)!.copy.checksum, sum);
    const missing = await build(h, `FROM busybox\nADD http://127.0.0.1:1/nope /f\n`);
    assert.ok(missing.error);
  } finally {
    server.close();
    await h.cleanup();
  }
});

test('COPY refuses a URL source', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const r = await build(h, 'FROM busybox\nCOPY http://127.0.0.1/x /x\n');
    assert.equal(r.error?.message, "source can't be a URL for COPY");
  } finally {
    await h.cleanup();
  }
});
