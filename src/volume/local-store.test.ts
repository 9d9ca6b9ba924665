// The local volume store: names, options, create/list/remove/prune, references, crash leftovers
// (with a fake mount adapter, no root), and a tmpfs-option volume really mounted (root only).
import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, rm, writeFile, link, symlink, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../common/index.ts';
import { openVolumeStore, matchLabels, matchName, type VolumeEventAction } from './local-store.ts';
import type { MountAdapter } from './mount-adapter.ts';
import { isMountPoint } from '../common/index.ts';
import { ANONYMOUS_LABEL } from './names.ts';
import type { VolumeStore } from './types.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

class FakeMounts implements MountAdapter {
  mounted = new Set<string>();
  calls: string[] = [];
  fail = '';
  mount(source: string, target: string, fstype: string, flags: number, data: string): void {
    this.calls.push(`mount ${source} ${target} ${fstype} ${flags} ${data}`);
    if (this.fail) throw new Error(this.fail);
    this.mounted.add(target);
  }
  unmount(target: string): void {
    this.calls.push(`unmount ${target}`);
    this.mounted.delete(target);
  }
  async isMountPoint(path: string): Promise<boolean> {
    return this.mounted.has(path);
  }
}

async function rejectsWith(p: Promise<unknown>, kind: string, message: string): Promise<void> {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.kind, kind);
    assert.equal(e.message, message);
    return true;
  });
}

