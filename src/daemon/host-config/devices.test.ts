import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { checkDeviceCgroupRules, containerDevices, devicesOf, type DeviceFs } from './devices.ts';

const node = (kind: 'char' | 'block' | 'dir' | 'file', rdev = 0): Stats => ({
  isCharacterDevice: () => kind === 'char',
  isBlockDevice: () => kind === 'block',
  isDirectory: () => kind === 'dir',
  rdev,
  mode: 0o20666,
  uid: 0,
  gid: 5,
}) as unknown as Stats;

const tree: Record<string, Stats> = {
  '/dev/null': node('char', 0x103),
  '/dev/sda': node('block', 0x800),
  '/dev/snd': node('dir'),
  '/dev/snd/timer': node('char', (116 << 8) | 33),
  '/dev/snd/by-path': node('dir'),
  '/etc/passwd': node('file'),
};
const fs: DeviceFs = {
  stat: (p) => tree[p] ?? (() => { throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' }); })(),
  lstat: (p) => tree[p]!,
  readdir: (d) => Object.keys(tree).filter((p) => p.startsWith(`${d}/`)).map((p) => p.slice(d.length + 1)),
};

test('a device node: its numbers, mode and owner; the container path and access default to the host\'s and rwm', () => {
  assert.deepEqual(devicesOf({ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rw' }, fs), [
    { path: '/dev/mynull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 5, access: 'rw' },
  ]);
  assert.deepEqual(devicesOf({ PathOnHost: '/dev/sda' }, fs)[0], { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o666, uid: 0, gid: 5, access: 'rwm' });
});

test('a directory adds the devices below it, mapped under the container path', () => {
  assert.deepEqual(devicesOf({ PathOnHost: '/dev/snd', PathInContainer: '/dev/sound' }, fs).map((d) => [d.path, d.major, d.minor]), [['/dev/sound/timer', 116, 33]]);
});

test('missing, not a device, bad paths and modes: Docker\'s messages', () => {
  assert.throws(() => devicesOf({ PathOnHost: '/dev/nope' }, fs), /error gathering device information while adding custom device "\/dev\/nope": no such file or directory/);
  assert.throws(() => devicesOf({ PathOnHost: '/etc/passwd' }, fs), /"\/etc\/passwd": not a device node/);
  assert.throws(() => devicesOf({ PathOnHost: 'dev/null' }, fs), /bad format for path: dev\/null/);
  assert.throws(() => devicesOf({ PathOnHost: '/dev/null', PathInContainer: 'x' }, fs), /x is not an absolute path/);
  assert.throws(() => devicesOf({ PathOnHost: '/dev/null', CgroupPermissions: 'rwx' }, fs), /invalid CgroupPermissions: rwx/);
  assert.throws(() => containerDevices({ Devices: 'x' as never }, fs), /invalid Devices: must be a list/);
  assert.deepEqual(containerDevices({}, fs), []);
});

test('device cgroup rules are checked', () => {
  assert.deepEqual(checkDeviceCgroupRules({ DeviceCgroupRules: ['c 1:3 r'] }), ['c 1:3 r']);
  assert.throws(() => checkDeviceCgroupRules({ DeviceCgroupRules: ['nonsense'] }), /invalid device cgroup rule format/);
  assert.throws(() => checkDeviceCgroupRules({ DeviceCgroupRules: [1] as never }), /must be a list of strings/);
});
