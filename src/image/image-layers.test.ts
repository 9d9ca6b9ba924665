// The image box on the real layer store (overlay2 or vfs), as root, in temp data roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, stat, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLayerStore, type LayerStore } from '../layer/index.ts';
import { createImageService, type ImageService } from './index.ts';
import { chunks, gzip, imageConfig, makeTar } from './image.test-helpers.ts';
import { sha256Digest } from '../content/index.ts';

async function open(dataRoot: string): Promise<{ layers: LayerStore; svc: ImageService }> {
  const layers = await openLayerStore({ dataRoot });
  const svc = await createImageService({ dataRoot, layers });
  return { layers, svc };
}

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of it) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

/** Unmounts anything left under root (there should be nothing), then removes it. */
async function cleanup(root: string): Promise<string[]> {
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8'))
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p) => p && p.startsWith(root));
  for (const m of mounts.reverse()) await new Promise((r) => execFile('umount', ['-l', m], () => r(undefined)));
  await rm(root, { recursive: true, force: true });
  return mounts;
}

test('load, inspect, save, load elsewhere and delete on the real layer store', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-image-layers-'));
  try {
    const busybox = await readFile('/bin/busybox');
    const base = await makeTar([
      { name: 'bin', type: 'dir' },
      { name: 'bin/busybox', data: busybox },
      { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
      { name: 'etc', type: 'dir' },
      { name: 'etc/motd', data: 'base\n' },
    ]);
    const top = await makeTar([{ name: 'etc', type: 'dir' }, { name: 'etc/motd', data: 'top\n' }, { name: 'etc/.wh.gone', data: '' }]);
    const topGz = gzip(top);
    const config = imageConfig([sha256Digest(base), sha256Digest(top)]);
    const id = sha256Digest(config);
    const archive = await makeTar([
      { name: `blobs/sha256/${id.slice(7)}`, data: config },
      { name: `blobs/sha256/${sha256Digest(base).slice(7)}`, data: base },
      { name: `blobs/sha256/${sha256Digest(topGz).slice(7)}`, data: topGz },
      {
        name: 'manifest.json',
        data: JSON.stringify([{ Config: `blobs/sha256/${id.slice(7)}`, RepoTags: ['bb:1'], Layers: [`blobs/sha256/${sha256Digest(base).slice(7)}`, `blobs/sha256/${sha256Digest(topGz).slice(7)}`] }]),
      },
    ]);

    const a = await open(join(root, 'a'));
    const streams: string[] = [];
    assert.deepEqual(await a.svc.load(chunks(archive, 64 * 1024), (m) => m.stream && streams.push(m.stream)), [id]);
    assert.deepEqual(streams, ['Loaded image: bb:1\n']);

    const inspect = await a.svc.inspect('bb:1');
    assert.equal(inspect.graphDriver.Name, a.layers.driverName);
    assert.ok(inspect.graphDriver.Data && Object.keys(inspect.graphDriver.Data).length > 0);
    assert.deepEqual(inspect.image.config.rootfs.diff_ids, [sha256Digest(base), sha256Digest(top)]);
    assert.ok(inspect.size >= busybox.length, `size ${inspect.size}`);
    const [summary] = await a.svc.list();
    assert.equal(summary.size, inspect.size);
    const hist = await a.svc.history('bb:1');
    assert.equal(hist.layerSizes.length, 2);
    assert.equal(hist.image.id, id);
    assert.equal(hist.layerSizes[0] + hist.layerSizes[1], inspect.size);

    // Round trip through save into a second data root.
    const saved = await collect(await a.svc.save(['bb:1']));
    const b = await open(join(root, 'b'));
    assert.deepEqual(await b.svc.load(chunks(saved, 100_000), () => {}), [id]);
    const img = b.svc.get('bb:1');
    const layer = await b.layers.get(img.chainIds[0]);
    assert.ok(layer);
    const data = (await b.layers.graphDriverData(img.chainIds[0])).Data;
    const diffDir = data.UpperDir ?? data.Dir ?? data.MergedDir;
    if (diffDir) assert.equal((await stat(join(diffDir, 'bin', 'busybox'))).size, busybox.length);
    assert.equal(await b.svc.content.has(sha256Digest(topGz)), true, 'the gzip blob travelled as received');

    // Delete: untag, image, both layers; nothing left in the layer store.
    const res = await b.svc.delete('bb:1');
    assert.deepEqual(res, [{ Untagged: 'bb:1' }, { Deleted: id }, { Deleted: img.chainIds[1] }, { Deleted: img.chainIds[0] }]);
    assert.equal(await b.layers.get(img.chainIds[0]), undefined);
    assert.deepEqual(await b.layers.list(), []);
    assert.equal(await b.svc.content.has(sha256Digest(topGz)), false, 'its blob goes with the last image using it');
    assert.deepEqual(await readdir(join(root, 'b', 'tmp')), []);

    // A diff ID mismatch on the real store leaves no layer behind.
    const c = await open(join(root, 'c'));
    const bad = await makeTar([
      { name: 'c.json', data: imageConfig([sha256Digest(base), sha256Digest(base)]) },
      { name: 'l1', data: base },
      { name: 'l2', data: top },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', Layers: ['l1', 'l2'] }]) },
    ]);
    await assert.rejects(c.svc.load(chunks(bad), () => {}), /diffID/);
    assert.deepEqual(await c.layers.list(), []);
  } finally {
    assert.deepEqual(await cleanup(root), [], 'no mounts were left behind');
  }
});
