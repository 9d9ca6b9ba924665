// The local driver's `o` option turned into mount(2) calls as moby/sys/mount does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressOption, planMount } from './options.ts';

test('tmpfs: flags out of o, the rest as data', () => {
  assert.deepEqual(planMount('tmpfs', '/t', 'tmpfs', 'size=100m,uid=1000,noexec,nosuid'), [
    { source: 'tmpfs', target: '/t', fstype: 'tmpfs', flags: 0x8 | 0x2, data: 'size=100m,uid=1000' },
  ]);
});

test('rw clears ro; defaults is no flag', () => {
  assert.deepEqual(planMount('d', '/t', 'ext4', 'ro,rw,defaults'), [{ source: 'd', target: '/t', fstype: 'ext4', flags: 0, data: '' }]);
});

test('a read-only bind is a bind then a read-only remount; propagation is its own call', () => {
  assert.deepEqual(planMount('/src', '/t', 'none', 'bind,ro,rprivate'), [
    // As moby: MS_REC stays in the first call's flags (it is not a propagation type).
    { source: '/src', target: '/t', fstype: 'none', flags: 0x1000 | 0x1 | 0x4000, data: '' },
    { source: '', target: '/t', fstype: '', flags: 0x40000 | 0x4000, data: '' },
    { source: '', target: '/t', fstype: '', flags: 0x1000 | 0x1 | 0x4000 | 0x20, data: '' },
  ]);
});

test('addr= is found for NFS-style options', () => {
  assert.equal(addressOption('rw,addr=10.0.0.2,vers=4'), '10.0.0.2');
  assert.equal(addressOption('rw'), '');
});
