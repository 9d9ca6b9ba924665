import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile, readFile, readdir, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  containerSpec as buildOciSpec,
  generateContainerSpec as generateOciSpec,
  type EngineSpecInput as SpecInput,
} from './spec-input.ts';
import { mergeImageConfig } from './merge-image-config.ts';
import { validateHostConfig } from './validate.ts';
import { parseSecurityOpts } from './security-opts.ts';
import type { HostConfig, ContainerConfig } from './types.ts';
import {
  processEnv,
  tweakCapabilities,
  splitDevNumber,
  loadSeccompProfile,
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  capabilitiesFromMask,
  capabilitiesUpTo,
  type Spec,
} from '../../runtime/index.ts';
import { BerthError } from '../../common/index.ts';

const execFileP = promisify(execFile);

// Docker's default profile, as shipped beside the runtime box.
const PROFILE_PATH = process.env.BERTH_SECCOMP_PROFILE ?? new URL('../../runtime/seccomp-default.json', import.meta.url).pathname;
const profile = await loadSeccompProfile(PROFILE_PATH);

const ID = 'c0ffee'.padEnd(64, '0');
const BUSYBOX = { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] };

function input(hostConfig: HostConfig = {}, config: ContainerConfig = {}, extra: Partial<SpecInput> = {}): SpecInput {
  return {
    id: ID,
    rootfs: '/var/lib/berth/overlay2/x/merged',
    image: BUSYBOX,
    config,
    hostConfig,
    network: 'new',
    seccompProfile: profile,
    arch: 'amd64',
    kernelVersion: '6.1.0',
    etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
    ...extra,
  };
}
const spec = (hc?: HostConfig, c?: ContainerConfig, extra?: Partial<SpecInput>) => buildOciSpec(input(hc, c, extra));
const mount = (s: Spec, dest: string) => s.mounts.find((m) => m.destination === dest);
const syscallAllowed = (s: Spec, name: string) =>
  (s.linux.seccomp?.syscalls ?? []).some((r) => r.names.includes(name) && r.action === 'SCMP_ACT_ALLOW' && !r.args);

function invalid(fn: () => unknown, message: string | RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof BerthError, String(err));
    assert.equal(err.kind, 'InvalidParameter');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('defaults', () => {
  const s = spec();
  test('process', () => {
    assert.equal(s.ociVersion, '1.0.2');
    assert.deepEqual(s.process.args, ['sh']);
    assert.equal(s.process.cwd, '/');
    assert.equal(s.process.terminal, false);
    assert.deepEqual(s.process.user, { uid: 0, gid: 0, additionalGids: [0] });
    assert.deepEqual(s.process.env, [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      `HOSTNAME=${ID.slice(0, 12)}`,
    ]);
    assert.deepEqual(s.process.capabilities, {
      bounding: DEFAULT_CAPABILITIES,
      effective: DEFAULT_CAPABILITIES,
      inheritable: [],
      permitted: DEFAULT_CAPABILITIES,
      ambient: [],
    });
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    assert.equal(s.process.noNewPrivileges, false);
    assert.equal(s.process.oomScoreAdj, 0);
    assert.equal(s.process.rlimits, undefined);
    assert.equal(s.hostname, ID.slice(0, 12));
    assert.deepEqual(s.root, { path: '/var/lib/berth/overlay2/x/merged', readonly: false });
  });

  test('mounts', () => {
    assert.deepEqual(
      s.mounts.map((m) => [m.destination, m.type, m.source, m.options.join(',')]),
      [
        ['/proc', 'proc', 'proc', 'nosuid,noexec,nodev'],
        ['/dev', 'tmpfs', 'tmpfs', 'nosuid,strictatime,mode=755,size=65536k'],
        ['/dev/pts', 'devpts', 'devpts', 'nosuid,noexec,newinstance,ptmxmode=0666,mode=0620,gid=5'],
        ['/sys', 'sysfs', 'sysfs', 'nosuid,noexec,nodev,ro'],
        ['/sys/fs/cgroup', 'cgroup', 'cgroup', 'ro,nosuid,noexec,nodev'],
        ['/dev/mqueue', 'mqueue', 'mqueue', 'nosuid,noexec,nodev'],
        ['/dev/shm', 'tmpfs', 'shm', 'nosuid,noexec,nodev,mode=1777,size=67108864'],
        ['/etc/resolv.conf', 'bind', '/c/resolv.conf', 'rbind,rprivate'],
        ['/etc/hostname', 'bind', '/c/hostname', 'rbind,rprivate'],
        ['/etc/hosts', 'bind', '/c/hosts', 'rbind,rprivate'],
      ],
    );
  });

  test('linux', () => {
    assert.deepEqual(s.linux.namespaces, [
      { type: 'mount' },
      { type: 'network' },
      { type: 'uts' },
      { type: 'pid' },
      { type: 'ipc' },
    ]);
    assert.deepEqual(s.linux.maskedPaths, DEFAULT_MASKED_PATHS);
    assert.ok(s.linux.maskedPaths!.includes('/proc/kcore') && s.linux.maskedPaths!.includes('/sys/devices/virtual/powercap'));
    assert.deepEqual(s.linux.readonlyPaths, DEFAULT_READONLY_PATHS);
    assert.equal(s.linux.cgroupsPath, `/berth/${ID}`);
    assert.deepEqual(s.linux.devices, []);
    const rules = s.linux.resources.devices;
    assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
    assert.deepEqual(rules[1], { allow: true, type: 'c', access: 'm' });
    assert.deepEqual(rules[2], { allow: true, type: 'b', access: 'm' });
    const allowedDevs = rules.slice(3).map((r) => `${r.type} ${r.major ?? '*'}:${r.minor ?? '*'} ${r.access}`);
    assert.deepEqual(allowedDevs, [
      'c 1:3 rwm',
      'c 1:8 rwm',
      'c 1:7 rwm',
      'c 5:0 rwm',
      'c 1:5 rwm',
      'c 1:9 rwm',
      'c 5:1 rwm',
      'c 136:* rwm',
      'c 5:2 rwm',
      'c 10:200 rwm',
    ]);
    assert.equal(s.linux.resources.memory, undefined);
    assert.equal(s.linux.resources.cpu, undefined);
    assert.equal(s.linux.resources.pids, undefined);
    assert.equal(s.linux.resources.blockIO, undefined);
    assert.deepEqual(s.linux.sysctl, {
      'net.ipv4.ping_group_range': '0 2147483647',
      'net.ipv4.ip_unprivileged_port_start': '0',
    });
    assert.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.ok(!syscallAllowed(s, 'mount'));
  });

  test('the spec is plain JSON', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(s)).process.args, ['sh']);
  });
});

