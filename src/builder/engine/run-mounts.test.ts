// RUN --mount (cache, bind from the context or a stage, tmpfs, secret) and --network/--security.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, FakeContext, harness } from './fakes.test-helpers.ts';

async function withHarness(fn: (h: Awaited<ReturnType<typeof harness>>) => Promise<void>): Promise<void> {
  const h = await harness();
  try {
    h.executor.addImage('busybox');
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

test('mount specs reach the executor expanded: cache (id defaults to the target), tmpfs, bind from a stage', async () => {
  await withHarness(async (h) => {
    const df = 'FROM busybox AS src\nRUN gen\nFROM busybox\nARG C=/cache/\nRUN --mount=type=cache,target=$C --mount=type=tmpfs,target=/t --mount=type=bind,from=src,source=/out,target=/in use\n';
    const r = await build(h, df);
    assert.equal(r.error, undefined, r.error?.message);
    const [cache, tmpfs, bind] = h.executor.runs.at(-1)!.mounts;
    assert.equal(cache.type, 'cache');
    assert.equal(cache.type === 'cache' && cache.id, '/cache');
    assert.equal(cache.target, '/cache/');
    assert.equal(tmpfs.type, 'tmpfs');
    assert.equal(bind.type, 'bind');
    assert.ok(bind.type === 'bind' && bind.fromImage && bind.fromImage.id !== undefined);
    assert.equal(bind.source, '/out');
  });
});

test('a bind mount of the context keys the step by the files under its source', async () => {
  await withHarness(async (h) => {
    const df = 'FROM busybox\nRUN --mount=type=bind,source=src,target=/src make\n';
    await build(h, new FakeContext(df, { 'src/a.c': '1', 'other.txt': 'x' }));
    const same = await build(h, new FakeContext(df, { 'src/a.c': '1', 'other.txt': 'changed' }));
    assert.match(same.text, /Using cache/);
    const changed = await build(h, new FakeContext(df, { 'src/a.c': '2', 'other.txt': 'x' }));
    assert.doesNotMatch(changed.text, /Using cache/);
    assert.equal(h.executor.runs.length, 2);
  });
});

test('--network goes to the executor (else the build\'s networkmode) and into the key; --security=insecure is refused', async () => {
  await withHarness(async (h) => {
    await build(h, 'FROM busybox\nRUN --network=none a\nRUN b\n', { networkMode: 'host' });
    assert.deepEqual(h.executor.runs.map((r) => r.network), ['none', 'host']);
    const other = await build(h, 'FROM busybox\nRUN --network=host a\n');
    assert.doesNotMatch(other.text, /Using cache/);
    const insecure = await build(h, 'FROM busybox\nRUN --security=insecure a\n');
    assert.equal(insecure.error?.message, 'granting entitlement security.insecure is not allowed by build daemon configuration');
  });
});

test('a relative mount target is under the working directory', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nWORKDIR /app\nRUN --mount=type=cache,target=node_modules npm ci\n');
    assert.equal(r.error, undefined, r.error?.message);
    const m = h.executor.runs[0].mounts[0];
    assert.equal(m.target, '/app/node_modules');
    // BuildKit: the id defaults to the target as written
    assert.equal(m.type === 'cache' && m.id, 'node_modules');
  });
});

test('ssh mounts are refused', async () => {
  await withHarness(async (h) => {
    const r = await build(h, 'FROM busybox\nRUN --mount=type=ssh true\n');
    assert.equal(r.error?.message, 'RUN --mount=type=ssh is not supported');
  });
});
