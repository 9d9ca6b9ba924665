// A container's mounts over fake boxes (an in-memory volume store): MountPoints at create,
// volumes made and undone, --volumes-from, mounts at start and unmounts at exit, rm -v, the
// references and mounts a restarted daemon rebuilds, and the propagation checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { invalidParameter, notFound } from '../../common/index.ts';
import { FakeVolumes, harness, withHarness, settle, type Harness } from './containers-test-helpers.ts';
import { startContainer } from './start.ts';
import { stopContainer } from './stop.ts';
import { removeContainer } from './delete.ts';
import { restoreContainers } from './restore.ts';
import { pathsOf } from './container.ts';
import { setupMounts, sourceMountOf } from './mount-points.ts';

const volumeEvents = (h: Harness) => h.events.filter((e) => e.Type === 'volume').map((e) => `${e.Action} ${e.Actor.ID}`);

test('create: -v name, --mount volume and tmpfs, binds and image VOLUMEs become MountPoints in Docker\'s shape', () => withHarness(async (h) => {
  const id = await h.create('cc', {
    Binds: ['named:/n:ro', '/host/dir:/b:ro,rslave'],
    Mounts: [{ Type: 'volume', Source: 'other', Target: '/o', VolumeOptions: { NoCopy: true, Labels: { l: '1' } } }, { Type: 'tmpfs', Target: '/t' }],
    Tmpfs: { '/run': '' },
  }, { Volumes: { '/img': {}, '/n': {}, '/run': {} } });
  const mps = h.ctx.store.get(id).rec.MountPoints!;
  assert.deepEqual(Object.keys(mps).sort(), ['/b', '/img', '/n', '/o', '/t'], 'image VOLUMEs under another mount or a tmpfs make no volume');
  assert.deepEqual(mps['/n'], {
    Type: 'volume', Source: h.volumes.volumes.get('named')!.mountpoint, Destination: '/n', RW: false, Name: 'named', Driver: 'local', Relabel: 'ro', Propagation: '',
  });
  assert.deepEqual(mps['/b'], { Type: 'bind', Source: '/host/dir', Destination: '/b', RW: false, Name: '', Driver: '', Relabel: 'ro,rslave', Propagation: 'rslave' });
  assert.equal(mps['/o']!.Relabel, 'z');
  assert.equal(mps['/o']!.NoCopy, true);
  assert.deepEqual(h.volumes.volumes.get('other')!.labels, { l: '1' });
  assert.deepEqual([mps['/t']!.Type, mps['/t']!.RW], ['tmpfs', true]);
  const anon = mps['/img']!;
  assert.equal(anon.Relabel, '');
  assert.equal(h.volumes.volumes.get(anon.Name)!.anonymous, true);
  for (const name of ['named', 'other', anon.Name]) assert.deepEqual(h.volumes.refs(name), [id], name);
}));

test('create: a failure after volumes were made removes the anonymous ones and lets go of the rest', () => withHarness(async (h) => {
  h.volumes.createError = (o) => (o.anonymous ? invalidParameter('create broken: no') : undefined);
  await assert.rejects(h.create('xx', { Binds: ['keep:/k'] }, { Volumes: { '/a': {} } }), /create broken/);
  h.volumes.createError = undefined;
  // The named one was made first and stays (Docker does not remove named volumes), unreferenced.
  assert.deepEqual([...h.volumes.volumes.keys()], ['keep']);
  assert.deepEqual(h.volumes.refs('keep'), []);
  h.layers.createRW = async () => {
    throw new Error('no layer');
  };
  await assert.rejects(h.create('yy', {}, { Volumes: { '/a': {} } }), /no layer/);
  assert.deepEqual([...h.volumes.volumes.keys()], ['keep'], 'the anonymous volume was removed again');
  assert.equal(h.ctx.store.all().length, 0);
  // A missing volume or driver is the request's fault (a 404 would make the docker CLI pull).
  h.volumes.createError = () => notFound('create v: error looking up volume plugin nfs: plugin "nfs" not found');
  await assert.rejects(h.create('zz', { Binds: ['vv:/v'] }), { kind: 'InvalidParameter', message: /plugin "nfs" not found/ });
}));