describe('command and environment', () => {
  const cases: { name: string; image: ContainerConfig; req: ContainerConfig; args?: string[]; error?: string }[] = [
    { name: 'image cmd', image: { Cmd: ['sh'] }, req: {}, args: ['sh'] },
    { name: 'request cmd replaces image cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Cmd: ['b', 'c'] }, args: ['/ep', 'b', 'c'] },
    { name: 'image entrypoint + cmd', image: { Entrypoint: ['/ep', '-x'], Cmd: ['a'] }, req: {}, args: ['/ep', '-x', 'a'] },
    { name: 'explicit entrypoint drops image entrypoint and cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: ['/new'] }, args: ['/new'] },
    { name: 'explicit entrypoint with cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: ['/new'], Cmd: ['z'] }, args: ['/new', 'z'] },
    { name: 'Entrypoint [""] resets, request cmd kept', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: [''], Cmd: ['ls', '-l'] }, args: ['ls', '-l'] },
    { name: 'Entrypoint [""] and no cmd', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: [''] }, error: 'no command specified' },
    { name: 'Entrypoint [] keeps image cmd, drops image entrypoint', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: [] }, args: ['a'] },
    { name: 'null entrypoint takes the image one', image: { Entrypoint: ['/ep'], Cmd: ['a'] }, req: { Entrypoint: null, Cmd: null }, args: ['/ep', 'a'] },
    { name: 'nothing at all', image: {}, req: {}, error: 'no command specified' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const run = () => buildOciSpec({ ...input({}, c.req), image: c.image });
      if (c.error) invalid(run, c.error);
      else assert.deepEqual(run().process.args, c.args);
    });
  }

  test('env: image env, request env overriding by key, then the defaults', () => {
    const s = buildOciSpec({
      ...input({}, { Env: ['FOO=req', 'NEW=1', 'HOSTNAME=custom'], Tty: true, Hostname: 'web' }),
      image: { Cmd: ['sh'], Env: ['FOO=img', 'BAR=img', 'PATH=/img/bin'] },
    });
    assert.deepEqual(s.process.env, ['PATH=/img/bin', 'HOSTNAME=custom', 'TERM=xterm', 'FOO=req', 'NEW=1', 'BAR=img']);
    assert.equal(s.hostname, 'web');
    assert.equal(s.process.terminal, true);
  });

  test('env: PATH default when absent, bare KEY unsets', () => {
    assert.deepEqual(processEnv(['A=1', 'TERM', 'A=2'], 'h', true), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'HOSTNAME=h',
      'A=2',
    ]);
  });

  test('merged config (what inspect shows) is stable when passed back without the image', () => {
    const merged = mergeImageConfig({ Entrypoint: ['/ep'], Cmd: ['a'], Env: ['X=1'], WorkingDir: '/app/', User: 'app', StopSignal: 'SIGQUIT' }, { Env: ['Y=2'] });
    assert.deepEqual(merged, { Env: ['Y=2', 'X=1'], User: 'app', Cmd: ['a'], Entrypoint: ['/ep'], WorkingDir: '/app', StopSignal: 'SIGQUIT' });
    const s = buildOciSpec({ ...input({}, merged), image: undefined });
    assert.deepEqual(s.process.args, ['/ep', 'a']);
    assert.equal(s.process.cwd, '/app');
    const reset = mergeImageConfig({ Entrypoint: ['/ep'], Cmd: ['a'] }, { Entrypoint: [''], Cmd: ['ls'] });
    assert.equal(reset.Entrypoint, null);
    assert.deepEqual(buildOciSpec({ ...input({}, reset), image: undefined }).process.args, ['ls']);
  });

  test('working dir: request over image, cleaned, must be absolute', () => {
    assert.equal(spec({}, { WorkingDir: '/srv/./x/../y/' }).process.cwd, '/srv/y');
    assert.equal(buildOciSpec({ ...input(), image: { ...BUSYBOX, WorkingDir: '/img' } }).process.cwd, '/img');
    invalid(() => spec({}, { WorkingDir: 'rel' }), "the working directory 'rel' is invalid, it needs to be an absolute path");
  });

  test('init wraps the command and mounts the init binary read-only', () => {
    const s = spec({ Init: true }, { Cmd: ['sleep', '1'] }, { initPath: '/usr/bin/tini-static' });
    assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
    assert.deepEqual(mount(s, '/sbin/docker-init'), {
      destination: '/sbin/docker-init',
      type: 'bind',
      source: '/usr/bin/tini-static',
      options: ['bind', 'ro'],
    });
    assert.deepEqual(spec({}, {}, { defaultInit: true }).process.args.slice(0, 2), ['/sbin/docker-init', '--']);
    assert.deepEqual(spec({ Init: false }, {}, { defaultInit: true }).process.args, ['sh']);
    const hostPid = spec({ Init: true, PidMode: 'host' });
    assert.deepEqual(hostPid.process.args, ['sh']);
    assert.ok(!hostPid.linux.namespaces.some((n) => n.type === 'pid'));
  });

  test('hostile strings are refused', () => {
    invalid(() => spec({}, { Cmd: ['sh', 'a\0b'] }), 'invalid Cmd: contains a NUL byte');
    invalid(() => spec({}, { Env: [42 as unknown as string] }), 'invalid Env: must be a list of strings');
    invalid(() => buildOciSpec({ ...input(), image: { Entrypoint: ['x\0'] } }), 'invalid Entrypoint: contains a NUL byte');
  });

  test('user comes from the resolved user', () => {
    const s = spec({}, {}, { user: { uid: 1000, gid: 1000, additionalGids: [1000, 29], home: '/home/app' } });
    assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [1000, 29] });
  });

  test('console size when tty', () => {
    assert.deepEqual(spec({}, { Tty: true }, { consoleSize: [40, 120] }).process.consoleSize, { height: 40, width: 120 });
    assert.equal(spec({}, {}, { consoleSize: [40, 120] }).process.consoleSize, undefined);
  });
});

