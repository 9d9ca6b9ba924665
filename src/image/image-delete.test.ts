import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageService, type ImageService } from './index.ts';
import { FakeLayerStore, imageConfig, withTempDir } from './image.test-helpers.ts';
import { sha256Digest } from '../content/index.ts';

const diff = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const CTR = 'c'.repeat(64);

interface Setup {
  svc: ImageService;
  layers: FakeLayerStore;
  dir: string;
  usage: { value: { containerId: string; running: boolean } | undefined };
  events: string[];
}

async function setup(dir: string): Promise<Setup> {
  const layers = new FakeLayerStore();
  const usage: Setup['usage'] = { value: undefined };
  const events: string[] = [];
  const svc = await createImageService({
    dataRoot: dir,
    layers,
    isUsedByContainer: () => usage.value,
    onEvent: (e) => events.push(`${e.Action}:${e.name ?? ''}`),
  });
  return { svc, layers, dir, usage, events };
}

/** An image with layers diff(a), diff(b), ... registered in the fake store. */
async function image(s: Setup, diffs: number[], extra: Record<string, unknown> = {}) {
  let parent: string | null = null;
  for (const d of diffs) parent = s.layers.add(diff(d), parent, 100 * d);
  return s.svc.createImage(imageConfig(diffs.map(diff), extra));
}

const short = (id: string) => id.slice(7, 19);

test('lookup by name, tag, ID, ID prefix and digest; repositories.json as Docker writes it', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const img = await image(s, [1, 2]);
    await s.svc.tag(img.id, 'busybox');
    await s.svc.tag('busybox', 'localhost:5000/x', '1');
    for (const ref of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', 'localhost:5000/x:1', img.id, img.id.slice(7), short(img.id), `sha256:${short(img.id)}`]) {
      assert.equal(s.svc.get(ref).id, img.id, ref);
    }
    assert.throws(() => s.svc.get('nothing'), (e: Error & { kind: string }) => e.kind === 'NotFound' && e.message === 'No such image: nothing:latest');
    assert.throws(() => s.svc.get(`sha256:${'f'.repeat(64)}`), /No such image: sha256:f+$/);
    assert.throws(() => s.svc.get('Bad'), (e: Error & { kind: string }) => e.kind === 'InvalidParameter');
    const repos = JSON.parse(await readFile(join(dir, 'image', 'repositories.json'), 'utf8'));
    assert.deepEqual(repos, { Repositories: { busybox: { 'busybox:latest': img.id }, 'localhost:5000/x': { 'localhost:5000/x:1': img.id } } });
    // The config is stored as received, addressed by its digest.
    const stored = await readFile(join(dir, 'image', 'imagedb', 'content', 'sha256', img.id.slice(7)));
    assert.equal(sha256Digest(stored), img.id);
    const lastUpdated = await readFile(join(dir, 'image', 'imagedb', 'metadata', 'sha256', img.id.slice(7), 'lastUpdated'), 'utf8');
    assert.match(lastUpdated, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(s.events, ['tag:busybox:latest', 'tag:localhost:5000/x:1']);

    // A restart sees the same images and references.
    const again = await createImageService({ dataRoot: dir, layers: s.layers });
    assert.equal(again.get('localhost:5000/x:1').id, img.id);
    assert.deepEqual(again.references(img.id), { repoTags: ['busybox:latest', 'localhost:5000/x:1'], repoDigests: [] });
  }));

test('an ambiguous ID prefix finds nothing', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push((await image(s, [1], { comment: `c${i}` })).id);
    // With 40 IDs, some pair shares a first hex digit.
    const first = ids.map((id) => id[7]);
    const dup = first.find((c, i) => first.indexOf(c) !== i)!;
    assert.throws(() => s.svc.get(dup), /No such image/);
  }));

test('deleting by ID an image with several tags must be forced', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const img = await image(s, [1, 2]);
    await s.svc.tag(img.id, 'busybox:latest');
    await s.svc.tag(img.id, 'other:1');
    await assert.rejects(
      s.svc.delete(short(img.id)),
      (e: Error & { kind: string }) =>
        e.kind === 'Conflict' && e.message === `conflict: unable to delete ${short(img.id)} (must be forced) - image is referenced in multiple repositories`,
    );
    // By tag while another tag exists: only an untag.
    assert.deepEqual(await s.svc.delete('other:1'), [{ Untagged: 'other:1' }]);
    assert.equal(s.svc.get(img.id).id, img.id);
    // The last tag: untag, image and both layers (top first).
    const top = sha256Digest(`${diff(1)} ${diff(2)}`);
    assert.deepEqual(await s.svc.delete('busybox'), [{ Untagged: 'busybox:latest' }, { Deleted: img.id }, { Deleted: top }, { Deleted: diff(1) }]);
    assert.throws(() => s.svc.get(img.id), /No such image/);
    assert.equal(s.layers.layers.size, 0);
    assert.deepEqual(s.events, ['tag:busybox:latest', 'tag:other:1', `untag:${img.id}`, `untag:${img.id}`, `delete:${img.id}`]);
  }));

