// The build cache: hits, a one-file change busting only later steps, --no-cache, records that
// survive a restart, records of deleted images dropped, --cache-from, df and prune.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build, FakeContext, harness } from './fakes.test-helpers.ts';
import { openBuilder } from './builder.ts';

const DOCKERFILE = 'FROM busybox\nENV A=1\nCOPY a.txt /a\nRUN build-a\nCOPY b.txt /b\nRUN build-b\nCMD ["x"]\n';
const files = { 'a.txt': 'A', 'b.txt': 'B' };
const usingCache = (text: string) => text.split('Step ').slice(1).map((s) => s.includes(' ---> Using cache'));

test('a rebuild hits the cache for every step and makes the same image', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const first = await build(h, new FakeContext(DOCKERFILE, files));
    assert.equal(first.error, undefined);
    assert.equal(h.executor.runs.length, 2);
    const second = await build(h, new FakeContext(DOCKERFILE, files));
    assert.equal(second.imageId, first.imageId);
    assert.equal(h.executor.runs.length, 2);
    assert.deepEqual(usingCache(second.text), [false, true, true, true, true, true, true]);
    assert.doesNotMatch(second.text, /Running in/);
  } finally {
    await h.cleanup();
  }
});

test('one changed file rebuilds from the first step that reads it, and no earlier', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await build(h, new FakeContext(DOCKERFILE, files));
    const r = await build(h, new FakeContext(DOCKERFILE, { ...files, 'b.txt': 'B2' }));
    assert.equal(r.error, undefined);
    assert.deepEqual(usingCache(r.text), [false, true, true, true, false, false, false]);
    assert.deepEqual(h.executor.runs.map((x) => x.config.Cmd!.at(-1)), ['build-a', 'build-b', 'build-b']);
  } finally {
    await h.cleanup();
  }
});

test('a changed build arg busts the RUN that uses it, not the steps before', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const df = 'FROM busybox\nENV A=1\nARG V\nRUN use-v\n';
    await build(h, df, { buildArgs: { V: '1' } });
    const same = await build(h, df, { buildArgs: { V: '1' } });
    assert.deepEqual(usingCache(same.text), [false, true, true, true]);
    const changed = await build(h, df, { buildArgs: { V: '2' } });
    assert.deepEqual(usingCache(changed.text), [false, true, true, false]);
  } finally {
    await h.cleanup();
  }
});

test('--no-cache re-runs every step but records the results', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await build(h, new FakeContext(DOCKERFILE, files));
    const r = await build(h, new FakeContext(DOCKERFILE, files), { noCache: true });
    assert.doesNotMatch(r.text, /Using cache/);
    assert.equal(h.executor.runs.length, 4);
    const again = await build(h, new FakeContext(DOCKERFILE, files));
    assert.equal(again.imageId, r.imageId);
  } finally {
    await h.cleanup();
  }
});

test('records survive a restart (a new builder on the same data root); torn temp files are removed', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const first = await build(h, new FakeContext(DOCKERFILE, files));
    const dir = join(h.root, 'builder', 'cache');
    await writeFile(join(dir, '.x.json.abc.tmp'), '{');
    await writeFile(join(dir, 'garbage.json'), 'not json');
    const builder2 = openBuilder({ dataRoot: h.root, imageExists: (id) => h.executor.images.has(id) });
    const h2 = { ...h, builder: builder2 };
    const r = await build(h2, new FakeContext(DOCKERFILE, files));
    assert.equal(r.imageId, first.imageId);
    assert.deepEqual(usingCache(r.text), [false, true, true, true, true, true, true]);
    const names = await readdir(dir);
    assert.ok(!names.includes('.x.json.abc.tmp') && !names.includes('garbage.json'));
    // the use counts of the hits were written when the build ended
    const builder3 = openBuilder({ dataRoot: h.root, imageExists: (id) => h.executor.images.has(id) });
    assert.deepEqual([...new Set((await builder3.diskUsage()).map((x) => x.UsageCount))], [2]);
  } finally {
    await h.cleanup();
  }
});

test('a record whose image is gone is ignored and dropped', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const first = await build(h, 'FROM busybox\nENV A=1\nENV B=2\n');
    const envA = first.image!.config.config!.Image as string;
    h.executor.images.delete(envA);
    const r = await build(h, 'FROM busybox\nENV A=1\nENV B=2\n');
    assert.deepEqual(usingCache(r.text), [false, false, false]);
    assert.equal((await h.builder.diskUsage()).length, 3);
  } finally {
    await h.cleanup();
  }
});

test('--cache-from: a chain from another builder matches step by step, the last step is the image itself', async () => {
  const source = await harness();
  const h = await harness(source.executor);
  try {
    source.executor.addImage('busybox');
    const df = 'FROM busybox\nENV A=1\nRUN make\nCMD ["run"]\n';
    const built = await build(source, df, { tags: ['app:cache'] });
    source.executor.names.set('app:cache', built.imageId!);
    const runs = source.executor.runs.length;
    const r = await build(h, df, { cacheFrom: ['app:cache'] });
    assert.equal(r.error, undefined, r.error?.message);
    assert.deepEqual(usingCache(r.text), [false, true, true, true]);
    assert.equal(source.executor.runs.length, runs);
    assert.equal(r.imageId, built.imageId);
    const other = await build(h, 'FROM busybox\nENV A=2\n', { cacheFrom: ['app:cache'], noCache: false });
    assert.deepEqual(usingCache(other.text), [false, false]);
  } finally {
    await h.cleanup();
    await source.cleanup();
  }
});