describe('capabilities', () => {
  const cases: { name: string; add?: string[]; drop?: string[]; expect: (caps: string[]) => void }[] = [
    {
      name: 'add without prefix, any case',
      add: ['sys_admin', 'Net_Admin'],
      expect: (c) => assert.deepEqual(c, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN', 'CAP_NET_ADMIN']),
    },
    {
      name: 'drop with and without prefix',
      drop: ['CAP_CHOWN', 'kill', 'cap_mknod'],
      expect: (c) => assert.deepEqual(c, DEFAULT_CAPABILITIES.filter((x) => !['CAP_CHOWN', 'CAP_KILL', 'CAP_MKNOD'].includes(x))),
    },
    { name: 'drop ALL, add one', drop: ['ALL'], add: ['NET_BIND_SERVICE'], expect: (c) => assert.deepEqual(c, ['CAP_NET_BIND_SERVICE']) },
    { name: 'drop all (lower case)', drop: ['all'], expect: (c) => assert.deepEqual(c, []) },
    {
      name: 'add ALL, drop one',
      add: ['ALL'],
      drop: ['MKNOD'],
      expect: (c) => assert.deepEqual(c, ALL_CAPABILITIES.filter((x) => x !== 'CAP_MKNOD')),
    },
    { name: 'adding a default cap does not duplicate it', add: ['CHOWN'], expect: (c) => assert.deepEqual(c, DEFAULT_CAPABILITIES) },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = spec({ CapAdd: c.add, CapDrop: c.drop });
      c.expect(s.process.capabilities.bounding);
      assert.deepEqual(s.process.capabilities.effective, s.process.capabilities.bounding);
      assert.deepEqual(s.process.capabilities.permitted, s.process.capabilities.bounding);
      assert.deepEqual(s.process.capabilities.inheritable, []);
    });
  }

  test('unknown and unavailable capabilities', () => {
    invalid(() => spec({ CapAdd: ['FOO'] }), 'unknown capability: "CAP_FOO"');
    invalid(() => validateHostConfig({ CapDrop: ['cap_bar'] }), 'unknown capability: "CAP_BAR"');
    const known = capabilitiesFromMask('000001fffeffffff'); // no CAP_SYS_RESOURCE
    assert.ok(!known.includes('CAP_SYS_RESOURCE') && known.includes('CAP_CHECKPOINT_RESTORE'));
    invalid(
      () => spec({ CapAdd: ['SYS_RESOURCE'] }, {}, { knownCapabilities: known }),
      'capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"',
    );
    assert.deepEqual(tweakCapabilities(DEFAULT_CAPABILITIES, ['ALL'], [], false, known), known);
  });

  test('capability table helpers', () => {
    assert.equal(ALL_CAPABILITIES.length, 41);
    assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
    assert.deepEqual(capabilitiesUpTo(37).at(-1), 'CAP_AUDIT_READ');
    assert.deepEqual(capabilitiesFromMask(0b101n), ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH']);
  });

  test('seccomp follows the capabilities', () => {
    assert.ok(syscallAllowed(spec({ CapAdd: ['SYS_ADMIN'] }), 'mount'));
    assert.ok(!syscallAllowed(spec({ CapDrop: ['SYS_CHROOT'] }), 'chroot'));
  });
});