describe('local volume store (fake mounts)', () => {
  let root: string;
  let store: VolumeStore;
  let fake: FakeMounts;
  let events: string[];
  const open = async () => openVolumeStore({
    dataRoot: root, log: quiet, mounts: fake, onEvent: (a: VolumeEventAction, v) => events.push(`${a} ${v.name}`),
  });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-vol-'));
    fake = new FakeMounts();
    events = [];
    store = await open();
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('create makes volumes/<name>/_data and a record; get and list find it', async () => {
    const v = await store.create({ name: 'data1', labels: { a: 'b' } });
    assert.equal(v.mountpoint, join(root, 'volumes', 'data1', '_data'));
    assert.equal(v.driver, 'local');
    assert.equal(v.anonymous, false);
    assert.match(v.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.ok((await stat(v.mountpoint)).isDirectory());
    assert.deepEqual(await store.get('data1'), v);
    assert.deepEqual((await store.list()).map((x) => x.name), ['data1']);
    assert.deepEqual(events, ['create data1']);
    // A new store reads it back from disk.
    const again = await open();
    assert.deepEqual(await again.get('data1'), v);
  });

  test('creating an existing name returns the existing volume, options and labels unchanged', async () => {
    const a = await store.create({ name: 'same', labels: { x: '1' } });
    const b = await store.create({ name: 'same', labels: { x: '2' }, driverOpts: { bogus: 'y' } });
    assert.deepEqual(b, a);
    // dockerd logs 'create' for the existing volume too.
    assert.deepEqual(events, ['create same', 'create same']);
  });

  test('20 concurrent creates of one name make one volume', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, () => store.create({ name: 'race' })));
    assert.equal(new Set(all.map((v) => v.createdAt + v.mountpoint)).size, 1);
    assert.deepEqual((await readdir(join(root, 'volumes'))).sort(), ['race']);
    assert.deepEqual(events, Array(20).fill('create race'));
  });

  test('no name: a random 64-hex name and the anonymous label', async () => {
    const v = await store.create({});
    assert.match(v.name, /^[0-9a-f]{64}$/);
    assert.equal(v.labels[ANONYMOUS_LABEL], '');
    assert.equal(v.anonymous, true);
  });

  test('bad names, drivers and options get moby\'s messages and leave nothing', async () => {
    await rejectsWith(store.create({ name: 'a' }), 'InvalidParameter',
      'create a: volume name is too short, names should be at least two alphanumeric characters');
    await rejectsWith(store.create({ name: 'hello world' }), 'InvalidParameter',
      'create hello world: "hello world" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    await rejectsWith(store.create({ name: '../x' }), 'InvalidParameter',
      'create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path');
    await rejectsWith(store.create({ name: 'okname', driver: 'nope' }), 'NotFound',
      'create okname: error looking up volume plugin nope: plugin "nope" not found');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { foo: 'bar' } }), 'InvalidParameter',
      'create okname: invalid option: "foo"');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { type: 'tmpfs' } }), 'InvalidParameter',
      'create okname: missing required option: "device"');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { device: 'tmpfs' } }), 'InvalidParameter',
      'create okname: missing required option: "type"');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { o: 'size=1m' } }), 'InvalidParameter',
      'create okname: missing required option: "device"');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { size: '10m' } }), 'InvalidParameter',
      'create okname: quota size requested but no quota support');
    await rejectsWith(store.create({ name: 'okname', driverOpts: { size: 'lots' } }), 'InvalidParameter',
      "create okname: invalid size: 'lots'");
    await rejectsWith(store.create({ name: 'okname', driverOpts: { type: 'cifs', device: '//host:445/share' } }), 'InvalidParameter',
      "create okname: port not allowed in CIFS device URL, include 'port' in 'o='");
    // A name the filesystem cannot hold: a system error in Go's words, nothing left behind.
    const long = 'x'.repeat(300);
    await assert.rejects(store.create({ name: long }), (e: any) => {
      assert.equal(e.kind, 'System');
      assert.match(e.message, new RegExp(`^create x{256}\\.\\.\\. \\(44 more characters\\): rename \\S+/volumes/\\.tmp-[0-9a-f]+ \\S+/volumes/${long}: file name too long$`));
      return true;
    });
    assert.deepEqual(await readdir(join(root, 'volumes')), []);
    assert.deepEqual(events, []);
  });

  test('get and remove of a missing volume', async () => {
    await rejectsWith(store.get('nope'), 'NotFound', 'get nope: no such volume');
    await rejectsWith(store.remove('nope'), 'NotFound', 'get nope: no such volume');
    await store.remove('nope', { force: true });
  });

  test('create with refBy references the volume under its lock: a remove right behind it is refused', async () => {
    await store.create({ name: 'shared' });
    const made = store.create({ name: 'shared', refBy: 'c9' });
    const removed = store.remove('shared');
    assert.equal((await made).name, 'shared');
    await rejectsWith(removed, 'Conflict', 'remove shared: volume is in use - [c9]');
    const fresh = await store.create({ refBy: 'c8' });
    assert.deepEqual(store.refs(fresh.name), ['c8']);
    store.unref('shared', 'c9');
    store.unref(fresh.name, 'c8');
  });

  test('remove refuses a referenced volume (even with force), then removes it once released', async () => {
    const v = await store.create({ name: 'busy' });
    await writeFile(join(v.mountpoint, 'f'), 'x');
    store.ref('busy', 'c1');
    store.ref('busy', 'c2');
    await rejectsWith(store.remove('busy'), 'Conflict', 'remove busy: volume is in use - [c1, c2]');
    await rejectsWith(store.remove('busy', { force: true }), 'Conflict', 'remove busy: volume is in use - [c1, c2]');
    store.unref('busy', 'c1');
    store.unref('busy', 'c2');
    store.unref('busy', 'c2');
    await store.remove('busy');
    assert.deepEqual(await readdir(join(root, 'volumes')), []);
    assert.deepEqual(events, ['create busy', 'destroy busy']);
    await rejectsWith(store.get('busy'), 'NotFound', 'get busy: no such volume');
  });

  test('remove deletes a symlink in the data, never what it points to', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'keep'), 'k');
    const v = await store.create({ name: 'links' });
    await symlink(outside, join(v.mountpoint, 'escape'));
    await store.remove('links');
    assert.deepEqual(await readdir(outside), ['keep']);
  });

  test('list filters: name (substring/regexp), label, driver, dangling', async () => {
    await store.create({ name: 'alpha', labels: { tier: 'db', keep: '' } });
    await store.create({ name: 'beta', labels: { tier: 'web' } });
    await store.create({ name: 'alphabet' });
    store.ref('beta', 'c1');
    const names = async (f: Parameters<VolumeStore['list']>[0]) => (await store.list(f)).map((v) => v.name).sort();
    assert.deepEqual(await names({ name: ['alpha'] }), ['alpha', 'alphabet']);
    assert.deepEqual(await names({ name: ['^be'] }), ['beta']);
    assert.deepEqual(await names({ label: ['tier'] }), ['alpha', 'beta']);
    assert.deepEqual(await names({ label: ['tier=db'] }), ['alpha']);
    assert.deepEqual(await names({ label: ['tier=db', 'keep'] }), ['alpha']);
    assert.deepEqual(await names({ label: ['tier=db', 'nokey'] }), []);
    assert.deepEqual(await names({ driver: ['local'] }), ['alpha', 'alphabet', 'beta']);
    assert.deepEqual(await names({ driver: ['other'] }), []);
    assert.deepEqual(await names({ dangling: true }), ['alpha', 'alphabet']);
    assert.deepEqual(await names({ dangling: false }), ['beta']);
  });

  test('prune: anonymous unreferenced only by default; all; label and label!; sizes counted', async () => {
    const anon = await store.create({});
    await writeFile(join(anon.mountpoint, 'a'), Buffer.alloc(1000));
    await link(join(anon.mountpoint, 'a'), join(anon.mountpoint, 'hardlink'));
    const anonUsed = await store.create({});
    store.ref(anonUsed.name, 'c1');
    const named = await store.create({ name: 'named', labels: { env: 'test' } });
    await writeFile(join(named.mountpoint, 'b'), Buffer.alloc(500));
    await store.create({ name: 'other', labels: { env: 'prod' } });
    await store.create({ name: 'tmpfsvol', driverOpts: { type: 'tmpfs', device: 'tmpfs' } });

    let r = await store.prune();
    assert.deepEqual(r, { deleted: [anon.name], spaceReclaimed: 1000 });
    r = await store.prune({ all: true, labelNot: ['env=prod'] });
    assert.deepEqual(r, { deleted: ['named'], spaceReclaimed: 500 });
    r = await store.prune({ all: true, label: ['env'] });
    assert.deepEqual(r, { deleted: ['other'], spaceReclaimed: 0 });
    // Volumes with mount options and referenced ones stay, as with moby.
    r = await store.prune({ all: true });
    assert.deepEqual(r, { deleted: [], spaceReclaimed: 0 });
    assert.deepEqual((await store.list()).map((v) => v.name).sort(), [anonUsed.name, 'tmpfsvol'].sort());
  });

  test('usage: bytes under _data with hard links once, and the reference count', async () => {
    const v = await store.create({ name: 'sized' });
    await mkdir(join(v.mountpoint, 'd'));
    await writeFile(join(v.mountpoint, 'd', 'f'), Buffer.alloc(4096));
    await link(join(v.mountpoint, 'd', 'f'), join(v.mountpoint, 'g'));
    await writeFile(join(v.mountpoint, 'h'), 'hello');
    store.ref('sized', 'c1');
    assert.deepEqual(await store.usage('sized'), { size: 4101, refCount: 1 });
  });

  test('mount/unmount: driver options mounted on first mount, unmounted after the last', async () => {
    const v = await store.create({ name: 'tmp', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,nosuid,ro' } });
    assert.equal(await store.mount('tmp', 'c1'), v.mountpoint);
    await store.mount('tmp', 'c2');
    await store.mount('tmp', 'c2');
    assert.deepEqual(fake.calls, [`mount tmpfs ${v.mountpoint} tmpfs 3 size=1m`]);
    await store.unmount('tmp', 'c1');
    assert.ok(fake.mounted.has(v.mountpoint));
    await store.unmount('tmp', 'c2');
    assert.ok(!fake.mounted.has(v.mountpoint));
    await store.unmount('tmp', 'c2'); // idempotent
    assert.equal(fake.calls.length, 2);
    // A plain volume mounts nothing.
    const p = await store.create({ name: 'plain' });
    assert.equal(await store.mount('plain', 'c1'), p.mountpoint);
    assert.equal(fake.calls.length, 2);
    await rejectsWith(store.mount('nope', 'c1'), 'NotFound', 'get nope: no such volume');
  });

  test('a failing mount reports moby\'s prefix and masks passwords', async () => {
    await store.create({ name: 'cifs', driverOpts: { type: 'cifs', device: '//10.0.0.1/share', o: 'addr=10.0.0.1,password=secret' } });
    fake.fail = 'mount //10.0.0.1/share:/x, data: addr=10.0.0.1,password=secret: permission denied';
    await rejectsWith(store.mount('cifs', 'c1'), 'System',
      'failed to mount local volume: mount //10.0.0.1/share:/x, data: addr=10.0.0.1,password=********: permission denied');
  });

  test('reconcile removes half-made and half-removed volumes and unmounts leftovers', async () => {
    const vols = join(root, 'volumes');
    await store.create({ name: 'whole' });
    const left = await store.create({ name: 'left', driverOpts: { type: 'tmpfs', device: 'tmpfs' } });
    const kept = await store.create({ name: 'kept', driverOpts: { type: 'tmpfs', device: 'tmpfs' } });
    // What a kill -9 during create (before the rename) and during remove (after it) leaves.
    await mkdir(join(vols, '.tmp-deadbeef', '_data'), { recursive: true });
    await mkdir(join(vols, '.rm-cafe', '_data', 'sub'), { recursive: true });
    await writeFile(join(vols, '.rm-cafe', '_data', 'sub', 'f'), 'x');
    await writeFile(join(vols, '.volume.json.abc.tmp'), '{');
    fake.mounted.add(left.mountpoint);
    fake.mounted.add(kept.mountpoint);
    const restarted = await open();
    await restarted.reconcile(new Map([['kept', ['c9']]]));
    assert.deepEqual((await readdir(vols)).sort(), ['kept', 'left', 'whole']);
    assert.ok(!fake.mounted.has(left.mountpoint));
    assert.ok(fake.mounted.has(kept.mountpoint));
    assert.deepEqual(restarted.refs('kept'), ['c9']);
    // kept is known mounted: the last unmount takes it off without mounting again.
    await restarted.unmount('kept', 'c9');
    assert.ok(!fake.mounted.has(kept.mountpoint));
    assert.ok(!fake.calls.some((c) => c.startsWith('mount ')) || fake.calls.filter((c) => c.startsWith('mount ')).length === 0);
  });
});

