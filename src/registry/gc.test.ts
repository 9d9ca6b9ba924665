import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryStore } from './store.ts';
import { FilesystemDriver } from './storage/filesystem.ts';
import { collectGarbage, collectGarbageGated } from './gc.ts';
import { GcGate } from './gc-gate.ts';
import { RegistryError } from './errors.ts';
import * as P from './storage/paths.ts';

const digestOf = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function* once(b: Buffer): AsyncIterable<Uint8Array> {
  yield b;
}

async function putBlob(store: RegistryStore, name: string, data: Buffer): Promise<string> {
  const id = await store.startUpload(name);
  await store.appendUpload(name, id, once(data));
  await store.completeUpload(name, id, digestOf(data));
  return digestOf(data);
}

function manifestFor(config: string, layers: string[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 1 },
      layers: layers.map((d) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: d, size: 1 })),
    }),
  );
}

async function age(root: string, digest: string): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  await utimes(join(root, P.blobData(digest)), past, past);
}

async function withStore(fn: (store: RegistryStore, root: string, driver: FilesystemDriver) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-gc-'));
  try {
    const driver = new FilesystemDriver(root);
    await fn(new RegistryStore(driver), root, driver);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

test('GcGate: exclusive waits for running shared holders and holds new ones back', async () => {
  const gate = new GcGate();
  const order: string[] = [];
  const s1 = gate.withShared(async () => {
    order.push('s1 start');
    await sleep(30);
    order.push('s1 end');
  });
  const ex = gate.withExclusive(async () => {
    order.push('gc start');
    await sleep(30);
    order.push('gc end');
  });
  await sleep(5);
  const s2 = gate.withShared(async () => {
    order.push('s2');
  });
  await Promise.all([s1, ex, s2]);
  assert.deepEqual(order, ['s1 start', 's1 end', 'gc start', 'gc end', 's2']);
});

test('GC keeps blobs written after its mark began (modTime rule), sweeps old orphans', async () => {
  await withStore(async (store, root, driver) => {
    const orphan = await putBlob(store, 'r', Buffer.from('old orphan'));
    await age(root, orphan);
    let late: string | undefined;
    // A push that lands while the collector is marking: the driver runs it when the sweep lists blobs.
    const list = driver.list.bind(driver);
    driver.list = async (path: string) => {
      if (path === '/docker/registry/v2/blobs' && late === undefined) late = await putBlob(store, 'r', Buffer.from('late blob'));
      return list(path);
    };
    const r = await collectGarbage(store, { dryRun: false, deleteUntagged: false });
    assert.deepEqual(r.blobsDeleted, [orphan]);
    assert.ok(late);
    assert.notEqual(await store.blobSize(late), undefined);
    assert.equal(await store.blobSize(orphan), undefined);
    // Its layer link went with it.
    assert.equal(await store.repoBlobSize('r', orphan), undefined);
    assert.deepEqual(await store.layerLinks('r'), [late]);
  });
});

test('GC never leaves a manifest whose blob was swept: in-process pushes wait for it', async () => {
  await withStore(async (store, root) => {
    for (let round = 0; round < 2; round++) {
      const cfg = await putBlob(store, 'r', Buffer.from(`config ${round}`));
      const layer = await putBlob(store, 'r', Buffer.from(`layer ${round}`));
      await age(root, cfg);
      await age(root, layer);
      const m = manifestFor(cfg, [layer]);
      // Round 0: the manifest push starts first (the collector waits and then sees it);
      // round 1: the collector starts first (the push waits, then finds its blobs gone).
      const gc = () => collectGarbageGated(store, { dryRun: false, deleteUntagged: false });
      const put = () => store.putManifest('r', `t${round}`, m, undefined);
      const [first, second] = round === 0 ? [put, gc] : [gc, put];
      const results = await Promise.allSettled([first(), second()]);
      const putResult = round === 0 ? results[0] : results[1];
      if (round === 0) {
        assert.equal(putResult.status, 'fulfilled');
        assert.notEqual(await store.blobSize(layer), undefined, 'referenced layer kept');
      } else {
        assert.equal(putResult.status, 'rejected');
        assert.ok((putResult as PromiseRejectedResult).reason instanceof RegistryError);
        assert.equal(((putResult as PromiseRejectedResult).reason as RegistryError).code, 'MANIFEST_BLOB_UNKNOWN');
      }
      // The invariant: every stored manifest's blobs exist.
      for (const rev of await store.revisions('r')) {
        const s = await store.manifestSummary(rev);
        for (const b of s!.parsed.blobs) assert.notEqual(await store.blobSize(b), undefined, `${b} of ${rev}`);
      }
    }
  });
});

test('GC refuses to sweep when a stored manifest is not JSON', async () => {
  await withStore(async (store, _root, driver) => {
    const bogus = Buffer.from('not json');
    const d = digestOf(bogus);
    await driver.putContent(P.blobData(d), bogus);
    await driver.putContent(P.revisionLink('r', d), Buffer.from(d));
    const orphan = await putBlob(store, 'r', Buffer.from('x'));
    await assert.rejects(collectGarbage(store, { dryRun: false, deleteUntagged: false }), /refusing/);
    assert.notEqual(await store.blobSize(orphan), undefined);
  });
});
