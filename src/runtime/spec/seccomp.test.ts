import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySpecOpts, baseSpec } from './build.ts';
import { withCapabilities } from './capabilities.ts';
import { withSeccomp } from './seccomp.ts';
import type { SeccompProfile } from '../seccomp.ts';

const profile: SeccompProfile = {
  defaultAction: 'SCMP_ACT_ERRNO',
  syscalls: [
    { names: ['read'], action: 'SCMP_ACT_ALLOW' },
    { names: ['mount'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
  ],
};

test('the profile follows the bounding set of the capabilities applied before it', () => {
  const plain = applySpecOpts(baseSpec('c', '/r'), [withCapabilities({}), withSeccomp({ profile, arch: 'amd64', kernelVersion: '6.1.0' })]);
  assert.equal(plain.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  assert.deepEqual(plain.linux.seccomp?.syscalls?.map((r) => r.names[0]), ['read']);
  const admin = applySpecOpts(baseSpec('c', '/r'), [withCapabilities({ add: ['SYS_ADMIN'] }), withSeccomp({ profile, arch: 'amd64', kernelVersion: '6.1.0' })]);
  assert.deepEqual(admin.linux.seccomp?.syscalls?.map((r) => r.names[0]), ['read', 'mount']);
});
