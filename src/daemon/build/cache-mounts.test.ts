// RUN --mount=type=cache directories: one per id, made with the owner and mode asked, shared,
// locked (one RUN at a time) or private (a second instance while the first is used), counted
// and pruned (never one in use), and half-made ones gone at start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheMounts } from './cache-mounts.ts';

const root = process.getuid?.() === 0;
let dir: string;
let mounts: CacheMounts;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-cachemounts-'));
  await mkdir(join(dir, '.tmp-leftover'));
  mounts = new CacheMounts(dir);
  await mounts.init();
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('init removes half-made instances', async () => {
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.tmp-')), []);
});

test('an id gets one directory, made with uid, gid and mode; the id never becomes a path', { skip: !root && 'chown needs root' }, async () => {
  const a = await mounts.acquire({ id: '../../etc', uid: 1000, gid: 1001, mode: 0o750 });
  assert.ok(a.path.startsWith(`${dir}/`));
  assert.match(a.path.slice(dir.length + 1), /^[0-9a-f]{64}-0$/);
  const st = await stat(a.path);
  assert.equal(st.uid, 1000);
  assert.equal(st.gid, 1001);
  assert.equal(st.mode & 0o7777, 0o750);
  await writeFile(join(a.path, 'kept'), 'x');
  a.release();
  // The owner and mode apply only when the directory is made.
  const b = await mounts.acquire({ id: '../../etc', uid: 0, mode: 0o700 });
  assert.equal(b.path, a.path);
  assert.equal((await stat(b.path)).uid, 1000);
  b.release();
});

test('sharing: shared users share, private gets another instance while the first is used, locked waits', async () => {
  const s1 = await mounts.acquire({ id: 'shared' });
  const s2 = await mounts.acquire({ id: 'shared' });
  assert.equal(s1.path, s2.path);
  const p1 = await mounts.acquire({ id: 'priv', sharing: 'private' });
  const p2 = await mounts.acquire({ id: 'priv', sharing: 'private' });
  assert.notEqual(p1.path, p2.path);
  p1.release();
  const p3 = await mounts.acquire({ id: 'priv', sharing: 'private' });
  assert.equal(p3.path, p1.path, 'a free instance is reused');
  const l1 = await mounts.acquire({ id: 'lock', sharing: 'locked' });
  let second = false;
  const l2 = mounts.acquire({ id: 'lock', sharing: 'locked' }).then((m) => {
    second = true;
    return m;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(second, false, 'the second locked user waits');
  l1.release();
  const got = await l2;
  assert.equal(got.path, l1.path);
  for (const m of [s1, s2, p2, p3, got]) m.release();
});

test('usage and prune: sizes counted, an instance in use never removed', async () => {
  const busy = await mounts.acquire({ id: 'busy' });
  await writeFile(join(busy.path, 'f'), Buffer.alloc(100));
  const idle = await mounts.acquire({ id: 'idle' });
  await writeFile(join(idle.path, 'f'), Buffer.alloc(50));
  idle.release();
  const usage = await mounts.usage();
  assert.equal(usage.find((u) => u.id === 'busy')?.size, 100);
  assert.equal(usage.find((u) => u.id === 'busy')?.inUse, true);
  assert.equal(usage.find((u) => u.id === 'idle')?.inUse, false);
  const removed = await mounts.prune(() => true);
  assert.ok(removed.some((u) => u.id === 'idle'));
  assert.ok(!removed.some((u) => u.id === 'busy'));
  assert.ok((await mounts.usage()).some((u) => u.id === 'busy'));
  busy.release();
});