describe('privileged and read-only', () => {
  test('privileged: all caps, no seccomp, no masks, all devices, rw /sys and cgroups', () => {
    const known = capabilitiesUpTo(40);
    const s = spec({ Privileged: true, CapDrop: ['ALL'] }, {}, { knownCapabilities: known });
    assert.deepEqual(s.process.capabilities.bounding, known);
    assert.equal(s.linux.seccomp, undefined);
    assert.equal(s.linux.maskedPaths, undefined);
    assert.equal(s.linux.readonlyPaths, undefined);
    assert.deepEqual(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
    assert.deepEqual(mount(s, '/sys')!.options, ['nosuid', 'noexec', 'nodev']);
    assert.deepEqual(mount(s, '/sys/fs/cgroup')!.options, ['nosuid', 'noexec', 'nodev']);
  });

  test('read-only rootfs: root and the /etc files read-only, the kernel filesystems unchanged', () => {
    const s = spec({ ReadonlyRootfs: true });
    assert.equal(s.root.readonly, true);
    assert.deepEqual(mount(s, '/etc/hosts')!.options, ['rbind', 'ro', 'rprivate']);
    assert.deepEqual(mount(s, '/etc/resolv.conf')!.options, ['rbind', 'ro', 'rprivate']);
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue']) {
      assert.ok(!mount(s, d)!.options.includes('ro'), d);
    }
    assert.ok(mount(s, '/sys')!.options.includes('ro'));
  });

  test('privileged + read-only keeps /sys writable', () => {
    const s = spec({ Privileged: true, ReadonlyRootfs: true });
    assert.ok(!mount(s, '/sys')!.options.includes('ro'));
  });

  test('MaskedPaths/ReadonlyPaths from the HostConfig win (systempaths=unconfined)', () => {
    const s = spec({ MaskedPaths: [], ReadonlyPaths: [] });
    assert.deepEqual(s.linux.maskedPaths, []);
    assert.deepEqual(s.linux.readonlyPaths, []);
  });
});

describe('security options', () => {
  test('no-new-privileges forms', () => {
    assert.equal(spec({ SecurityOpt: ['no-new-privileges'] }).process.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges:true'] }).process.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges=1'] }).process.noNewPrivileges, true);
    assert.equal(spec({ SecurityOpt: ['no-new-privileges=false'] }, {}, { noNewPrivileges: true }).process.noNewPrivileges, false);
    assert.equal(spec({}, {}, { noNewPrivileges: true }).process.noNewPrivileges, true);
  });

  test('seccomp=unconfined, custom and builtin', () => {
    assert.equal(spec({ SecurityOpt: ['seccomp=unconfined'] }).linux.seccomp, undefined);
    assert.equal(spec({ SecurityOpt: ['seccomp:unconfined'] }).linux.seccomp, undefined);
    const custom = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
    assert.deepEqual(spec({ SecurityOpt: [`seccomp=${custom}`] }).linux.seccomp, {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
    });
    assert.equal(spec({ SecurityOpt: ['seccomp=builtin'] }).linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
    assert.equal(spec({}, {}, { seccompProfile: 'unconfined' }).linux.seccomp, undefined);
    assert.throws(() => spec({}, {}, { seccompProfile: undefined }), /default seccomp profile is not loaded/);
    invalid(() => spec({ SecurityOpt: ['seccomp={bad'] }), /^Decoding seccomp profile failed: /);
  });

  test('apparmor and label are accepted and ignored', () => {
    const opts = parseSecurityOpts(['apparmor=docker-default', 'label=disable', 'label:type:svirt_t', 'disable']);
    assert.deepEqual(opts, { seccomp: '', labels: ['disable', 'type:svirt_t', 'disable'], apparmor: 'docker-default' });
    spec({ SecurityOpt: ['apparmor=unconfined', 'label=disable'] });
  });

  test('unknown options give Docker\'s errors', () => {
    invalid(() => spec({ SecurityOpt: ['foo=bar'] }), 'invalid --security-opt 2: "foo=bar"');
    invalid(() => spec({ SecurityOpt: ['no-new-privileges=maybe'] }), 'invalid --security-opt 2: "no-new-privileges=maybe"');
    invalid(() => spec({ SecurityOpt: ['nonsense'] }), 'invalid --security-opt 1: "nonsense"');
  });

  test('writable-cgroups makes the cgroup mount rw', () => {
    assert.ok(!mount(spec({ SecurityOpt: ['writable-cgroups=true'] }), '/sys/fs/cgroup')!.options.includes('ro'));
  });
});