test('force deletes an image with several tags by ID', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const img = await image(s, [1]);
    await s.svc.tag(img.id, 'a');
    await s.svc.tag(img.id, 'b');
    assert.deepEqual(await s.svc.delete(img.id, { force: true }), [{ Untagged: 'a:latest' }, { Untagged: 'b:latest' }, { Deleted: img.id }, { Deleted: diff(1) }]);
  }));

test('containers block deletion with Docker\'s messages', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const img = await image(s, [1, 2]);
    await s.svc.tag(img.id, 'busybox');
    s.usage.value = { containerId: CTR, running: false };
    await assert.rejects(
      s.svc.delete('busybox'),
      (e: Error) =>
        e.message === `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${short(img.id)}`,
    );
    await assert.rejects(
      s.svc.delete(img.id),
      (e: Error) => e.message === `conflict: unable to delete ${short(img.id)} (must be forced) - image is being used by stopped container cccccccccccc`,
    );
    s.usage.value = { containerId: CTR, running: true };
    await assert.rejects(
      s.svc.delete(img.id, { force: true }),
      (e: Error & { kind: string }) =>
        e.kind === 'Conflict' && e.message === `conflict: unable to delete ${short(img.id)} (cannot be forced) - image is being used by running container cccccccccccc`,
    );
    // Forcing a tag away from a running container's image only untags it.
    assert.deepEqual(await s.svc.delete('busybox', { force: true }), [{ Untagged: 'busybox:latest' }]);
    assert.equal(s.svc.get(img.id).id, img.id);

    // A stopped container's image goes with force; its top layer is the container's parent and stays.
    s.usage.value = { containerId: CTR, running: false };
    s.layers.inUse.add(img.chainIds[1]);
    assert.deepEqual(await s.svc.delete(img.id, { force: true }), [{ Deleted: img.id }]);
    assert.equal(s.layers.layers.size, 2);
  }));

test('layers shared with another image stay', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const base = await image(s, [1]);
    const child = await image(s, [1, 2]);
    await s.svc.tag(base.id, 'base');
    const res = await s.svc.delete(child.id);
    assert.deepEqual(res, [{ Deleted: child.id }, { Deleted: child.chainIds[1] }]);
    assert.ok(s.layers.layers.has(diff(1)));
    await assert.rejects(s.svc.delete('nope'), (e: Error & { kind: string }) => e.kind === 'NotFound' && e.message === 'No such image: nope:latest');
  }));

test('digest references of a repository go with its last tag', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const img = await image(s, [1]);
    await s.svc.tag(img.id, 'busybox:1');
    await s.svc.addDigestReference(`busybox@sha256:${'d'.repeat(64)}`, img.id);
    await s.svc.tag(img.id, 'other');
    assert.deepEqual(await s.svc.delete('busybox:1'), [{ Untagged: 'busybox:1' }, { Untagged: `busybox@sha256:${'d'.repeat(64)}` }]);
    assert.deepEqual(s.svc.references(img.id), { repoTags: ['other:latest'], repoDigests: [] });
  }));

test('prune removes dangling images, or with dangling=false every unused one', () =>
  withTempDir(async (dir) => {
    const s = await setup(dir);
    const dangling = await image(s, [1, 2]);
    const tagged = await image(s, [1, 3], { config: { Labels: { keep: 'yes' } } });
    const old = await image(s, [4], { created: '2001-01-01T00:00:00Z' });
    await s.svc.tag(tagged.id, 'tagged');
    await s.svc.tag(old.id, 'old');

    const r1 = await s.svc.prune();
    assert.deepEqual(r1.ImagesDeleted, [{ Deleted: dangling.id }, { Deleted: dangling.chainIds[1] }]);
    assert.equal(r1.SpaceReclaimed, 200);
    assert.deepEqual(await s.svc.prune(), { ImagesDeleted: null, SpaceReclaimed: 0 });

    // until: only images created before the cut; label!: not those labelled keep.
    const r2 = await s.svc.prune({ dangling: ['false'], until: ['2010-01-01T00:00:00Z'] });
    assert.deepEqual(r2.ImagesDeleted, [{ Untagged: 'old:latest' }, { Deleted: old.id }, { Deleted: diff(4) }]);
    assert.equal(r2.SpaceReclaimed, 400);
    s.usage.value = undefined;
    const r3 = await s.svc.prune({ dangling: ['false'], 'label!': ['keep'] });
    assert.equal(r3.ImagesDeleted, null);
    // In use by a container: skipped silently.
    s.usage.value = { containerId: CTR, running: false };
    assert.equal((await s.svc.prune({ dangling: ['false'] })).ImagesDeleted, null);
    s.usage.value = undefined;
    const r4 = await s.svc.prune(new Map([['dangling', ['false']], ['label', ['keep=yes']]]));
    assert.deepEqual(r4.ImagesDeleted, [{ Untagged: 'tagged:latest' }, { Deleted: tagged.id }, { Deleted: tagged.chainIds[1] }, { Deleted: diff(1) }]);
    assert.equal(r4.SpaceReclaimed, 400);

    await assert.rejects(s.svc.prune({ bogus: ['1'] }), /invalid filter 'bogus'/);
    await assert.rejects(s.svc.prune({ dangling: ['maybe'] }), /invalid filter 'dangling=\[maybe\]'/);
    await assert.rejects(s.svc.prune({ until: ['a', 'b'] }), /more than one until filter specified/);
  }));
