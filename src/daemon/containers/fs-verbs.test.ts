// export, diff and commit on fakes (no root): the checks before any work, the RW layer mounted
// only for the use and kept mounted across the container's exit while used, the pause around a
// commit of a running container, and the events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readTar, invalidParameter } from '../../common/index.ts';
import type { CommitOptions } from '../../image/index.ts';
import { withHarness, type Harness } from './containers-test-helpers.ts';
import { startContainer } from './start.ts';
import { killContainer } from './kill.ts';
import { exportContainer } from './export.ts';
import { containerChanges } from './diff.ts';
import { commitContainer } from './commit.ts';

async function names(stream: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(stream)) {
    out.push(e.name);
    for await (const _ of e.body()) { /* drain */ }
  }
  return out;
}

const rootfsOf = (h: Harness, id: string) => h.layers.mountRW(id);

test('export of a stopped container: mounted for the export, unmounted after, the export event at the end', async () => {
  await withHarness(async (h) => {
    const id = await h.create('exp');
    await writeFile(join(await rootfsOf(h, id), 'hello'), 'hi');
    await h.layers.unmountRW(id);
    const stream = await exportContainer(h.ctx, 'exp');
    assert.ok(h.layers.mounted.has(id), 'mounted while exporting');
    assert.deepEqual(await names(stream), ['hello']);
    await new Promise((r) => setImmediate(r));
    assert.ok(!h.layers.mounted.has(id), 'unmounted when read');
    assert.deepEqual(h.actions(id).filter((a) => a === 'export'), ['export']);
  });
});

test('an export cut short publishes no event and still unmounts', async () => {
  await withHarness(async (h) => {
    const id = await h.create('cut');
    await writeFile(join(await rootfsOf(h, id), 'big'), Buffer.alloc(4 << 20));
    const stream = await exportContainer(h.ctx, 'cut');
    stream.destroy();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(!h.layers.mounted.has(id));
    assert.ok(!h.actions(id).includes('export'));
  });
});

test('export and commit refuse a dead or a removing container, and an unknown one, before any work', async () => {
  await withHarness(async (h) => {
    const id = await h.create('dead');
    const c = h.ctx.store.get(id);
    c.state.setDead();
    await assert.rejects(exportContainer(h.ctx, 'dead'), { kind: 'Conflict', message: `You cannot export container ${id} which is Dead` });
    await assert.rejects(commitContainer(h.ctx, 'dead', { changes: [], author: '', comment: '', pause: true }),
      { kind: 'Conflict', message: `You cannot commit container ${id} which is Dead` });
    await assert.rejects(exportContainer(h.ctx, 'nope'), { kind: 'NotFound', message: 'No such container: nope' });
    const going = await h.create('going');
    h.ctx.store.get(going).state.setRemovalInProgress();
    await assert.rejects(exportContainer(h.ctx, 'going'), { kind: 'Conflict', message: `You cannot export container ${going} which is being removed` });
    await assert.rejects(commitContainer(h.ctx, 'going', { changes: [], author: '', comment: '', pause: true }),
      { kind: 'Conflict', message: `You cannot commit container ${going} which is being removed` });
    assert.ok(!h.layers.mounted.has(id) && !h.layers.mounted.has(going));
  });
});

test("a container's exit during an export leaves its layer mounted until the export is done", async () => {
  await withHarness(async (h) => {
    const id = await h.create('live');
    await startContainer(h.ctx, id);
    await writeFile(join(await rootfsOf(h, id), 'big'), Buffer.alloc(8 << 20));
    const stream = await exportContainer(h.ctx, 'live');
    await killContainer(h.ctx, id, 'KILL');
    for (let i = 0; i < 100 && h.ctx.store.get(id).state.running; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(h.ctx.store.get(id).state.running, false);
    assert.ok(h.layers.mounted.has(id), 'still mounted for the export');
    assert.deepEqual(await names(stream), ['big']);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(!h.layers.mounted.has(id), 'unmounted once the export ended');
  });
});

test('diff of a vfs-like layer against no parent: everything is an add', async () => {
  await withHarness(async (h) => {
    const id = await h.create('d1');
    const dir = (await h.layers.rwDiffSource(id)) as { dir: string };
    await mkdir(join(dir.dir, 'etc'));
    await writeFile(join(dir.dir, 'etc', 'x'), 'x');
    assert.deepEqual(await containerChanges(h.ctx, 'd1'), [{ Path: '/etc', Kind: 1 }, { Path: '/etc/x', Kind: 1 }]);
  });
});

/** An image side that records what it was asked and reads the layer tar. */
function fakeCommitter(h: Harness, opts: { fail?: boolean } = {}) {
  const seen: { opts?: CommitOptions; entries?: string[] } = {};
  h.ctx.images.prepareCommit = (o) => {
    seen.opts = o;
    if (opts.fail) throw invalidParameter('foo is not a valid change command');
    return async (tar) => {
      seen.entries = await names(tar);
      return { id: 'sha256:new', ref: o.repo ? `${o.repo}:${o.tag ?? 'latest'}` : '' };
    };
  };
  return seen;
}

test('commit of a running container pauses it around the layer tar, then the commit event', async () => {
  await withHarness(async (h) => {
    const id = await h.create('run', {}, { Cmd: ['sh', '-c', 'echo'] });
    await startContainer(h.ctx, id);
    const dir = (await h.layers.rwDiffSource(id)) as { dir: string };
    await writeFile(join(dir.dir, 'new'), 'n');
    const seen = fakeCommitter(h);
    const imageId = await commitContainer(h.ctx, 'run', { changes: ['ENV A=1'], author: 'me', comment: 'msg', pause: true, repo: 'img', tag: 't' });
    assert.equal(imageId, 'sha256:new');
    assert.deepEqual(seen.entries, ['new']);
    assert.deepEqual(seen.opts!.changes, ['ENV A=1']);
    assert.equal(seen.opts!.containerId, id);
    assert.equal(seen.opts!.parentImageId, 'sha256:image');
    assert.deepEqual(seen.opts!.containerConfig.Cmd, ['sh', '-c', 'echo']);
    assert.deepEqual(h.runtime.calls.filter((c) => /^(pause|resume)/.test(c)), [`pause ${id}`, `resume ${id}`]);
    const commit = h.events.find((e) => e.Action === 'commit')!;
    assert.deepEqual([commit.Actor.Attributes.comment, commit.Actor.Attributes.imageID, commit.Actor.Attributes.imageRef], ['msg', 'sha256:new', 'img:t']);
    assert.equal(h.ctx.store.get(id).state.paused, false);
  });
});

test('commit with pause=false, of a stopped container, or with bad input: no pause; bad input before any work', async () => {
  await withHarness(async (h) => {
    const id = await h.create('np');
    await startContainer(h.ctx, id);
    fakeCommitter(h);
    await commitContainer(h.ctx, 'np', { changes: [], author: '', comment: '', pause: false });
    const stopped = await h.create('stopped');
    await commitContainer(h.ctx, stopped, { changes: [], author: '', comment: '', pause: true });
    const seen = fakeCommitter(h, { fail: true });
    await assert.rejects(commitContainer(h.ctx, 'np', { changes: ['FOO x'], author: '', comment: '', pause: true }), { kind: 'InvalidParameter' });
    assert.ok(seen.opts);
    assert.deepEqual(h.runtime.calls.filter((c) => /^(pause|resume)/.test(c)), []);
  });
});
