import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withDefaultMounts, withMountOrder, withUserMounts } from './mounts.ts';
import { withEtcFiles } from './etc-files.ts';
import { withIpcShm } from './ipc.ts';
import { withReadonlyRootfs } from './rootfs.ts';
import { withWritableCgroups, withWritableSysfs } from './writable-kernel-fs.ts';
import type { SpecOpt } from './types.ts';

const build = (...opts: SpecOpt[]) => applySpecOpts(baseSpec('c', '/r'), [withDefaultMounts(), ...opts, withMountOrder()]);
const dests = (s: ReturnType<typeof build>) => s.mounts.map((m) => m.destination);
const mount = (s: ReturnType<typeof build>, d: string) => s.mounts.find((m) => m.destination === d);

test('the kernel filesystems, /dev/shm 64 MiB unless sized', () => {
  const s = build();
  assert.deepEqual(dests(s), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm']);
  assert.ok(mount(s, '/dev/shm')!.options.includes('size=67108864'));
  const sized = applySpecOpts(baseSpec('c', '/r'), [withDefaultMounts(1 << 20)]);
  assert.ok(sized.mounts.at(-1)!.options.includes('size=1048576'));
});

test('user mounts replace defaults at their path, follow them, parents first', () => {
  const s = build(withUserMounts([
    { source: '/a/b', destination: '/data/x', type: 'bind', options: [] },
    { source: '/a', destination: '/data', type: 'bind', options: ['ro'] },
    { source: 'tmpfs', destination: '/dev/shm', type: 'tmpfs', options: [] },
  ]));
  assert.deepEqual(dests(s), ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/data', '/data/x', '/dev/shm']);
  assert.equal(mount(s, '/dev/shm')!.type, 'tmpfs');
  const dev = build(withUserMounts([{ source: '/d', destination: '/dev', type: 'bind', options: [] }]));
  assert.deepEqual(dests(dev), ['/proc', '/sys', '/sys/fs/cgroup', '/dev']);
  assert.throws(() => build(withUserMounts([{ source: '/x', destination: 'rel', type: 'bind', options: [] }])), /invalid mount destination: rel/);
});

test('/etc files: bound from the host unless the user mounts one, read-only with the rootfs', () => {
  const s = build(withUserMounts([{ source: '/mine', destination: '/etc/hosts', type: 'bind', options: [] }]), withEtcFiles({ hosts: '/c/hosts', hostname: '/c/hostname' }));
  assert.equal(mount(s, '/etc/hosts')!.source, '/mine');
  assert.deepEqual(mount(s, '/etc/hostname')!.options, ['rbind', 'rprivate']);
  assert.deepEqual(mount(build(withEtcFiles({ hosts: '/c/hosts' }, true)), '/etc/hosts')!.options, ['rbind', 'ro', 'rprivate']);
  assert.throws(() => build(withEtcFiles({ hosts: 'rel' })), /invalid path for \/etc\/hosts: rel/);
});

test('IPC: the host\'s /dev/shm, or none', () => {
  assert.deepEqual(mount(build(withIpcShm('host')), '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  assert.equal(mount(build(withIpcShm('none')), '/dev/shm'), undefined);
  assert.equal(mount(build(withIpcShm('private')), '/dev/shm')!.source, 'shm');
});

test('read-only rootfs: root and non-kernel defaults ro; privileged /sys and writable cgroups', () => {
  const ro = build(withReadonlyRootfs());
  assert.equal(ro.root.readonly, true);
  for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']) assert.ok(!mount(ro, d)!.options.includes('ro'), d);
  const rw = build(withReadonlyRootfs(), withWritableSysfs(), withWritableCgroups());
  assert.deepEqual(mount(rw, '/sys')!.options, ['nosuid', 'noexec', 'nodev']);
  assert.deepEqual(mount(rw, '/sys/fs/cgroup')!.options, ['nosuid', 'noexec', 'nodev']);
});
