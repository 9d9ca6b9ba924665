import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff, imageListFixture as fixture, withTempDir } from './image.test-helpers.ts';

test('list: records newest first, with sizes, references and counts when asked', () =>
  withTempDir(async (dir) => {
    const { svc, a, b, c } = await fixture(dir);
    const all = await svc.list();
    assert.deepEqual(all.map((e) => e.image.id), [c.id, b.id, a.id]);
    assert.deepEqual([all[1].repoTags, all[1].repoDigests, all[1].size, all[1].containers, all[1].sharedSize], [[], [], 30, undefined, undefined]);
    assert.deepEqual(all[2].repoTags, ['web:1', 'user/web:2']);
    const shared = await svc.list({ sharedSize: true, containerCount: (id) => (id === a.id ? 2 : 0) });
    assert.deepEqual(shared.map((e) => [e.sharedSize, e.containers]), [[0, 0], [10, 0], [10, 2]]);
  }));

test('list filters: dangling, label, reference, before, since, until', () =>
  withTempDir(async (dir) => {
    const { svc, a, b, c } = await fixture(dir);
    const ids = async (filters: Record<string, string[]>) => (await svc.list({ filters })).map((e) => e.image.id);
    assert.deepEqual(await ids({ dangling: ['true'] }), [b.id]);
    assert.deepEqual(await ids({ dangling: ['false'] }), [c.id, a.id]);
    assert.deepEqual(await ids({ label: ['tier'] }), [c.id, a.id]);
    assert.deepEqual(await ids({ label: ['tier=web'] }), [a.id]);
    assert.deepEqual(await ids({ label: ['tier=web', 'team=y'] }), []);
    assert.deepEqual(await ids({ reference: ['web'] }), [a.id]);
    const byRef = await svc.list({ filters: { reference: ['web:*'] } });
    assert.deepEqual(byRef.map((e) => e.repoTags), [['web:1']]);
    assert.deepEqual(await ids({ reference: ['*/*'] }), [c.id, a.id]);
    assert.deepEqual(await ids({ reference: ['localhost:5000/db:latest'] }), [c.id]);
    assert.deepEqual(await ids({ before: ['localhost:5000/db'] }), [b.id, a.id]);
    assert.deepEqual(await ids({ since: ['web:1'] }), [c.id, b.id]);
    assert.deepEqual(await ids({ since: ['web:1'], before: [c.id] }), [b.id]);
    assert.deepEqual(await ids({ until: ['2021-06-01T00:00:00Z'] }), [b.id, a.id]);
    assert.deepEqual(await ids({ until: ['1600000000'] }), [a.id]);
    assert.deepEqual(await ids({ until: ['1500000000'] }), []);
    await assert.rejects(svc.list({ filters: { foo: ['x'] } }), /invalid filter 'foo'/);
    await assert.rejects(svc.list({ filters: { before: ['nothing'] } }), /No such image: nothing:latest/);
    await assert.rejects(svc.list({ filters: { reference: ['['] } }), /syntax error in pattern/);
  }));

test('inspect details, history inputs and the resolved config', () =>
  withTempDir(async (dir) => {
    const { svc, a, b } = await fixture(dir);
    const ib = await svc.inspect(b.id);
    assert.deepEqual([ib.image.id, ib.repoTags, ib.size, ib.graphDriver.Name], [b.id, [], 30, 'fake']);
    const h = await svc.history('web:1');
    assert.deepEqual([h.image.id, h.layerSizes, h.tags], [a.id, [10], ['web:1', 'user/web:2']]);
    const resolved = await svc.resolveImageConfig('web:1');
    assert.equal(resolved.id, a.id);
    assert.equal(resolved.topChainId, diff(1));
    assert.equal(resolved.Cmd, null);
    assert.deepEqual(resolved.Env, []);
    assert.equal(resolved.Entrypoint, null);
    assert.deepEqual((await svc.resolveImageConfig(b.id)).Cmd, ['sh']);
    assert.deepEqual(resolved.Labels, { tier: 'web', team: 'x' });
  }));
