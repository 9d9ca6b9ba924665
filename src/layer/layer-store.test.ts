// The layer store against both drivers, as root, in temp data roots under /tmp.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, readlink, rm, writeFile, lstat, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { TarWriter } from '../common/index.ts';
import { openLayerStore } from './index.ts';
import type { LayerStore } from './index.ts';
import { lgetxattr, umount2, MNT_DETACH } from './syscalls.linux.ts';
import { readMountInfo } from '../common/index.ts';

interface Spec {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'fifo';
  data?: string;
  link?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  xattrs?: Record<string, Buffer>;
  major?: number;
  minor?: number;
}

async function tarOf(specs: Spec[]): Promise<Buffer> {
  const w = new TarWriter();
  const out = (async () => {
    const chunks: Buffer[] = [];
    for await (const c of w.readable) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  })();
  for (const s of specs) {
    const h = { name: s.name, mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime ?? 1_600_000_000, xattrs: s.xattrs };
    switch (s.type ?? 'file') {
      case 'file': {
        const data = Buffer.from(s.data ?? '');
        await w.addFile({ ...h, size: data.length }, data);
        break;
      }
      case 'dir': await w.addDir(h); break;
      case 'symlink': await w.addSymlink(h, s.link!); break;
      case 'hardlink': await w.addHardlink(h, s.link!); break;
      case 'char': await w.addDevice(h, 'char', s.major ?? 0, s.minor ?? 0); break;
      case 'fifo': await w.addDevice(h, 'fifo'); break;
    }
  }
  await w.finish();
  return out;
}

const source = (b: Uint8Array, chunk = 1000) => (async function* () {
  for (let i = 0; i < b.length; i += chunk) yield b.subarray(i, i + chunk);
})();
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const BASE: Spec[] = [
  { name: 'a', type: 'dir', mode: 0o755 },
  { name: 'a/1', data: 'one' },
  { name: 'a/2', data: 'two' },
  { name: 'b', type: 'dir' },
  { name: 'b/x', data: 'bx' },
  { name: 'bin', type: 'dir' },
  { name: 'bin/sh', data: '#!shell', mode: 0o755, uid: 1000, gid: 1001, xattrs: { 'user.note': Buffer.from('hi'), 'trusted.evil': Buffer.from('y') } },
  { name: 'bin/ash', type: 'hardlink', link: '/bin/sh' },
  { name: 'bin/su', data: 'su', mode: 0o4755 },
  { name: 'dev', type: 'dir' },
  { name: 'dev/null', type: 'char', major: 1, minor: 3, mode: 0o666 },
  { name: 'dev/pipe', type: 'fifo' },
  { name: 'etc', type: 'dir', mtime: 1_500_000_000 },
  { name: 'etc/hosts', data: '127.0.0.1 localhost\n' },
  { name: 'etc/sh', type: 'symlink', link: '../bin/sh' },
];
const CHILD: Spec[] = [
  { name: 'a', type: 'dir' },
  { name: 'a/.wh..wh..opq' },
  { name: 'a/3', data: 'three' },
  { name: 'etc/.wh.hosts' },
  { name: 'new.txt', data: 'new' },
];

const mountsUnder = async (dir: string) => (await readMountInfo()).filter((m) => m.mountPoint.startsWith(dir + '/')).map((m) => m.mountPoint);

