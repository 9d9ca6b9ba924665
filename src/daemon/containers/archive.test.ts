// The cp verbs' own logic: moby's path forms, the mounts of a stopped container, the read-only
// checks, and the identity check on a running container's /proc/<pid>/root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, readFileSync, readlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { absPathOf, checkWritable, mountsOf, openRunningRoot, pseudoMountPoints } from './archive.ts';
import type { ContainerRecord, HostConfig, MountPoint } from './record.ts';

const container = (hostConfig: HostConfig, mountPoints?: Record<string, Partial<MountPoint>>) => ({
  rec: { ID: 'c0ffee', MountPoints: mountPoints } as unknown as ContainerRecord,
  hostConfig,
});

test('paths as moby reads them: joined to /, a trailing / or /. kept', () => {
  assert.equal(absPathOf('etc/passwd'), '/etc/passwd');
  assert.equal(absPathOf('/etc/'), '/etc/');
  assert.equal(absPathOf('/etc/.'), '/etc/.');
  assert.equal(absPathOf('/a/../../etc//x/'), '/etc/x/');
  assert.equal(absPathOf('/'), '/');
  assert.equal(absPathOf('.'), '/.');
});

test('a stopped container\'s mounts: MountPoints first, else its binds', () => {
  const mp = container({ Binds: ['/ignored:/x'] }, {
    '/data': { Type: 'volume', Source: '/var/lib/berth/volumes/v/_data', Destination: '/data', RW: true },
    '/t': { Type: 'tmpfs', Source: '', Destination: '/t', RW: true },
  });
  assert.deepEqual(mountsOf(mp), [{ destination: '/data', source: '/var/lib/berth/volumes/v/_data' }]);
  const binds = container({ Binds: ['/host/a:/a:ro', 'named:/n', '/host/b:/b'], Mounts: [{ Type: 'bind', Source: '/host/m', Target: '/m' }, { Type: 'tmpfs', Target: '/tm' }] });
  assert.deepEqual(mountsOf(binds), [
    { source: '/host/a', destination: '/a', rw: false },
    { source: '/host/b', destination: '/b', rw: true },
    { source: '/host/m', destination: '/m', rw: true },
  ]);
});

test('read-only rootfs and read-only mounts, on the deepest mount holding the destination', () => {
  const c = container({ ReadonlyRootfs: true, Binds: ['/h/ro:/data:ro', '/h/rw:/data/rw'], Tmpfs: { '/tmp': '' } });
  assert.throws(() => checkWritable(c, '/etc'), (e: Error & { kind?: string }) => e.kind === 'Forbidden' && e.message === 'container rootfs is marked read-only');
  assert.throws(() => checkWritable(c, '/data/x'), /mounted volume is marked read-only/);
  assert.throws(() => checkWritable(c, '/data'), /mounted volume is marked read-only/);
  checkWritable(c, '/data/rw/deeper'); // the writable bind inside the read-only one
  checkWritable(c, '/tmp/x'); // a tmpfs is writable (moby would refuse)
  assert.throws(() => checkWritable(c, '/datax'), /container rootfs is marked read-only/);
  checkWritable(container({}), '/anything');
  const mp = container({ ReadonlyRootfs: false }, { '/v': { Type: 'volume', Source: '/s', Destination: '/v', RW: false } });
  assert.throws(() => checkWritable(mp, '/v/x'), /mounted volume is marked read-only/);
  checkWritable(mp, '/etc');
});

test('a running container\'s root is taken only from a process in its cgroup', async () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid!;
  try {
    // Its cgroup names a path the test knows: take a piece of it as the "container ID".
    const cgroupLine = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.length > 0)!;
    const inCgroup = cgroupLine.slice(cgroupLine.lastIndexOf(':') + 1) || '/';
    const { rootFd: fd, pseudo } = openRunningRoot({ rec: { ID: inCgroup } as ContainerRecord, state: { pid } });
    assert.equal(readlinkSync(`/proc/self/fd/${fd}`), '/');
    assert.ok(pseudo.includes('/proc') && pseudo.includes('/sys'), pseudo.join());
    closeSync(fd);
    assert.throws(() => openRunningRoot({ rec: { ID: 'f'.repeat(64) } as ContainerRecord, state: { pid } }), /is not running anymore/);
    assert.throws(() => openRunningRoot({ rec: { ID: 'x' } as ContainerRecord, state: { pid: 0 } }), /is not running anymore/);
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  }
  // Gone (and reaped): no root to take.
  assert.throws(() => openRunningRoot({ rec: { ID: '/' } as ContainerRecord, state: { pid } }), /is not running anymore/);
});

test('kernel filesystems in a mountinfo, escapes decoded', () => {
  const mountinfo = [
    '600 500 0:52 / / rw,relatime - overlay overlay rw,lowerdir=/x',
    '601 600 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
    '602 600 0:56 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
    '603 602 0:57 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5',
    '604 600 0:58 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro',
    '605 604 0:30 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup rw',
    '606 600 0:59 / /with\\040space rw - proc proc rw',
    '607 600 254:1 /data /data rw - ext4 /dev/vda rw',
  ].join('\n');
  assert.deepEqual(pseudoMountPoints(mountinfo), ['/proc', '/dev/pts', '/sys', '/sys/fs/cgroup', '/with space']);
});
