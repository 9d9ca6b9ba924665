import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpfsDataOf, tmpfsMountOptions } from './tmpfs-options.ts';

test('defaults: noexec, nosuid, nodev, rprivate', () => {
  assert.deepEqual(tmpfsMountOptions(''), ['noexec', 'nosuid', 'nodev', 'rprivate']);
});

test('user options win per flag and per key, in Docker\'s order', () => {
  assert.deepEqual(tmpfsMountOptions('exec,size=64m'), ['nosuid', 'nodev', 'rprivate', 'exec', 'size=64m']);
  assert.deepEqual(tmpfsMountOptions('noexec'), ['nosuid', 'nodev', 'rprivate', 'noexec']);
  assert.deepEqual(tmpfsMountOptions('size=1m,size=2m,shared'), ['noexec', 'nosuid', 'nodev', 'size=2m', 'shared']);
  assert.deepEqual(tmpfsMountOptions('defaults,ro,mode=1777'), ['noexec', 'nosuid', 'nodev', 'rprivate', 'ro', 'mode=1777']);
});

test('unknown options are refused', () => {
  assert.throws(() => tmpfsMountOptions('bogus'), /invalid tmpfs option "bogus"/);
  assert.throws(() => tmpfsMountOptions('lowerdir=/x'), /invalid tmpfs option "lowerdir=\/x"/);
});

test('--mount type=tmpfs options: size with the largest exact suffix, octal mode, ro, extra options', () => {
  assert.equal(tmpfsDataOf({ Type: 'tmpfs', TmpfsOptions: { SizeBytes: 1 << 20 } }), 'size=1m');
  assert.equal(tmpfsDataOf({ Type: 'tmpfs', TmpfsOptions: { SizeBytes: 1500 } }), 'size=1500');
  assert.equal(tmpfsDataOf({ Type: 'tmpfs', ReadOnly: true, TmpfsOptions: { Mode: 0o1770, Options: [['exec']] } }), 'ro,mode=1770,exec');
  assert.equal(tmpfsDataOf({ Type: 'tmpfs' }), '');
});