function layerSuite(driver: 'overlay2' | 'vfs') {
  describe(`layer store (${driver})`, () => {
    let tmp: string;
    let dataRoot: string;
    let victim: string;
    let store: LayerStore;
    const home = () => (driver === 'overlay2' ? join(dataRoot, 'overlay2') : join(dataRoot, 'vfs', 'dir'));
    /** Everything that could be left behind: driver dirs, overlay2 links, layerdb records. */
    const snapshot = async () => {
      const l = driver === 'overlay2' ? await readdir(join(home(), 'l')) : [];
      return {
        driver: (await readdir(home())).filter((n) => n !== 'l').sort(),
        links: l.sort(),
        layerdb: (await readdir(join(dataRoot, 'image/layerdb/sha256'))).sort(),
        mounts: (await readdir(join(dataRoot, 'image/layerdb/mounts'))).sort(),
      };
    };

    before(async () => {
      tmp = await mkdtemp(join(tmpdir(), `berth-layer-${driver}-`));
      dataRoot = join(tmp, 'root');
      victim = join(tmp, 'victim');
      await mkdir(victim);
      store = await openLayerStore({ dataRoot, driver });
    });

    after(async () => {
      for (const m of (await mountsUnder(tmp)).reverse()) umount2(m, MNT_DETACH);
      await rm(tmp, { recursive: true, force: true });
    });

    test('uses the requested driver', () => {
      assert.equal(store.driverName, driver);
    });

    test('base + child with whiteout and opaque dir; RW layer shows the merged view; writes go to the upper dir', async () => {
      const baseTar = await tarOf(BASE);
      const base = await store.register(source(baseTar), null, sha(baseTar));
      assert.equal(base.chainId, sha(baseTar));
      assert.equal(base.diffId, sha(baseTar));
      assert.equal(base.parent, null);
      assert.equal(base.size, 3 + 3 + 2 + 7 + 2 + 20 + '../bin/sh'.length, 'files once (the hard link not again), a symlink by its target');
      const childTar = await tarOf(CHILD);
      const child = await store.register(source(childTar), base.chainId);
      assert.equal(child.diffId, sha(childTar));
      assert.equal(child.chainId, `sha256:${createHash('sha256').update(`${base.chainId} ${child.diffId}`).digest('hex')}`);
      assert.deepEqual((await store.list()).map((l) => l.chainId).sort(), [base.chainId, child.chainId].sort());
      assert.deepEqual(await store.get(child.chainId), child);

      // Layerdb as Docker lays it out.
      const rec = join(dataRoot, 'image/layerdb/sha256', child.chainId.slice(7));
      assert.equal(await readFile(join(rec, 'diff'), 'utf8'), child.diffId);
      assert.equal(await readFile(join(rec, 'parent'), 'utf8'), base.chainId);
      assert.equal(await readFile(join(rec, 'cache-id'), 'utf8'), child.cacheId);

      // The base layer's files, metadata and xattr filtering.
      const baseDir = driver === 'overlay2' ? join(home(), base.cacheId, 'diff') : join(home(), base.cacheId);
      const sh = await lstat(join(baseDir, 'bin/sh'));
      assert.deepEqual([sh.mode & 0o7777, sh.uid, sh.gid, sh.nlink, sh.mtimeMs], [0o755, 1000, 1001, 2, 1_600_000_000_000]);
      assert.equal((await lstat(join(baseDir, 'bin/ash'))).ino, sh.ino);
      assert.equal((await lstat(join(baseDir, 'bin/su'))).mode & 0o7777, 0o4755);
      assert.deepEqual(lgetxattr(join(baseDir, 'bin/sh'), 'user.note'), Buffer.from('hi'));
      assert.equal(lgetxattr(join(baseDir, 'bin/sh'), 'trusted.evil'), null);
      assert.ok((await lstat(join(baseDir, 'dev/null'))).isCharacterDevice());
      assert.equal((await lstat(join(baseDir, 'dev/null'))).rdev, (1 << 8) | 3);
      assert.ok((await lstat(join(baseDir, 'dev/pipe'))).isFIFO());
      assert.equal(await readlink(join(baseDir, 'etc/sh')), '../bin/sh');
      assert.equal((await lstat(join(baseDir, 'etc'))).mtimeMs, 1_500_000_000_000);

      // The child's whiteouts, in the driver's own form.
      const childDir = driver === 'overlay2' ? join(home(), child.cacheId, 'diff') : join(home(), child.cacheId);
      if (driver === 'overlay2') {
        const wh = await lstat(join(childDir, 'etc/hosts'));
        assert.ok(wh.isCharacterDevice() && wh.rdev === 0);
        assert.deepEqual(lgetxattr(join(childDir, 'a'), 'trusted.overlay.opaque'), Buffer.from('y'));
        assert.equal(await readFile(join(home(), child.cacheId, 'lower'), 'utf8'), `l/${await readFile(join(home(), base.cacheId, 'link'), 'utf8')}`);
        assert.equal(await readlink(join(home(), 'l', await readFile(join(home(), base.cacheId, 'link'), 'utf8'))), `../${base.cacheId}/diff`);
      } else {
        await assert.rejects(lstat(join(childDir, 'etc/hosts')), { code: 'ENOENT' });
        assert.deepEqual((await readdir(join(childDir, 'a'))).sort(), ['3']);
      }
      const gd = await store.graphDriverData(child.chainId);
      assert.equal(gd.Name, driver);
      if (driver === 'overlay2') assert.equal(gd.Data.LowerDir, join(home(), base.cacheId, 'diff'));

      await store.createRW('c1', child.chainId);
      await assert.rejects(store.createRW('c1', child.chainId), { kind: 'Conflict' });
      const rootfs = await store.mountRW('c1');
      assert.equal(await store.mountRW('c1'), rootfs); // idempotent
      if (driver === 'overlay2') assert.deepEqual(await mountsUnder(tmp), [rootfs]);
      assert.deepEqual((await readdir(join(rootfs, 'a'))).sort(), ['3']);
      // The init layer under the RW layer (moby's -init) brings the runtime's mount points back, empty.
      assert.equal(await readFile(join(rootfs, 'etc/hosts'), 'utf8'), '');
      assert.equal(await readlink(join(rootfs, 'etc/mtab')), '/proc/mounts');
      assert.ok((await lstat(join(rootfs, '.dockerenv'))).isFile());
      assert.equal(await readFile(join(rootfs, 'b/x'), 'utf8'), 'bx');
      assert.equal(await readFile(join(rootfs, 'etc/sh'), 'utf8'), '#!shell');
      assert.equal(await readFile(join(rootfs, 'new.txt'), 'utf8'), 'new');

      await writeFile(join(rootfs, 'written.txt'), 'x'.repeat(1234));
      assert.ok((await store.rwSize('c1')) >= 1234);
      assert.ok((await store.rwSize('c1')) < 1234 + 100);
      await assert.rejects(lstat(join(baseDir, 'written.txt')), { code: 'ENOENT' });
      await assert.rejects(lstat(join(childDir, 'written.txt')), { code: 'ENOENT' });
      const rwData = await store.rwGraphDriverData('c1');
      if (driver === 'overlay2') {
        assert.deepEqual(Object.keys(rwData.Data).sort(), ['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir']);
        assert.equal(rwData.Data.MergedDir, rootfs);
        // Docker's order: the init layer, then the image's layers top first.
        assert.equal(rwData.Data.LowerDir, `${rwData.Data.UpperDir.replace(/\/diff$/, '-init/diff')}:${childDir}:${baseDir}`);
        assert.equal(await readFile(join(rwData.Data.UpperDir, 'written.txt'), 'utf8'), 'x'.repeat(1234));
      }

      // Nothing can be deleted from under a layer or a container.
      await assert.rejects(store.delete(base.chainId), { kind: 'Conflict' });
      await assert.rejects(store.delete(child.chainId), { kind: 'Conflict' });

      await store.unmountRW('c1');
      await store.unmountRW('c1');
      assert.deepEqual(await mountsUnder(tmp), []);
      assert.equal(await store.mountRW('c1'), rootfs); // again after unmount
      await store.removeRW('c1'); // unmounts first
      await store.removeRW('c1');
      assert.deepEqual(await mountsUnder(tmp), []);
      await assert.rejects(store.mountRW('c1'), { kind: 'NotFound' });
      await store.delete(child.chainId);
      await assert.rejects(store.delete(child.chainId), { kind: 'NotFound' });
      await store.delete(base.chainId);
      assert.deepEqual(await store.list(), []);
      assert.deepEqual(await snapshot(), { driver: [], links: [], layerdb: [], mounts: [] });
    });

    test('parentReady: a layer registered while its parent is still coming is committed on it, after it', async () => {
      const parentTar = await tarOf([{ name: 'p', type: 'dir' }, { name: 'p/f', data: `parent of ${driver}` }]);
      const childTar = await tarOf([{ name: 'p/g', data: `child of ${driver}` }]);
      let resolveParent!: () => void;
      const parentReady = new Promise<void>((r) => (resolveParent = r));
      let childRead = false;
      const childSource = (async function* () {
        yield* source(childTar);
        childRead = true;
      })();
      const child = store.register(childSource, sha(parentTar), sha(childTar), parentReady);
      let childDone = false;
      void child.then(() => (childDone = true), () => {});
      await new Promise((r) => setTimeout(r, 200));
      // overlay2 applies the diff before the parent exists; vfs copies the parent, so it waits.
      assert.equal(childRead, driver === 'overlay2');
      assert.equal(childDone, false, 'not committed before its parent');
      const parent = await store.register(source(parentTar), null, sha(parentTar));
      resolveParent();
      const c = await child;
      assert.equal(c.parent, parent.chainId);
      assert.equal(c.chainId, `sha256:${createHash('sha256').update(`${parent.chainId} ${sha(childTar)}`).digest('hex')}`);
      const rw = await store.createRW(`ready-${driver}`, c.chainId).then(() => store.mountRW(`ready-${driver}`));
      assert.equal(await readFile(join(rw, 'p/f'), 'utf8'), `parent of ${driver}`);
      assert.equal(await readFile(join(rw, 'p/g'), 'utf8'), `child of ${driver}`);
      await store.removeRW(`ready-${driver}`);
      await store.delete(c.chainId);
      await store.delete(parent.chainId);
    });

    test('parentReady rejected: the registration fails and leaves nothing behind', async () => {
      const before = await snapshot();
      const tar = await tarOf([{ name: 'orphan', data: `orphan of ${driver}` }]);
      const failed = Promise.reject(new Error('parent layer failed'));
      failed.catch(() => {}); // the store awaits it only after the apply (overlay2)
      await assert.rejects(store.register(source(tar), sha(tar), sha(tar), failed), /parent layer failed/);
      assert.deepEqual(await snapshot(), before);
    });

    test('register is idempotent; gzip and zstd give the same diff ID', async () => {
      const tar = await tarOf([{ name: 'f', data: 'same' }]);
      const a = await store.register(source(tar), null);
      const before = await snapshot();
      const b = await store.register(source(gzipSync(tar)), null);
      const c = await store.register(source(zstdCompressSync(tar)), null, sha(tar));
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      assert.deepEqual(await snapshot(), before);
      // A known layer is still verified against the stream.
      const other = await tarOf([{ name: 'f', data: 'different' }]);
      await assert.rejects(store.register(source(other), null, sha(tar)), { kind: 'InvalidParameter' });
      await store.delete(a.chainId);
    });

    test('RW layers made at once: one per container id, and an image layer is never deleted from under them', async () => {
      const tar = await tarOf([{ name: 'base-file', data: 'x' }]);
      const base = await store.register(source(tar), null);
      const ids = Array.from({ length: 8 }, (_, i) => `par${i}`);
      // Eight containers at once, a duplicate of one of them, and a delete of their parent layer
      // sent while they are being made: the duplicate and the delete are refused, nothing is half-made.
      const results = await Promise.allSettled([...ids.map((id) => store.createRW(id, base.chainId)), store.createRW('par0', base.chainId), store.delete(base.chainId)]);
      assert.deepEqual(results.slice(0, 8).map((r) => r.status), Array(8).fill('fulfilled'));
      assert.equal(results[8]!.status, 'rejected');
      assert.equal((results[8] as PromiseRejectedResult).reason.kind, 'Conflict');
      assert.equal(results[9]!.status, 'rejected');
      assert.match((results[9] as PromiseRejectedResult).reason.message, /is in use by container par/);
      const roots = await Promise.all(ids.map((id) => store.mountRW(id)));
      for (const r of roots) assert.equal(await readFile(join(r, 'base-file'), 'utf8'), 'x');
      await Promise.all(ids.map((id) => store.removeRW(id)));
      await store.delete(base.chainId);
      assert.deepEqual((await snapshot()).mounts, []);
    });

    test('an RW layer with no parent, and bad ids and parents', async () => {
      await store.createRW('scratch', null);
      const root = await store.mountRW('scratch');
      await writeFile(join(root, 'f'), 'abc');
      assert.equal(await store.rwSize('scratch'), 3);
      await store.removeRW('scratch');
      await assert.rejects(store.createRW('../x', null), { kind: 'InvalidParameter' });
      await assert.rejects(store.createRW('c2', `sha256:${'0'.repeat(64)}`), { kind: 'NotFound' });
      await assert.rejects(store.register(source(await tarOf([])), `sha256:${'1'.repeat(64)}`), { kind: 'NotFound' });
      await assert.rejects(store.register(source(await tarOf([])), null, 'md5:abc'), { kind: 'InvalidParameter' });
      assert.deepEqual((await snapshot()).mounts, []);
    });

    describe('hostile layers are refused and leave nothing behind', () => {
      const cases: [string, () => Promise<Buffer>, RegExp][] = [
        ['../etc/passwd', () => tarOf([{ name: 'ok', data: 'x' }, { name: '../etc/passwd', data: 'pwned' }]), /path escapes the layer/],
        ['a/../../x', () => tarOf([{ name: 'a/../../x', data: 'pwned' }]), /path escapes the layer/],
        ['/abs name', () => tarOf([{ name: '/abs', data: 'x' }]), /absolute path/],
        ['hardlink to ../../x', () => tarOf([{ name: 'h', type: 'hardlink', link: '../../x' }]), /path escapes the layer/],
        ['hardlink to a missing file', () => tarOf([{ name: 'h', type: 'hardlink', link: 'nothere' }]), /not found in the layer/],
        ['bad whiteout', () => tarOf([{ name: 'a/.wh..' }]), /bad whiteout|path escapes/],
        ['bad checksum', async () => {
          const t = await tarOf([{ name: 'f', data: 'x' }]);
          t[0] ^= 1;
          return t;
        }, /invalid tar header/],
        ['truncated', async () => (await tarOf([{ name: 'f', data: 'y'.repeat(5000) }])).subarray(0, 2048), /unexpected EOF/],
        ['truncated gzip', async () => { const g = gzipSync(await tarOf([{ name: 'f', data: 'y'.repeat(5000) }])); return g.subarray(0, g.length - 20); }, /invalid gzip data|unexpected EOF/],
      ];
      for (const [name, make, message] of cases) {
        test(name, async () => {
          const before = await snapshot();
          await assert.rejects(store.register(source(await make()), null), (e: Error & { kind?: string }) => {
            assert.equal(e.kind, 'InvalidParameter', e.stack);
            assert.match(e.message, message);
            return true;
          });
          assert.deepEqual(await snapshot(), before);
          assert.deepEqual(await readdir(victim), []);
        });
      }

      test('digest mismatch', async () => {
        const before = await snapshot();
        const tar = await tarOf([{ name: 'f', data: 'x' }]);
        await assert.rejects(store.register(source(tar), null, `sha256:${'a'.repeat(64)}`), /does not match its diffID/);
        assert.deepEqual(await snapshot(), before);
      });

      test('symlinks are followed inside the layer, never out of it', async () => {
        // Docker contains these rather than refusing them (real images need var/run -> /run with
        // files under it): the writes land inside the layer, the victim outside stays empty.
        const tar = await tarOf([
          { name: 'abs', type: 'symlink', link: victim },
          { name: 'abs/passwd', data: 'pwned1' },
          { name: 'rel', type: 'symlink', link: `../../../../../../../..${victim}` },
          { name: 'rel/shadow', data: 'pwned2' },
          { name: 'dotdot', type: 'symlink', link: '..' },
          { name: 'dotdot/dotdot/escaped', data: 'pwned3' },
          { name: 'hl', type: 'hardlink', link: 'abs/passwd' },
        ]);
        const layer = await store.register(source(tar), null);
        assert.deepEqual(await readdir(victim), []);
        const dir = driver === 'overlay2' ? join(home(), layer.cacheId, 'diff') : join(home(), layer.cacheId);
        assert.equal(await readFile(join(dir, victim, 'passwd'), 'utf8'), 'pwned1');
        assert.equal(await readFile(join(dir, victim, 'shadow'), 'utf8'), 'pwned2');
        assert.equal(await readFile(join(dir, 'escaped'), 'utf8'), 'pwned3');
        assert.equal(await readlink(join(dir, 'abs')), victim); // the link itself is kept as written
        assert.equal((await lstat(join(dir, 'hl'))).ino, (await lstat(join(dir, victim, 'passwd'))).ino);
        await assert.rejects(stat(join(tmp, 'escaped')), { code: 'ENOENT' });
        await store.delete(layer.chainId);
        assert.deepEqual(await readdir(victim), []);
      });

      test('a file replacing a symlink replaces the link, not its target', async () => {
        await writeFile(join(victim, 'keep'), 'original');
        try {
          const tar = await tarOf([
            { name: 'l', type: 'symlink', link: join(victim, 'keep') },
            { name: 'l', data: 'replaced' },
            { name: 'm', type: 'symlink', link: join(victim, 'keep') },
            { name: 'm', type: 'dir', mode: 0o777 },
          ]);
          const layer = await store.register(source(tar), null);
          assert.equal(await readFile(join(victim, 'keep'), 'utf8'), 'original');
          assert.equal((await stat(join(victim, 'keep'))).mode & 0o777, 0o644);
          await store.delete(layer.chainId);
        } finally {
          await rm(join(victim, 'keep'));
        }
      });
    });

    test('var/run -> /run images work', async () => {
      const tar = await tarOf([
        { name: 'run', type: 'dir' },
        { name: 'var', type: 'dir' },
        { name: 'var/run', type: 'symlink', link: '/run' },
        { name: 'var/run/lock', type: 'dir' },
        { name: 'var/run/lock/x.pid', data: '1' },
      ]);
      const base = await store.register(source(tar), null);
      const child = await store.register(source(await tarOf([{ name: 'etc/motd', data: 'hi' }])), base.chainId);
      await store.createRW('vr', child.chainId);
      const rootfs = await store.mountRW('vr');
      assert.equal(await readlink(join(rootfs, 'var/run')), '/run');
      assert.equal(await readFile(join(rootfs, 'run/lock/x.pid'), 'utf8'), '1');
      assert.equal(await readFile(join(rootfs, 'etc/motd'), 'utf8'), 'hi');
      await store.removeRW('vr');
      await store.delete(child.chainId);
      await store.delete(base.chainId);
    });

    test('100 tiny layers chained and mounted', async () => {
      let parent: string | null = null;
      const chain: string[] = [];
      for (let i = 0; i < 100; i++) {
        const specs: Spec[] = [{ name: `f${i}`, data: String(i) }];
        if (i > 0) specs.push({ name: `.wh.f${i - 1}` }); // hide the previous layer's file
        specs.push({ name: 'keep', type: 'dir' }, { name: `keep/k${i}`, data: String(i) });
        const l: Awaited<ReturnType<LayerStore['register']>> = await store.register(source(await tarOf(specs)), parent);
        parent = l.chainId;
        chain.push(l.chainId);
      }
      await store.createRW('deep', parent);
      const rootfs = await store.mountRW('deep');
      const names = await readdir(rootfs);
      assert.deepEqual(names.filter((n) => n.startsWith('f')), ['f99']);
      assert.equal((await readdir(join(rootfs, 'keep'))).length, 100);
      assert.equal(await readFile(join(rootfs, 'keep/k0'), 'utf8'), '0');
      if (driver === 'overlay2') {
        const lowers = (await store.rwGraphDriverData('deep')).Data.LowerDir.split(':');
        assert.equal(lowers.length, 101); // the 100 layers and the init layer
        assert.ok(lowers.join(':').length > 4000, 'this chain needs the short-link form');
      }
      await store.removeRW('deep');
      for (const id of chain.reverse()) await store.delete(id);
      assert.deepEqual(await snapshot(), { driver: [], links: [], layerdb: [], mounts: [] });
    });

    test('reconcile removes half-made layers and unmounts what is not kept', async () => {
      const baseTar = await tarOf([{ name: 'f', data: 'base' }]);
      const base = await store.register(source(baseTar), null);
      await store.createRW('keep', base.chainId);
      await store.createRW('drop', base.chainId);
      const keepRoot = await store.mountRW('keep');
      const dropRoot = await store.mountRW('drop');
      // Leftovers of a crash at every step.
      const junkId = 'e'.repeat(64);
      await mkdir(join(home(), `${'d'.repeat(64)}-tmp`, 'diff'), { recursive: true }); // mid-extraction
      await mkdir(join(home(), junkId), { recursive: true }); // renamed, record never written
      await mkdir(join(dataRoot, 'image/layerdb/sha256/.tmp-123'), { recursive: true });
      const orphan = join(dataRoot, 'image/layerdb/sha256', 'f'.repeat(64));
      await mkdir(orphan);
      await writeFile(join(orphan, 'diff'), `sha256:${'f'.repeat(64)}`); // no cache-id: incomplete
      await mkdir(join(dataRoot, 'image/layerdb/mounts/ghost'));
      await writeFile(join(dataRoot, 'image/layerdb/mounts/ghost/mount-id'), 'c'.repeat(64)); // dir missing

      // A restarted daemon opens the same data root.
      const again = await openLayerStore({ dataRoot });
      assert.equal(again.driverName, driver);
      await again.reconcile(new Set(['keep']));
      const snap = await snapshot();
      assert.equal(snap.layerdb.length, 1);
      assert.deepEqual(snap.mounts, ['drop', 'keep']);
      assert.equal(snap.driver.length, 5); // base + two RW layers and their init layers
      if (driver === 'overlay2') {
        assert.equal(snap.links.length, 5);
        assert.deepEqual(await mountsUnder(tmp), [keepRoot]);
      }
      assert.ok(dropRoot);
      assert.deepEqual(await again.get(base.chainId), base);
      await again.removeRW('keep');
      await again.removeRW('drop');
      await again.delete(base.chainId);
      assert.deepEqual(await mountsUnder(tmp), []);
    });
  });
}

layerSuite('overlay2');
layerSuite('vfs');

test('auto picks overlay2 here, then sticks to the driver already in a data root', async () => {
  const tmp = await mkdtemp(join(tmpdir(), 'berth-layer-auto-'));
  try {
    const vfs = await openLayerStore({ dataRoot: join(tmp, 'v'), driver: 'vfs' });
    const l = await vfs.register(source(await tarOf([{ name: 'f', data: 'x' }])), null);
    assert.equal((await openLayerStore({ dataRoot: join(tmp, 'v') })).driverName, 'vfs');
    await assert.rejects(openLayerStore({ dataRoot: join(tmp, 'v'), driver: 'overlay2' }), /holds layers of the vfs storage driver/);
    assert.ok(l);
    assert.equal((await openLayerStore({ dataRoot: join(tmp, 'o') })).driverName, 'overlay2');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});
