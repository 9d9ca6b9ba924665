// Bad input gets Docker's status and a clear message, and leaves nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startDaemonWithBusybox, run, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

test('malformed JSON on create is a 400 with a message', async () => {
  const r = await d.api('POST', '/containers/create', '{"Image": "busybox", ');
  assert.equal(r.status, 400);
  assert.match(r.json.message, /invalid JSON/i);
  const wrongType = await d.api('POST', '/containers/create', { Image: 'busybox', Cmd: 42 });
  assert.equal(wrongType.status, 400);
  const none = await d.api('GET', '/containers/json?all=1');
  assert.deepEqual(none.json, []);
});

test('unknown container is a 404 with Docker\'s message', async () => {
  for (const [method, path] of [['GET', '/containers/nope/json'], ['POST', '/containers/nope/start'], ['POST', '/containers/nope/stop'], ['DELETE', '/containers/nope']]) {
    const r = await d.api(method, path);
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(r.json.message, 'No such container: nope');
  }
  const cli = await d.docker(['stop', 'nope']);
  assert.equal(cli.code, 1);
  assert.match(cli.stderr, /No such container: nope/);
});

test('unknown image on create is a 404', async () => {
  const r = await d.api('POST', '/containers/create', { Image: 'no-such-image:1' });
  assert.equal(r.status, 404);
  assert.match(r.json.message, /No such image: no-such-image:1/);
});

test('a duplicate name is a 409 and the first container is untouched', async () => {
  const a = await d.docker(['create', '--name', 'dup', 'busybox', 'true']);
  assert.equal(a.code, 0, a.stderr);
  const b = await d.api('POST', '/containers/create?name=dup', { Image: 'busybox' });
  assert.equal(b.status, 409);
  assert.match(b.json.message, /The container name "\/dup" is already in use by container/);
  const list = await d.api('GET', '/containers/json?all=1');
  assert.equal(list.json.length, 1);
  const badName = await d.api('POST', '/containers/create?name=bad%20name', { Image: 'busybox' });
  assert.equal(badName.status, 400);
  assert.match(badName.json.message, /Invalid container name/);
  await d.docker(['rm', 'dup']);
});

test('unknown routes answer 404, unbuilt ones 501, swarm ones 503', async () => {
  assert.equal((await d.api('GET', '/no/such/route')).status, 404);
  const swarm = await d.api('GET', '/swarm');
  assert.equal(swarm.status, 503);
  assert.match(swarm.json.message, /not a swarm manager/);
  const net = await d.api('GET', '/plugins/privileges');
  assert.equal(net.status, 501);
});

test('a layer tar with a ../ entry is refused and leaves no layer behind', async () => {
  const dir = await mkdtemp('/tmp/bt-evil-');
  try {
    // A layer whose only entry climbs out of the layer root.
    await mkdir(join(dir, 'x'));
    await writeFile(join(dir, 'x', 'evil'), 'pwned\n');
    const layer = join(dir, 'layer.tar');
    await run('tar', ['-C', join(dir, 'x'), '--transform', 's,^evil,../../evil,', '-cf', layer, 'evil']);
    const listing = await run('tar', ['-tf', layer]);
    assert.match(listing.stdout, /\.\.\/\.\.\/evil/);
    const layerBytes = await import('node:fs/promises').then((fs) => fs.readFile(layer));
    const diffId = 'sha256:' + createHash('sha256').update(layerBytes).digest('hex');
    const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [diffId] } });
    const configHex = createHash('sha256').update(config).digest('hex');
    await writeFile(join(dir, `${configHex}.json`), config);
    await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['evil:latest'], Layers: ['layer.tar'] }]));
    await run('tar', ['-C', dir, '-cf', join(dir, 'image.tar'), 'manifest.json', `${configHex}.json`, 'layer.tar']);
    const before = await readdir(join(d.dataRoot, 'image/layerdb/sha256')).catch(() => []);
    const r = await d.docker(['load', '-i', join(dir, 'image.tar')]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /\.\.\/\.\.\/evil|outside|escapes/);
    const after1 = await readdir(join(d.dataRoot, 'image/layerdb/sha256')).catch(() => []);
    assert.deepEqual(after1.sort(), before.sort(), 'no new layer');
    const images = await d.docker(['images', '-q', 'evil']);
    assert.equal(images.stdout.trim(), '');
    const tmp = await readdir(join(d.dataRoot, 'tmp')).catch(() => []);
    assert.deepEqual(tmp, [], 'no temp files left');
    await assert.rejects(import('node:fs/promises').then((fs) => fs.access(join(d.dataRoot, '..', 'evil'))));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