test('create: --volumes-from copies the other container\'s mounts (ro when asked); -v replaces one; unknown containers are a 400', () => withHarness(async (h) => {
  const src = await h.create('src', { Binds: ['shared:/s', '/host:/h', 'gone:/g'] });
  const id = await h.create('user', { VolumesFrom: ['src:ro'], Binds: ['mine:/g'] });
  const mps = h.ctx.store.get(id).rec.MountPoints!;
  assert.deepEqual([mps['/s']!.Name, mps['/s']!.RW, mps['/s']!.Relabel, mps['/s']!.NoCopy], ['shared', false, '', true]);
  assert.deepEqual([mps['/h']!.Source, mps['/h']!.RW], ['/host', false]);
  assert.equal(mps['/g']!.Name, 'mine');
  assert.deepEqual(h.volumes.refs('shared').sort(), [src, id].sort());
  assert.deepEqual(h.volumes.refs('gone'), [src], 'a replaced volume is not referenced by the new container');
  await assert.rejects(h.create('bad', { VolumesFrom: ['nope'] }), { kind: 'InvalidParameter', message: 'No such container: nope' });
  await assert.rejects(h.create('bad', { VolumesFrom: ['src:nocopy'] }), { kind: 'InvalidParameter', message: 'invalid mode: nocopy' });
}));

test('start mounts each volume once with mount events; the exit unmounts them with unmount events', () => withHarness(async (h) => {
  const id = await h.create('mm', { Binds: ['v1:/a', 'v1:/b:ro'] });
  await startContainer(h.ctx, id);
  assert.deepEqual(h.volumes.calls.filter((c) => c.startsWith('mount')), [`mount v1 ${id}`]);
  const mount = h.events.find((e) => e.Type === 'volume' && e.Action === 'mount' && e.Actor.Attributes.destination === '/b')!;
  assert.deepEqual(mount.Actor.Attributes, { container: id, destination: '/b', driver: 'local', propagation: '', 'read/write': 'false' });
  h.runtime.exit(id, 0);
  await settle();
  assert.deepEqual(h.volumes.calls.filter((c) => c.startsWith('unmount')), [`unmount v1 ${id}`]);
  assert.deepEqual(volumeEvents(h), ['mount v1', 'mount v1', 'unmount v1', 'unmount v1']);
  assert.equal(h.volumes.mounted.size, 0);
}));

test('a start that fails after mounting volumes unmounts them', () => withHarness(async (h) => {
  const id = await h.create('ff', { Binds: ['v2:/a'], LogConfig: { Type: 'json-file', Config: { 'max-size': 'bad' } } });
  await assert.rejects(startContainer(h.ctx, id));
  assert.deepEqual(h.volumes.calls.filter((c) => /mount/.test(c)), [`mount v2 ${id}`, `unmount v2 ${id}`]);
}));

test('rm keeps anonymous volumes (dangling); rm -v removes those no other container uses; named ones always stay', () => withHarness(async (h) => {
  const a = await h.create('aa', { Binds: ['named:/n'] }, { Volumes: { '/anon': {} } });
  const anonA = h.ctx.store.get(a).rec.MountPoints!['/anon']!.Name;
  await removeContainer(h.ctx, a, { force: false, volumes: false });
  assert.ok(h.volumes.volumes.has(anonA));
  assert.deepEqual(h.volumes.refs(anonA), []);
  const b = await h.create('bb', { Binds: ['named:/n'] }, { Volumes: { '/anon': {} } });
  const anonB = h.ctx.store.get(b).rec.MountPoints!['/anon']!.Name;
  const c = await h.create('cc', { VolumesFrom: ['bb'] });
  await removeContainer(h.ctx, b, { force: false, volumes: true });
  assert.ok(h.volumes.volumes.has(anonB), 'still used by c');
  await removeContainer(h.ctx, c, { force: false, volumes: true });
  assert.ok(!h.volumes.volumes.has(anonB), 'removed with the last container that used it');
  assert.ok(h.volumes.volumes.has('named'));
  // --rm removes its anonymous volumes, as Docker's auto-remove does.
  const d = await h.create('dd', { AutoRemove: true }, { Volumes: { '/x': {} } });
  const anonD = h.ctx.store.get(d).rec.MountPoints!['/x']!.Name;
  await startContainer(h.ctx, d);
  h.runtime.exit(d, 0);
  await settle();
  assert.ok(!h.volumes.volumes.has(anonD));
}));

