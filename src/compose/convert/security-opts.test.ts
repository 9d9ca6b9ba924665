import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSecurityOpts } from './security-opts.ts';
import { makeProject } from './fixtures.test-helpers.ts';

test('seccomp=<file> is sent as the compacted profile, relative to the project directory', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
  try {
    await writeFile(join(dir, 'profile.json'), '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": []\n}\n');
    const p = makeProject({ s: { security_opt: ['seccomp=profile.json', 'seccomp:unconfined', 'apparmor=unconfined'] } }, { working_dir: dir });
    assert.deepEqual(parseSecurityOpts(p, p.services.s), {
      securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}', 'seccomp:unconfined', 'apparmor=unconfined'],
      unconfined: false,
    });
    await writeFile(join(dir, 'broken.json'), '{');
    const b = makeProject({ s: { security_opt: ['seccomp=broken.json'] } }, { working_dir: dir });
    assert.throws(() => parseSecurityOpts(b, b.services.s), /compacting json for seccomp profile \(broken.json\) failed/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad input: a security option without = or :, a missing seccomp profile', () => {
  const p = makeProject({ s: { security_opt: ['nonsense'] }, t: { security_opt: ['seccomp=/nonexistent/profile.json'] } });
  assert.throws(() => parseSecurityOpts(p, p.services.s), /Invalid security-opt: "nonsense"/);
  assert.throws(() => parseSecurityOpts(p, p.services.t), /opening seccomp profile \(\/nonexistent\/profile.json\) failed/);
});
