// The container view: a root plus a mounts table (a stopped container's binds and volumes),
// walked as the container's mount namespace would be, and never out of the root or a mount.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerView, cleanContainerPath } from './container-view.ts';
import { openRoot } from './open-in-root.ts';
import { O_CREAT, O_EXCL, O_WRONLY } from './syscalls.linux.ts';

let tmp: string;
let root: string;
let vol: string;
let bind: string;
let outside: string;
const realPath = (fd: number) => readlinkSync(`/proc/self/fd/${fd}`);

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-view-'));
  root = join(tmp, 'root');
  vol = join(tmp, 'vol');
  bind = join(tmp, 'bind');
  outside = join(tmp, 'outside');
  for (const d of [root, vol, bind, outside, join(root, 'data'), join(root, 'etc'), join(root, 'srv/app'), join(vol, 'sub')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(root, 'data/hidden'), 'under the mount');
  writeFileSync(join(vol, 'in-volume'), 'v');
  writeFileSync(join(bind, 'conf'), 'c');
  writeFileSync(join(tmp, 'file-source'), 'single file');
  writeFileSync(join(root, 'etc/single'), 'layer copy');
  writeFileSync(join(root, 'etc/passwd'), 'root');
  symlinkSync('/etc', join(vol, 'abs-etc')); // absolute: the container's /etc, not the host's
  symlinkSync('../../../../../..' + outside, join(vol, 'up')); // climbs: stops at the container root
  symlinkSync('..', join(vol, 'parent')); // .. of a mount root is the mountpoint's parent
  symlinkSync('/data', join(root, 'to-data'));
  symlinkSync(outside, join(bind, 'host-abs'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function view(): ContainerView {
  return new ContainerView(openRoot(root), [
    { destination: '/data', source: vol },
    { destination: '/srv/app/conf/', source: bind },
    { destination: '/etc/single', source: join(tmp, 'file-source') },
    { destination: '/gone', source: join(tmp, 'no-such-source') },
  ]);
}

test('cleanContainerPath', () => {
  assert.equal(cleanContainerPath('a/b/'), '/a/b');
  assert.equal(cleanContainerPath('/../x/./y'), '/x/y');
  assert.equal(cleanContainerPath(''), '/');
  assert.equal(cleanContainerPath('//'), '/');
});

test('paths through a mount destination land in the mount source', () => {
  const v = view();
  try {
    const at = (p: string, follow = false) => {
      const r = v.resolve(p, { followFinal: follow });
      try {
        return [realPath(r.fd), r.path];
      } finally {
        closeSync(r.fd);
      }
    };
    assert.deepEqual(at('/data/in-volume'), [join(vol, 'in-volume'), '/data/in-volume']);
    assert.deepEqual(at('/data'), [vol, '/data']);
    assert.deepEqual(at('to-data/sub', true), [join(vol, 'sub'), '/data/sub']); // a link onto a mount
    assert.deepEqual(at('/srv/app/conf/conf'), [join(bind, 'conf'), '/srv/app/conf/conf']);
    assert.deepEqual(at('/etc/single'), [join(tmp, 'file-source'), '/etc/single']); // a file mount
    assert.deepEqual(at('/data/abs-etc/passwd'), [join(root, 'etc/passwd'), '/etc/passwd']);
    assert.deepEqual(at('/data/parent/etc'), [join(root, 'etc'), '/etc']);
    assert.deepEqual(at('/data/sub/../..'), [root, '/']);
    // Links out of the root from inside a mount stay inside the container root.
    assert.throws(() => at('/data/up/x'), { code: 'ENOENT' });
    assert.throws(() => at('/srv/app/conf/host-abs/x'), { code: 'ENOENT' });
    // A mount whose source is gone shows what is under it.
    assert.throws(() => at('/gone/x'), { code: 'ENOENT' });
    const fd = v.open('/data/in-volume');
    assert.equal(realPath(fd), join(vol, 'in-volume'));
    closeSync(fd);
  } finally {
    v.close();
  }
});

test('creating through the view writes into the mount, never outside', () => {
  const v = view();
  try {
    const fd = v.open('/data/new-file', { flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o644 });
    writeSync(fd, 'x');
    closeSync(fd);
    assert.equal(readFileSync(join(vol, 'new-file'), 'utf8'), 'x');
    const d = v.mkdirAll('/data/up/made/here');
    assert.equal(realPath(d), join(root, outside, 'made/here')); // in the container root
    closeSync(d);
    const d2 = v.mkdirAll('/srv/app/conf/a/b');
    assert.equal(realPath(d2), join(bind, 'a/b'));
    closeSync(d2);
    assert.deepEqual(readdirSync(outside), []);
    assert.ok(!readdirSync(join(root, 'data')).includes('new-file'), 'not under the mountpoint');
  } finally {
    v.close();
  }
});

test('a volume subpath is resolved inside the volume, its links never leading to the host', () => {
  mkdirSync(join(vol, 'sp/deeper'), { recursive: true });
  writeFileSync(join(vol, 'sp/deeper/f'), 'sub');
  symlinkSync(outside, join(vol, 'escape')); // planted by the container: stays inside the volume
  symlinkSync('/sp', join(vol, 'abs-sp'));
  const v = new ContainerView(openRoot(root), [
    { destination: '/a', source: vol, subpath: 'sp' },
    { destination: '/b', source: vol, subpath: 'abs-sp/deeper/f' }, // a file, through a link in the volume
    { destination: '/c', source: vol, subpath: 'escape' }, // resolves inside the volume: missing there
  ]);
  try {
    const at = (p: string) => {
      const fd = v.open(p);
      try {
        return realPath(fd);
      } finally {
        closeSync(fd);
      }
    };
    assert.equal(at('/a/deeper/f'), join(vol, 'sp/deeper/f'));
    assert.equal(at('/b'), join(vol, 'sp/deeper/f'));
    assert.throws(() => at('/c/x'), { code: 'ENOENT' }); // left out: what is under it shows
  } finally {
    v.close();
  }
  assert.deepEqual(readdirSync(outside), []);
});

test('without mounts the view is the plain in-root resolver', () => {
  const v = new ContainerView(openRoot(root));
  try {
    const r = v.resolve('/to-data/hidden', { followFinal: true });
    assert.equal(realPath(r.fd), join(root, 'data/hidden'));
    assert.equal(r.path, '/data/hidden');
    closeSync(r.fd);
    const fd = v.open('/data/hidden');
    assert.equal(realPath(fd), join(root, 'data/hidden'));
    closeSync(fd);
  } finally {
    v.close();
  }
});