describe('resources', () => {
  test('memory: swap defaults to twice the memory, -1 is unlimited', () => {
    const MiB = 1024 * 1024;
    assert.deepEqual(spec({ Memory: 64 * MiB }).linux.resources.memory, { limit: 64 * MiB, swap: 128 * MiB });
    assert.deepEqual(spec({ Memory: 64 * MiB, MemorySwap: -1 }).linux.resources.memory, { limit: 64 * MiB });
    assert.deepEqual(spec({ Memory: 64 * MiB, MemorySwap: 100 * MiB, MemoryReservation: 32 * MiB }).linux.resources.memory, {
      limit: 64 * MiB,
      reservation: 32 * MiB,
      swap: 100 * MiB,
    });
    assert.deepEqual(spec({ Memory: 64 * MiB }, {}, { swapLimit: false }).linux.resources.memory, { limit: 64 * MiB });
    assert.deepEqual(spec({ MemorySwappiness: 10, OomKillDisable: true }).linux.resources.memory, { swappiness: 10, disableOOMKiller: true });
    assert.equal(spec({ MemorySwappiness: -1 }).linux.resources.memory, undefined);
  });

  test('cpu: NanoCpus become quota over a 100ms period; shares clamped; cpusets', () => {
    assert.deepEqual(spec({ NanoCpus: 1_500_000_000 }).linux.resources.cpu, { period: 100000, quota: 150000 });
    assert.deepEqual(spec({ NanoCpus: 10_000_000 }).linux.resources.cpu, { period: 100000, quota: 1000 });
    assert.deepEqual(spec({ CpuPeriod: 50000, CpuQuota: 25000 }).linux.resources.cpu, { period: 50000, quota: 25000 });
    assert.deepEqual(spec({ CpuShares: 1 }).linux.resources.cpu, { shares: 2 });
    assert.deepEqual(spec({ CpuShares: 1_000_000 }).linux.resources.cpu, { shares: 262144 });
    assert.deepEqual(spec({ CpusetCpus: '0', CpusetMems: '0' }).linux.resources.cpu, { cpus: '0', mems: '0' });
  });

  test('pids: 0 and -1 are unlimited', () => {
    assert.deepEqual(spec({ PidsLimit: 100 }).linux.resources.pids, { limit: 100 });
    assert.deepEqual(spec({ PidsLimit: 0 }).linux.resources.pids, { limit: -1 });
    assert.deepEqual(spec({ PidsLimit: -1 }).linux.resources.pids, { limit: -1 });
    assert.equal(spec({ PidsLimit: null }).linux.resources.pids, undefined);
  });

  test('block IO: weight and per-device limits through the stat function', () => {
    const statDevice = (p: string) => {
      if (p === '/dev/sda') return { major: 8, minor: 0 };
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    };
    const s = spec(
      {
        BlkioWeight: 300,
        BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 200 }],
        BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 1048576 }],
        BlkioDeviceWriteIOps: [{ Path: '/dev/sda', Rate: 100 }],
      },
      {},
      { statDevice },
    );
    assert.deepEqual(s.linux.resources.blockIO, {
      weight: 300,
      weightDevice: [{ major: 8, minor: 0, weight: 200 }],
      throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
      throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 100 }],
    });
    invalid(() => spec({ BlkioDeviceReadBps: [{ Path: '/dev/nope', Rate: 1 }] }, {}, { statDevice }), 'stat /dev/nope: no such file or directory');
    invalid(() => spec({ BlkioDeviceReadBps: [{ Path: 'sda', Rate: 1 }] }, {}, { statDevice }), 'bad format for device path: sda');
    assert.deepEqual(splitDevNumber(0x803), { major: 8, minor: 3 });
    assert.deepEqual(splitDevNumber((259n << 8n) | 1n), { major: 259, minor: 1 });
    // glibc makedev(0x1234, 0x56789): both numbers split across the low and high halves.
    const [maj, min] = [0x1234n, 0x56789n];
    const dev = (min & 0xffn) | ((maj & 0xfffn) << 8n) | ((min & ~0xffn) << 12n) | ((maj & ~0xfffn) << 32n);
    assert.deepEqual(splitDevNumber(dev), { major: 0x1234, minor: 0x56789 });
  });

  test('ulimits become rlimits; -1 is RLIM_INFINITY; daemon defaults fill in by name', () => {
    const s = spec(
      { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 4096 }, { Name: 'core', Soft: -1, Hard: -1 }] },
      {},
      { defaultUlimits: [{ Name: 'nofile', Soft: 1, Hard: 1 }, { Name: 'nproc', Soft: 50, Hard: 60 }] },
    );
    assert.equal(
      JSON.stringify(s.process.rlimits),
      '[{"type":"RLIMIT_NOFILE","hard":4096,"soft":1024},' +
        '{"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":18446744073709551615},' +
        '{"type":"RLIMIT_NPROC","hard":60,"soft":50}]',
    );
    invalid(() => spec({ Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] }), 'invalid ulimit type: bogus');
    invalid(
      () => spec({ Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 5 }] }),
      'ulimit soft limit must be less than or equal to hard limit: 10 > 5',
    );
  });

  test('cgroups path: /berth/<id>, CgroupParent, cleaned, systemd', () => {
    assert.equal(spec({ CgroupParent: '/custom' }).linux.cgroupsPath, `/custom/${ID}`);
    assert.equal(spec({ CgroupParent: '../../escape' }).linux.cgroupsPath, `/escape/${ID}`);
    assert.equal(spec({}, {}, { cgroupParent: '/daemon' }).linux.cgroupsPath, `/daemon/${ID}`);
    assert.equal(spec({}, {}, { cgroupDriver: 'systemd' }).linux.cgroupsPath, `system.slice:berth:${ID}`);
  });
});