test('diskUsage rows and prune: filters, keep-storage (LRU), all vs images still needed', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const r = await build(h, new FakeContext('FROM busybox\nCOPY a.txt /\nRUN x\n', { 'a.txt': '1' }));
    const rows = await h.builder.diskUsage();
    assert.equal(rows.length, 2);
    const run = rows.find((x) => x.Description === '/bin/sh -c x')!;
    assert.equal(run.Size, 100);
    assert.equal(run.Type, 'regular');
    assert.equal(run.UsageCount, 1);
    assert.equal(run.InUse, false);
    assert.equal(run.Parents!.length, 1);
    assert.equal(run.Parents![0], rows.find((x) => x.Description.includes('COPY'))!.ID);
    await assert.rejects(h.builder.prune({ all: true, filters: { bogus: ['1'] } }), /invalid filter 'bogus'/);
    const none = await h.builder.prune({ all: true, filters: { until: ['1h'] } });
    assert.deepEqual(none.deleted, []);
    assert.deepEqual((await h.builder.prune({ all: true, filters: { 'unused-for': ['1h'] } })).deleted, []);
    assert.equal(rows.find((x) => x.Description.includes('COPY'))!.Parents, null);
    const kept = await h.builder.prune({ all: false, filters: {}, keepImage: (id) => id === r.imageId });
    assert.equal(kept.deleted.length, 1);
    assert.equal(kept.spaceReclaimed, 10);
    const lru = await h.builder.prune({ all: true, filters: {}, keepStorage: 1000 });
    assert.deepEqual(lru.deleted, []);
    const all = await h.builder.prune({ all: true, filters: {} });
    assert.equal(all.deleted.length, 1);
    assert.deepEqual(all.imageIds, [r.imageId]);
    assert.equal(all.spaceReclaimed, 100);
    assert.deepEqual(await h.builder.diskUsage(), []);
  } finally {
    await h.cleanup();
  }
});

test('prune until: only records last used before then; records a running build uses are InUse and kept', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await build(h, 'FROM busybox\nENV OLD=1\n');
    const dir = join(h.root, 'builder', 'cache');
    const [name] = await readdir(dir);
    const rec = JSON.parse(await readFile(join(dir, name), 'utf8'));
    await writeFile(join(dir, name), JSON.stringify({ ...rec, lastUsedAt: '2020-01-01T00:00:00Z' }));
    const builder = openBuilder({ dataRoot: h.root, imageExists: (id) => h.executor.images.has(id) });
    const h2 = { ...h, builder };
    h.executor.runScript = () => ({ delayMs: 1500 });
    const running = build(h2, 'FROM busybox\nENV NEW=1\nRUN slow\n');
    await new Promise((r) => setTimeout(r, 300));
    const rows = await builder.diskUsage();
    assert.deepEqual(rows.map((r) => [r.Description, r.InUse]), [['/bin/sh -c #(nop)  ENV OLD=1', false], ['/bin/sh -c #(nop)  ENV NEW=1', true]]);
    const old = await builder.prune({ all: true, filters: { until: ['24h'] } });
    assert.deepEqual(old.deleted, [rec.id]);
    const all = await builder.prune({ all: true, filters: {} });
    assert.deepEqual(all.deleted, []);
    assert.equal((await running).error, undefined);
    assert.equal((await builder.prune({ all: true, filters: {} })).deleted.length, 2);
  } finally {
    await h.cleanup();
  }
});

test('keep-storage removes the least recently used records first', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await build(h, 'FROM busybox\nRUN one\n');
    await build(h, 'FROM busybox\nRUN two\n');
    const res = await h.builder.prune({ all: true, filters: {}, keepStorage: 150 });
    assert.equal(res.deleted.length, 1);
    const left = await h.builder.diskUsage();
    assert.deepEqual(left.map((x) => x.Description), ['/bin/sh -c two']);
  } finally {
    await h.cleanup();
  }
});

test('no secret byte in any record, cache key or message; a missing required secret fails', async () => {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    const secret = new TextEncoder().encode('TOPSECRET-42');
    const df = 'FROM busybox\nRUN --mount=type=secret,id=tok cat /run/secrets/tok\nRUN --mount=type=secret,id=env1,env=TOKEN true\n';
    const r = await build(h, df, { secrets: new Map([['tok', secret], ['env1', secret]]) });
    assert.equal(r.error, undefined, r.error?.message);
    const m = h.executor.runs[0].mounts[0];
    assert.equal(m.type, 'secret');
    assert.equal(m.type === 'secret' && new TextDecoder().decode(m.data), 'TOPSECRET-42');
    assert.equal(m.target, '/run/secrets/tok');
    assert.doesNotMatch(JSON.stringify(r.messages), /TOPSECRET/);
    assert.doesNotMatch(JSON.stringify(r.image!.config), /TOPSECRET/);
    const dir = join(h.root, 'builder', 'cache');
    for (const f of await readdir(dir)) assert.doesNotMatch(await readFile(join(dir, f), 'utf8'), /TOPSECRET/);
    // a different secret value does not bust the cache: it is not part of the key
    const again = await build(h, df, { secrets: new Map([['tok', new Uint8Array([1])], ['env1', secret]]) });
    assert.deepEqual(usingCache(again.text), [false, true, true]);
    const missing = await build(h, 'FROM busybox\nRUN --mount=type=secret,id=nope,required=true true\n');
    assert.equal(missing.error?.message, 'secret nope: not found');
    const optional = await build(h, 'FROM busybox\nRUN --mount=type=secret,id=nope true\n');
    assert.equal(optional.error, undefined);
    assert.deepEqual(h.executor.runs.at(-1)!.mounts, []);
  } finally {
    await h.cleanup();
  }
});
