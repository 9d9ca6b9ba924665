import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadSeccompProfile,
  parseSeccompProfile,
  seccompForContainer,
  nativeArch,
  parseKernelVersion,
  type LinuxSeccomp,
} from './seccomp.ts';
import { DEFAULT_CAPABILITIES } from './defaults.ts';
import { BerthError } from '../common/index.ts';


// Docker's default profile, as shipped beside the runtime box.
const DEFAULT_PROFILE_PATH = process.env.BERTH_SECCOMP_PROFILE ?? new URL('./seccomp-default.json', import.meta.url).pathname;
const profile = await loadSeccompProfile(DEFAULT_PROFILE_PATH);

const amd64 = (caps: readonly string[], kernelVersion = '6.1.0') =>
  seccompForContainer(profile, { capabilities: caps, arch: 'amd64', kernelVersion }) as LinuxSeccomp;

/** The action the filter takes for a syscall with no argument conditions (first match). */
function allowed(s: LinuxSeccomp, name: string): boolean {
  return (s.syscalls ?? []).some((r) => r.names.includes(name) && r.action === 'SCMP_ACT_ALLOW' && !r.args);
}

test('default profile for amd64 with the default caps', () => {
  const s = amd64(DEFAULT_CAPABILITIES);
  assert.equal(s.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.defaultErrnoRet, 1);
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const names = (s.syscalls ?? []).flatMap((r) => r.names);
  assert.ok(names.length > 300, `only ${names.length} syscall names`);
  for (const n of ['read', 'write', 'execve', 'arch_prctl', 'modify_ldt', 'chroot', 'ptrace']) {
    assert.ok(allowed(s, n), `${n} should be allowed`);
  }
  // CAP_SYS_ADMIN-only syscalls stay denied; clone is allowed only without namespace flags.
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'bpf', 'reboot', 'init_module', 'acct']) {
    assert.ok(!allowed(s, n), `${n} should not be allowed`);
  }
  const clone = s.syscalls!.find((r) => r.names.includes('clone'));
  assert.deepEqual(clone?.args, [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }]);
  const clone3 = s.syscalls!.find((r) => r.names.includes('clone3'));
  assert.deepEqual(clone3, { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  // Other architectures' rules are left out.
  assert.ok(!names.includes('s390_pci_mmio_read'));
  assert.ok(!names.includes('riscv_flush_icache'));
  assert.ok(!names.includes('set_tls'));
});

test('capabilities decide includes/excludes: CAP_SYS_ADMIN allows mount and lifts the clone mask', () => {
  const s = amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  for (const n of ['mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3']) assert.ok(allowed(s, n), n);
  assert.ok(!s.syscalls!.some((r) => r.names.includes('clone') && r.args), 'masked clone rule excluded');
  assert.ok(!s.syscalls!.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO'));
  assert.ok(allowed(amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_BOOT']), 'reboot'));
  assert.ok(allowed(amd64([...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE']), 'process_vm_readv'));
  // Without SYS_CHROOT, chroot is no longer allowed.
  assert.ok(!allowed(amd64(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT')), 'chroot'));
});

test('minKernel is compared with the kernel version', () => {
  assert.ok(allowed(amd64(DEFAULT_CAPABILITIES, '4.8.0'), 'ptrace'));
  assert.ok(!allowed(amd64(DEFAULT_CAPABILITIES, '4.4.0-210-generic'), 'ptrace'));
  assert.deepEqual(parseKernelVersion('6.18.44-fc-v595'), [6, 18, 44]);
  assert.deepEqual(parseKernelVersion('5.10'), [5, 10, 0]);
  assert.equal(parseKernelVersion('garbage'), undefined);
});

test('arch-specific rules follow the arch', () => {
  const arm = seccompForContainer(profile, { capabilities: DEFAULT_CAPABILITIES, arch: 'arm64', kernelVersion: '6.1' })!;
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.ok(allowed(arm, 'set_tls'));
  assert.ok(!allowed(arm, 'arch_prctl'));
  assert.equal(nativeArch('x64'), 'amd64');
  assert.equal(nativeArch('arm64'), 'arm64');
});

test('custom profile: name/names, args, flags, 64-bit values kept exact', () => {
  const p = parseSeccompProfile(`{
    "defaultAction": "SCMP_ACT_ALLOW",
    "architectures": ["SCMP_ARCH_X86_64"],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls": [
      {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
      {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
       "args": [{"index": 0, "value": 18446744073709551615, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
      {"names": ["unshare"], "action": "SCMP_ACT_KILL", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
    ]
  }`);
  const s = seccompForContainer(p, { capabilities: [], arch: 'amd64', kernelVersion: '6.1' })!;
  assert.equal(s.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(s.architectures, ['SCMP_ARCH_X86_64']);
  assert.deepEqual(s.flags, ['SECCOMP_FILTER_FLAG_LOG']);
  assert.equal(s.syscalls!.length, 2);
  assert.deepEqual(s.syscalls![0], { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 });
  // JSON.stringify must write the exact uint64, not 18446744073709552000.
  assert.equal(
    JSON.stringify(s.syscalls![1]!.args),
    '[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]',
  );
});

test('a profile with neither defaultAction nor syscalls disables seccomp', () => {
  assert.equal(seccompForContainer(parseSeccompProfile('{}'), { capabilities: [], arch: 'amd64' }), undefined);
});

function invalid(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BerthError);
    assert.equal(err.kind, 'InvalidParameter');
    assert.match(err.message, pattern);
    return true;
  });
}

test('bad profiles get clear errors', () => {
  invalid(() => parseSeccompProfile('{not json'), /^Decoding seccomp profile failed: /);
  invalid(() => parseSeccompProfile('[]'), /must be a JSON object/);
  invalid(() => parseSeccompProfile('{"defaultAction": "SCMP_ACT_BOGUS"}'), /unknown action "SCMP_ACT_BOGUS"/);
  invalid(
    () => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}'),
    /^both 'name' and 'names' are specified in the seccomp profile/,
  );
  invalid(
    () => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":9,"value":1,"op":"SCMP_CMP_EQ"}]}]}'),
    /index must be an integer from 0 to 5/,
  );
  invalid(
    () => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]}'),
    /unsigned 64-bit integer/,
  );
  invalid(
    () => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551616,"op":"SCMP_CMP_EQ"}]}]}'),
    /unsigned 64-bit integer/,
  );
  invalid(() => parseSeccompProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["../x"],"action":"SCMP_ACT_ALLOW"}]}'), /invalid value/);
  invalid(() => parseSeccompProfile('x'.repeat(5 * 1024 * 1024)), /larger than/);
  const both = parseSeccompProfile(
    '{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":null}]}',
  );
  invalid(() => seccompForContainer(both, { capabilities: [], arch: 'amd64' }), /both 'architectures' and 'archMap'/);
});

test('loadSeccompProfile fails clearly on a missing or broken file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
  try {
    await assert.rejects(loadSeccompProfile(join(dir, 'nope.json')), /loading seccomp profile/);
    await writeFile(join(dir, 'bad.json'), '{"defaultAction": 3}');
    await assert.rejects(loadSeccompProfile(join(dir, 'bad.json')), /defaultAction must be a string/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