describe('sysctls, namespaces, mounts', () => {
  test('namespaced sysctls allowed, others refused, domainname as a sysctl', () => {
    const s = spec({ Sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000', 'fs.mqueue.msg_max': '20' } }, { Domainname: 'example.org' });
    assert.deepEqual(s.linux.sysctl, {
      'kernel.domainname': 'example.org',
      'net.ipv4.ping_group_range': '0 2147483647',
      'net.ipv4.ip_unprivileged_port_start': '0',
      'net.ipv4.ip_forward': '1',
      'kernel.shmmax': '1000',
      'fs.mqueue.msg_max': '20',
    });
    invalid(() => spec({ Sysctls: { 'kernel.pid_max': '5' } }), "sysctl 'kernel.pid_max' is not allowed");
    invalid(() => spec({ Sysctls: { 'vm.swappiness': '5' } }), "sysctl 'vm.swappiness' is not allowed");
    invalid(() => spec({ Sysctls: { 'net./../../kernel/x': '5' } }), "sysctl 'net./../../kernel/x' is not allowed");
    invalid(() => spec({ Sysctls: { 'net.ipv4.ip_forward': '1' } }, {}, { network: 'host' }), 'sysctl "net.ipv4.ip_forward" not allowed in host network namespace');
  });

  test('network namespace: host, join by path, another container', () => {
    const host = spec({}, {}, { network: 'host' });
    assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
    assert.equal(host.linux.sysctl, undefined);
    const joined = spec({}, {}, { network: { path: '/run/berth/netns/abc' } });
    assert.deepEqual(joined.linux.namespaces[1], { type: 'network', path: '/run/berth/netns/abc' });
    assert.ok(joined.linux.sysctl?.['net.ipv4.ping_group_range']);
    const shared = spec({}, {}, { network: { path: '/proc/42/ns/net', container: true } });
    assert.equal(shared.linux.sysctl, undefined);
  });

  test('IPv4-only interfaces: later interfaces without IPv6, unless the user says otherwise', () => {
    assert.equal(spec({}, {}, { ipv4OnlyInterfaces: true }).linux.sysctl?.['net.ipv6.conf.default.disable_ipv6'], '1');
    assert.equal(spec({}, {}, { ipv4OnlyInterfaces: false }).linux.sysctl?.['net.ipv6.conf.default.disable_ipv6'], undefined);
    assert.equal(spec({}, {}, { ipv4OnlyInterfaces: true, network: 'host' }).linux.sysctl, undefined);
    const user = spec({ Sysctls: { 'net.ipv6.conf.default.disable_ipv6': '0' } }, {}, { ipv4OnlyInterfaces: true });
    assert.equal(user.linux.sysctl?.['net.ipv6.conf.default.disable_ipv6'], '0');
  });

  test('ipc and uts modes', () => {
    const none = spec({ IpcMode: 'none' });
    assert.equal(mount(none, '/dev/shm'), undefined);
    const ipcHost = spec({ IpcMode: 'host' });
    assert.ok(!ipcHost.linux.namespaces.some((n) => n.type === 'ipc'));
    assert.deepEqual(mount(ipcHost, '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
    const utsHost = spec({ UTSMode: 'host' });
    assert.equal(utsHost.hostname, undefined);
    assert.ok(!utsHost.linux.namespaces.some((n) => n.type === 'uts'));
    assert.throws(() => spec({ IpcMode: 'container:abc' }), /not supported yet/);
  });

  test('ShmSize sets the /dev/shm size', () => {
    assert.ok(mount(spec({ ShmSize: 1 << 20 }), '/dev/shm')!.options.includes('size=1048576'));
  });

  test('user mounts: sorted by depth after the defaults, replacing defaults and /etc files', () => {
    const s = spec({}, {}, {
      mounts: [
        { source: '/v/deep', destination: '/data/a/b', type: 'bind', options: ['rbind', 'rprivate'] },
        { source: '/v/data', destination: '/data', type: 'bind', options: ['rbind', 'ro', 'rprivate'] },
        { source: 'tmpfs', destination: '/dev/shm', type: 'tmpfs', options: ['size=1m'] },
        { source: '/my/hosts', destination: '/etc/hosts', type: 'bind', options: ['rbind', 'ro'] },
      ],
    });
    assert.deepEqual(
      s.mounts.map((m) => m.destination),
      ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/data', '/dev/shm', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname', '/data/a/b'],
    );
    assert.equal(mount(s, '/etc/hosts')!.source, '/my/hosts');
    assert.equal(mount(s, '/dev/shm')!.type, 'tmpfs');
    const dev = spec({}, {}, { mounts: [{ source: '/hostdev', destination: '/dev', type: 'bind', options: ['rbind'] }] });
    assert.ok(!dev.mounts.some((m) => m.destination.startsWith('/dev/')));
    invalid(() => spec({}, {}, { mounts: [{ source: '/x', destination: 'rel', type: 'bind', options: [] }] }), 'invalid mount destination: rel');
  });
});

describe('validateHostConfig', () => {
  const MiB = 1024 * 1024;
  const cases: [HostConfig, string][] = [
    [{ Memory: 4 * MiB }, 'Minimum memory limit allowed is 6MB'],
    [{ Memory: 64 * MiB, MemorySwap: 32 * MiB }, 'Minimum memoryswap limit should be larger than memory limit, see usage'],
    [{ MemorySwap: 64 * MiB }, 'You should always set the Memory limit when using Memoryswap limit, see usage'],
    [{ MemoryReservation: 1 * MiB }, 'Minimum memory reservation allowed is 6MB'],
    [{ Memory: 16 * MiB, MemoryReservation: 32 * MiB }, 'Minimum memory limit can not be less than memory reservation limit, see usage'],
    [{ MemorySwappiness: 101 }, 'Invalid value: 101, valid memory swappiness range is 0-100'],
    [{ NanoCpus: 1e9, CpuPeriod: 100000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
    [{ NanoCpus: 1e9, CpuQuota: 50000 }, 'Conflicting options: Nano CPUs and CPU Quota cannot both be set'],
    [{ NanoCpus: 3e9 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'],
    [{ CpuPeriod: 500 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
    [{ CpuQuota: 999 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
    [{ CpuShares: -1 }, 'shares: invalid argument'],
    [{ CpusetCpus: '1-a' }, 'Invalid value 1-a for cpuset cpus: invalid format: 1-a'],
    [{ CpusetCpus: '3-1' }, 'Invalid value 3-1 for cpuset cpus: invalid format: 3-1'],
    [{ CpusetCpus: '0-3' }, 'Requested CPUs are not available - requested 0-3, available: 0-1'],
    [{ CpusetMems: '1' }, 'Requested memory nodes are not available - requested 1, available: 0'],
    [{ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000'],
    [{ ShmSize: -1 }, 'SHM size can not be less than 0'],
    [{ OomScoreAdj: 1001 }, 'Invalid value 1001, range for oom score adj is [-1000, 1000]'],
    [{ Sysctls: { 'kernel.hostname': 'x' } }, "sysctl 'kernel.hostname' is not allowed"],
    [{ Sysctls: { 'net.core.somaxconn': '1' }, NetworkMode: 'host' }, 'sysctl "net.core.somaxconn" not allowed in host network namespace'],
    [{ SecurityOpt: ['seccomp'] }, 'invalid --security-opt 1: "seccomp"'],
    [{ CapAdd: ['NOPE'] }, 'unknown capability: "CAP_NOPE"'],
    [{ IpcMode: 'weird' }, 'invalid IPC mode: weird'],
    [{ PidMode: 'private' }, 'invalid PID mode: private'],
    [{ UTSMode: 'container:x' }, 'invalid UTS mode: container:x'],
    [{ Memory: 1.5 as number }, 'invalid Memory: must be an integer'],
    [{ CapAdd: 'ALL' as unknown as string[] }, 'invalid CapAdd: must be a list'],
    [{ SecurityOpt: [7 as unknown as string] }, 'invalid SecurityOpt: must be a list of strings'],
    [{ Sysctls: ['a'] as unknown as Record<string, string> }, 'invalid Sysctls: must be an object'],
  ];
  for (const [hc, message] of cases) {
    test(message, () => invalid(() => validateHostConfig(hc, { numCpus: 2, availableCpus: '0-1', availableMems: '0' }), message));
  }

  test('valid configs pass, with Docker\'s warnings', () => {
    assert.deepEqual(validateHostConfig({ Memory: 6 * MiB, MemorySwap: -1, CpusetCpus: '0,1', NanoCpus: 2e9 }, { numCpus: 2, availableCpus: '0-1' }), []);
    assert.deepEqual(validateHostConfig({ OomKillDisable: true }), [
      'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
    ]);
    assert.throws(
      () => validateHostConfig({ CgroupParent: '/x' }, { cgroupDriver: 'systemd' }),
      /cgroup-parent for systemd cgroup should be a valid slice named as "xxx.slice"/,
    );
  });
});

test('generateOciSpec resolves the user and GroupAdd in the rootfs', async () => {
  const files: Record<string, string> = {
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    '/etc/group': 'root:x:0:\napp:x:1000:\naudio:x:29:app\n',
  };
  const { user: _ignored, ...rest } = input({ GroupAdd: ['root'] }, {});
  const s = await generateOciSpec({
    ...rest,
    image: { ...BUSYBOX, User: 'app' },
    readRootfsFile: async (p) => files[p],
  });
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [1000, 29, 0] });
  await assert.rejects(
    generateOciSpec({ ...rest, config: { User: 'ghost' }, readRootfsFile: async (p) => files[p] }),
    /unable to find user ghost: no matching entries in passwd file/,
  );
});

// runc 1.1.5 accepts what we generate and the container sees it: run the busybox fixture.
const RUNC = '/usr/sbin/runc';
const FIXTURE_SCRIPT = new URL('../../../test/fixtures/make-busybox-image.sh', import.meta.url).pathname;
const canRunc = process.getuid?.() === 0 && existsSync(RUNC) && existsSync(FIXTURE_SCRIPT);

test('runc runs the generated spec', { skip: !canRunc && 'needs root, runc and the fixture script' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-ocispec-'));
  const parent = `/berth-test-ocispec-${process.pid}`;
  const id = `berth-ocispec-${process.pid}`;
  try {
    const outDir = join(dir, 'images');
    const { stdout } = await execFileP('sh', [FIXTURE_SCRIPT], { env: { ...process.env, BERTH_FIXTURES_OUT: outDir } });
    assert.match(stdout, /busybox\.tar/);
    const rootfs = join(dir, 'bundle', 'rootfs');
    await execFileP('mkdir', ['-p', rootfs, join(dir, 'extract')]);
    await execFileP('tar', ['-xf', join(outDir, 'busybox.tar'), '-C', join(dir, 'extract')]);
    const manifest = JSON.parse(await readFile(join(dir, 'extract', 'manifest.json'), 'utf8'));
    await execFileP('tar', ['-xf', join(dir, 'extract', manifest[0].Layers[0]), '-C', rootfs]);
    await writeFile(join(dir, 'hosts'), '127.0.0.1 localhost\n');
    await writeFile(join(dir, 'hostname'), 'spec-test\n');
    await writeFile(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    const status = await readFile('/proc/self/status', 'utf8');
    const capBnd = /^CapBnd:\s*([0-9a-f]+)/m.exec(status)![1]!;
    const script = [
      'id',
      'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
      'ulimit -n',
      'hostname',
      'cat /proc/sys/net/ipv4/ip_unprivileged_port_start',
      'touch /rootfs-write 2>/dev/null && echo rw || echo ro',
      'mkdir /tmp/m 2>/dev/null; mount -t tmpfs t /tmp/m 2>/dev/null && echo mounted || echo mount-denied',
      'cat /proc/1/cmdline | tr "\\0" " "; echo',
    ].join('; ');
    const s = await generateOciSpec({
      id,
      rootfs,
      image: { Env: ['PATH=/bin'], Cmd: ['sh'] },
      config: { User: 'app', Cmd: ['sh', '-c', script], Hostname: 'spec-test' },
      hostConfig: {
        Memory: 64 * 1024 * 1024,
        PidsLimit: 50,
        NanoCpus: 500_000_000,
        Init: true,
        Ulimits: [{ Name: 'nofile', Soft: 321, Hard: 654 }],
        SecurityOpt: ['no-new-privileges'],
        Sysctls: { 'net.ipv4.ip_forward': '0' },
      },
      network: 'new',
      etcFiles: { hosts: join(dir, 'hosts'), hostname: join(dir, 'hostname'), resolvConf: join(dir, 'resolv.conf') },
      cgroupParent: parent,
      knownCapabilities: capabilitiesFromMask(capBnd),
      seccompProfile: profile,
      initPath: existsSync('/usr/bin/tini-static') ? '/usr/bin/tini-static' : '/bin/busybox',
      readRootfsFile: async (p) => readFile(join(rootfs, p), 'utf8').catch(() => undefined),
    });
    await writeFile(join(dir, 'bundle', 'config.json'), JSON.stringify(s));
    const run = await execFileP(RUNC, ['--root', join(dir, 'state'), 'run', '--bundle', join(dir, 'bundle'), id], {
      timeout: 30_000,
    });
    const out = run.stdout.split('\n');
    assert.equal(out[0], 'uid=1000(app) gid=1000(app) groups=1000(app)');
    assert.ok(out.includes('Seccomp:\t2'), run.stdout);
    assert.ok(out.includes('NoNewPrivs:\t1'), run.stdout);
    assert.ok(out.includes('321'), run.stdout);
    assert.ok(out.includes('spec-test'), run.stdout);
    assert.ok(out.includes('0'), run.stdout);
    assert.ok(out.includes('ro'), run.stdout); // uid 1000 cannot write /
    assert.ok(out.includes('mount-denied'), run.stdout);
    assert.ok(run.stdout.includes('/sbin/docker-init -- sh -c'), run.stdout);
  } finally {
    await execFileP(RUNC, ['--root', join(dir, 'state'), 'delete', '--force', id]).catch(() => {});
    // runc removes the container's cgroups; the parent we named is ours to remove.
    for (const ctl of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
      await rmdir(join('/sys/fs/cgroup', ctl, parent)).catch(() => {});
    }
    await rm(dir, { recursive: true, force: true });
  }
});