test('matchLabels and matchName follow moby\'s filters.Args', () => {
  assert.equal(matchLabels([], {}), true);
  assert.equal(matchLabels(['a'], {}), false);
  assert.equal(matchLabels(['a=1'], { a: '1' }), true);
  assert.equal(matchLabels(['a=1'], { a: '2' }), false);
  assert.equal(matchLabels(['a='], { a: '' }), true);
  assert.equal(matchName(['[bad'], '[bad'), true);
  assert.equal(matchName(['[bad'], 'x'), false);
});

describe('bind-option volume, really mounted', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  test('o=bind shows the device directory; removing the volume never deletes the bind source', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-vol-bind-'));
    const src = join(root, 'host-src');
    await mkdir(src);
    await writeFile(join(src, 'precious'), 'keep me');
    const store = await openVolumeStore({ dataRoot: root, log: quiet });
    try {
      const v = await store.create({ name: 'bindv', driverOpts: { type: 'none', device: src, o: 'bind' } });
      await store.mount('bindv', 'c1');
      assert.equal(await isMountPoint(v.mountpoint), true);
      assert.deepEqual(await readdir(v.mountpoint), ['precious']);
      await writeFile(join(v.mountpoint, 'written'), 'x');
      // Mounted for a container: in use, even though nothing called ref().
      await rejectsWith(store.remove('bindv'), 'Conflict', 'remove bindv: volume is in use - [c1]');
      await store.unmount('bindv', 'c1');
      assert.equal(await isMountPoint(v.mountpoint), false);
      // Left mounted (as by a dead daemon), then removed: unmounted first, the source kept.
      await store.mount('bindv', 'c2');
      const again = await openVolumeStore({ dataRoot: root, log: quiet });
      await again.remove('bindv');
      assert.deepEqual((await readdir(src)).sort(), ['precious', 'written']);
      assert.deepEqual(await readdir(join(root, 'volumes')), []);
    } finally {
      for (const line of (await import('node:fs')).readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const mp = line.split(' ')[4];
        if (mp?.startsWith(root)) (await import('./syscalls.linux.ts')).umount2(mp, 2);
      }
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('tmpfs-option volume, really mounted', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  test('mounted on first mount with its size, unmounted on the last unmount and by remove', async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-vol-root-'));
    const store = await openVolumeStore({ dataRoot: root, log: quiet });
    try {
      const v = await store.create({ name: 'tmpv', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,mode=0750' } });
      assert.equal(await isMountPoint(v.mountpoint), false);
      await store.mount('tmpv', 'c1');
      assert.equal(await isMountPoint(v.mountpoint), true);
      assert.equal((await stat(v.mountpoint)).mode & 0o777, 0o750);
      // The size limit is the tmpfs's: writing 2 MiB fails.
      await assert.rejects(writeFile(join(v.mountpoint, 'big'), Buffer.alloc(2 * 1024 * 1024)), /ENOSPC/);
      await store.unmount('tmpv', 'c1');
      assert.equal(await isMountPoint(v.mountpoint), false);
      // Left mounted by a dead daemon: reconcile of a new store takes it off.
      await store.mount('tmpv', 'c2');
      const again = await openVolumeStore({ dataRoot: root, log: quiet });
      await again.reconcile(new Map());
      assert.equal(await isMountPoint(v.mountpoint), false);
      // A bad option is the kernel's error with moby's wording.
      await store.create({ name: 'badtmp', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=oops' } });
      await assert.rejects(store.mount('badtmp', 'c1'), /^BerthError|failed to mount local volume: mount tmpfs:.*data: size=oops: invalid argument/);
      assert.equal(await isMountPoint(join(root, 'volumes', 'badtmp', '_data')), false);
      await store.unmount('tmpv', 'c2'); // already off: no error
      // A volume mounted for a container is in use; once let go it is removed, unmounted.
      await store.mount('tmpv', 'c4');
      await rejectsWith(store.remove('tmpv'), 'Conflict', 'remove tmpv: volume is in use - [c4]');
      await store.unmount('tmpv', 'c4');
      await store.remove('tmpv');
      assert.equal(await isMountPoint(v.mountpoint), false);
      assert.deepEqual((await readdir(join(root, 'volumes'))).sort(), ['badtmp']);
    } finally {
      for (const line of (await import('node:fs')).readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
        const mp = line.split(' ')[4];
        if (mp?.startsWith(root)) (await import('./syscalls.linux.ts')).umount2(mp, 2);
      }
      await rm(root, { recursive: true, force: true });
    }
  });
});