test('restore: references rebuilt; the volumes of live-restored containers reconciled as mounted, the rest unmounted', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-mp-restore-'));
  const volumes = new FakeVolumes(dir);
  try {
    const first = await harness({ dataRoot: dir, volumes });
    const live = await first.create('live', { Binds: ['lv:/l', 'both:/b'] });
    const dead = await first.create('dead', { Binds: ['dv:/d', 'both:/b'] });
    await startContainer(first.ctx, live);
    await startContainer(first.ctx, dead);
    await first.cleanup();
    // The daemon died: the store forgets its references; its mounts are what reconcile decides.
    for (const n of ['lv', 'dv', 'both']) for (const id of [live, dead]) volumes.unref(n, id);
    const second = await harness({ dataRoot: dir, volumes });
    second.runtime.setAlive(live, pathsOf(second.ctx, live).stateDir);
    await restoreContainers(second.ctx, true);
    assert.deepEqual(volumes.refs('lv'), [live]);
    assert.deepEqual(volumes.refs('dv'), [dead]);
    assert.deepEqual(volumes.refs('both').sort(), [live, dead].sort());
    assert.equal(volumes.calls.at(-1), `reconcile ${JSON.stringify([['lv', [live]], ['both', [live]]])}`);
    assert.deepEqual([...volumes.mounted.keys()].sort(), ['both', 'lv']);
    await stopContainer(second.ctx, live, { timeout: 0 });
    await settle();
    assert.deepEqual([...volumes.mounted.keys()], []);
    await second.cleanup();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('binds of the data root get rslave unless rslave/rshared is asked; other propagations refused', () => withHarness(async (h) => {
  const root = h.ctx.dataRoot;
  const id = await h.create('rr', { Binds: [`${root}/x:/x`, '/:/host'] });
  const mps = h.ctx.store.get(id).rec.MountPoints!;
  assert.deepEqual([mps['/x']!.Propagation, mps['/host']!.Propagation], ['rslave', 'rslave']);
  await assert.rejects(h.create('pp', { Binds: [`${root}:/r:private`] }), /must use either propagation mode "rslave" or "rshared" when mount source is within the daemon root/);
  const ok = await h.create('ss', { Binds: [`${root}:/r:rshared`] });
  assert.equal(h.ctx.store.get(ok).rec.MountPoints!['/r']!.Propagation, 'rshared');
}));

test('shared and slave binds: the source mount must be shared (or a slave); the rootfs propagation follows', () => withHarness(async (h) => {
  const srv = join(dirname(h.ctx.dataRoot), 'srv');
  for (const d of ['shared/a', 'slave/x', 'plain', 'with space/x']) await mkdir(join(srv, d), { recursive: true });
  const mountinfo = [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    `45 27 0:50 / ${srv}/shared rw shared:7 - tmpfs t rw`,
    `46 27 0:51 / ${srv}/slave rw master:3 - tmpfs t rw`,
    `47 27 0:52 / ${srv}/with\\040space rw shared:9 - tmpfs t rw`,
  ].join('\n');
  assert.deepEqual(sourceMountOf(mountinfo, `${srv}/shared/a/b`), { mountPoint: `${srv}/shared`, optional: ['shared:7'] });
  assert.deepEqual(sourceMountOf(mountinfo, `${srv}/sharedx`), { mountPoint: '/', optional: [] });
  assert.deepEqual(sourceMountOf(mountinfo, `${srv}/with space/x`), { mountPoint: `${srv}/with space`, optional: ['shared:9'] });
  const setup = async (binds: string[]) => {
    const id = await h.create(undefined, { Binds: binds.map((b) => `${srv}/${b}`) });
    return setupMounts(h.ctx, h.ctx.store.get(id), '/nonexistent-rootfs', { copyUp: false, recursiveReadonly: false, mounted: new Set(), readMountinfo: async () => mountinfo, stage: () => '', unstage: () => {} });
  };
  const shared = await setup(['shared/a:/a:rshared', 'slave:/s:slave']);
  assert.equal(shared.rootfsPropagation, 'shared');
  assert.deepEqual(shared.mounts.map((m) => m.options.at(-1)), ['rshared', 'slave']);
  assert.equal((await setup(['slave/x:/x:rslave', 'shared:/y:slave'])).rootfsPropagation, 'rslave');
  assert.equal((await setup(['slave:/x:rprivate'])).rootfsPropagation, undefined);
  await assert.rejects(setup(['slave:/x:shared']), { message: `path ${srv}/slave is mounted on ${srv}/slave but it is not a shared mount` });
  await assert.rejects(setup(['plain:/x:rslave']), { message: `path ${srv}/plain is mounted on / but it is not a shared or slave mount` });
}));

test('a bind over the data root on a private mount: the rslave it got falls back to the default at start; one asked for fails', () => withHarness(async (h) => {
  // docker-compose binds its project directory (`./:/src`); a data root below it gets rslave at
  // create, and a private source mount must not make the start fail (moby WithMounts).
  const above = dirname(h.ctx.dataRoot);
  const mountinfo = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw';
  const setup = async (hc: Parameters<Harness['create']>[1]) => {
    const id = await h.create(undefined, hc);
    return setupMounts(h.ctx, h.ctx.store.get(id), '/nonexistent-rootfs', { copyUp: false, recursiveReadonly: false, mounted: new Set(), readMountinfo: async () => mountinfo, stage: () => '', unstage: () => {} });
  };
  const implicit = await setup({ Binds: [`${above}:/src:ro`], Mounts: [{ Type: 'bind', Source: above, Target: '/m' }] });
  assert.equal(implicit.rootfsPropagation, undefined);
  assert.deepEqual(implicit.mounts.map((m) => m.destination).sort(), ['/m', '/src']);
  assert.equal(h.warnings.filter((w) => w === 'Falling back to default propagation for bind source in daemon root').length, 2);
  const refused = `path ${above} is mounted on / but it is not a shared or slave mount`;
  await assert.rejects(setup({ Binds: [`${above}:/src:ro,rslave`] }), { message: refused });
  await assert.rejects(setup({ Mounts: [{ Type: 'bind', Source: above, Target: '/m', BindOptions: { Propagation: 'rslave' } }] }), { message: refused });
  // Outside the data root, an rslave bind of a private mount fails as before.
  await assert.rejects(setup({ Binds: ['/srv:/srv:rslave'] }), { message: 'path /srv is mounted on / but it is not a shared or slave mount' });
}));

test('a volume subpath is staged through an fd opened inside the volume, and unstaged on release', () => withHarness(async (h) => {
  const id = await h.create('sp', { Mounts: [{ Type: 'volume', Source: 'subv', Target: '/c', VolumeOptions: { Subpath: 'up/app' } }] });
  const data = h.volumes.volumes.get('subv')!.mountpoint;
  await mkdir(join(data, 'app'));
  await symlink('/', join(data, 'up'));
  const staged: string[] = [];
  const unstaged: string[] = [];
  const setup = () => setupMounts(h.ctx, h.ctx.store.get(id), '/nonexistent-rootfs', {
    copyUp: false, recursiveReadonly: false, mounted: new Set(), readMountinfo: async () => '',
    stage: (fd, name) => {
      staged.push(readlinkSync(`/proc/self/fd/${fd}`));
      return `/staged/${name}`;
    },
    unstage: (path) => void unstaged.push(path),
  });
  const started = await setup();
  assert.equal(started.mounts[0]!.source, `/staged/${id}-0`);
  assert.deepEqual(staged, [join(data, 'app')], '"up" -> "/" stays inside the volume');
  started.release();
  started.release();
  assert.deepEqual(unstaged, [`/staged/${id}-0`]);
  await rm(join(data, 'app'), { recursive: true });
  await assert.rejects(setup(), { kind: 'InvalidParameter', message: /cannot access path "up\/app" in volume/ });
}));
