import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateCgroups, parseBlkio, readCgroupStats, readNetworkStats, readSystemCpu, V1_MEMORY_KEYS, V2_MEMORY_KEYS } from './cgroup-stats.ts';

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'cgstats-'));
  temps.push(root);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0
  eth0:    1296      16    1    2    0     0          0         0      648       8    3    4    0     0       0          0
`;

test('v1 hybrid host: controllers found from /proc/<pid>/cgroup, Docker units and keys', async () => {
  const cg = '/berth/abc';
  const root = await tree({
    'proc/42/cgroup': `9:name=systemd:/\n8:pids:${cg}\n7:blkio:${cg}\n4:memory:${cg}\n2:cpuacct:${cg}\n1:cpu:${cg}\n0::/\n`,
    'proc/42/net/dev': NET_DEV,
    'proc/stat': 'cpu  100 0 50 1000 5 1 2 7 0 0\ncpu0 50 0 25 500 2 0 1 0 0 0\ncpu1 50 0 25 500 3 1 1 7 0 0\nintr 1\n',
    [`cg/cpuacct${cg}/cpuacct.usage`]: '123456789\n',
    [`cg/cpuacct${cg}/cpuacct.usage_percpu`]: '100000000 23456789 \n',
    [`cg/cpuacct${cg}/cpuacct.stat`]: 'user 7\nsystem 3\n',
    [`cg/cpu${cg}/cpu.stat`]: 'nr_periods 10\nnr_throttled 2\nthrottled_time 5000\n',
    [`cg/memory${cg}/memory.usage_in_bytes`]: '4096000\n',
    [`cg/memory${cg}/memory.max_usage_in_bytes`]: '5000000\n',
    [`cg/memory${cg}/memory.limit_in_bytes`]: '67108864\n',
    [`cg/memory${cg}/memory.failcnt`]: '1\n',
    [`cg/memory${cg}/memory.stat`]: 'cache 8192\nrss 4000\nswap 0\ntotal_inactive_file 1000\nnot_docker_key 5\n',
    [`cg/pids${cg}/pids.current`]: '3\n',
    [`cg/pids${cg}/pids.max`]: 'max\n',
    [`cg/blkio${cg}/blkio.throttle.io_service_bytes_recursive`]: '8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n',
    [`cg/blkio${cg}/blkio.throttle.io_serviced_recursive`]: '8:0 Read 1\n8:0 Write 1\nTotal 2\n',
  });
  const roots = { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') };
  const loc = await locateCgroups(42, roots);
  assert.equal(loc?.version, 1);
  const s = await readCgroupStats(loc!);
  assert.equal(s.cpu.total, 123456789);
  assert.deepEqual(s.cpu.perCpu, [100000000, 23456789]);
  assert.equal(s.cpu.user, 70_000_000);
  assert.equal(s.cpu.kernel, 30_000_000);
  assert.deepEqual(s.cpu.throttling, { periods: 10, throttledPeriods: 2, throttledTime: 5000 });
  assert.equal(s.memory.usage, 4096000);
  assert.equal(s.memory.maxUsage, 5000000);
  assert.equal(s.memory.limit, 67108864);
  assert.equal(s.memory.failcnt, 1);
  assert.deepEqual(Object.keys(s.memory.stats), [...V1_MEMORY_KEYS]);
  assert.equal(s.memory.stats.cache, 8192);
  assert.equal(s.memory.stats.total_inactive_file, 1000);
  assert.equal(s.memory.stats.not_docker_key, undefined);
  assert.deepEqual(s.pids, { current: 3, limit: 0 });
  assert.deepEqual(s.blkio.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'Read', value: 4096 }, { major: 8, minor: 0, op: 'Write', value: 512 }, { major: 8, minor: 0, op: 'Total', value: 4608 },
  ]);
  assert.equal(s.blkio.io_serviced_recursive?.length, 2);
  assert.equal(s.blkio.io_queue_recursive, null);

  const sys = await readSystemCpu(roots);
  // (100+0+50+1000+5+1+2) ticks of 10 ms; the steal column is not counted.
  assert.equal(sys.systemUsage, 1158 * 10_000_000);
  assert.equal(sys.onlineCpus, 2);

  const net = await readNetworkStats(42, roots);
  assert.deepEqual(Object.keys(net), ['eth0']);
  assert.deepEqual(net.eth0, { rx_bytes: 1296, rx_packets: 16, rx_errors: 1, rx_dropped: 2, tx_bytes: 648, tx_packets: 8, tx_errors: 3, tx_dropped: 4 });
});

test('v1 combined cpu,cpuacct mount without per-controller links', async () => {
  const root = await tree({
    'proc/7/cgroup': '3:cpu,cpuacct:/c1\n',
    'cg/cpu,cpuacct/c1/cpuacct.usage': '99\n',
  });
  const loc = await locateCgroups(7, { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') });
  assert.ok(loc && loc.version === 1);
  assert.equal(loc.dirs.cpuacct, join(root, 'cg/cpu,cpuacct/c1'));
  assert.equal((await readCgroupStats(loc)).cpu.total, 99);
});

test('v2 unified host: microseconds to ns, unlimited memory and pids, io.stat', async () => {
  const root = await tree({
    'cg/cgroup.controllers': 'cpu io memory pids\n',
    'proc/9/cgroup': '0::/berth/x\n',
    'cg/berth/x/cpu.stat': 'usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 4\nnr_throttled 1\nthrottled_usec 30\n',
    'cg/berth/x/memory.current': '8192\n',
    'cg/berth/x/memory.max': 'max\n',
    'cg/berth/x/memory.stat': 'anon 4096\nfile 4096\ninactive_file 1024\n',
    'cg/berth/x/memory.events': 'low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n',
    'cg/berth/x/pids.current': '1\n',
    'cg/berth/x/pids.max': '100\n',
    'cg/berth/x/io.stat': '8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n',
  });
  const loc = await locateCgroups(9, { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') });
  assert.deepEqual(loc, { version: 2, dir: join(root, 'cg/berth/x') });
  const s = await readCgroupStats(loc!);
  assert.equal(s.cpu.total, 2_000_000);
  assert.equal(s.cpu.user, 1_500_000);
  assert.equal(s.cpu.kernel, 500_000);
  assert.equal(s.cpu.perCpu, undefined);
  assert.deepEqual(s.cpu.throttling, { periods: 4, throttledPeriods: 1, throttledTime: 30_000 });
  assert.equal(s.memory.usage, 8192);
  assert.equal(s.memory.limit, undefined);
  assert.equal(s.memory.maxUsage, undefined);
  assert.equal(s.memory.failcnt, 2);
  assert.deepEqual(Object.keys(s.memory.stats), [...V2_MEMORY_KEYS]);
  assert.equal(s.memory.stats.inactive_file, 1024);
  assert.deepEqual(s.pids, { current: 1, limit: 100 });
  assert.deepEqual(s.blkio.io_service_bytes_recursive, [{ major: 8, minor: 0, op: 'read', value: 100 }, { major: 8, minor: 0, op: 'write', value: 200 }]);
  assert.equal(s.blkio.io_serviced_recursive, null);
});

test('a process that is gone has no cgroups', async () => {
  const root = await tree({ 'cg/x': '' });
  assert.equal(await locateCgroups(12345, { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') }), undefined);
  assert.equal(await locateCgroups(0), undefined);
});

test('parseBlkio keeps two-field lines and skips the total', () => {
  assert.deepEqual(parseBlkio('8:0 12\nTotal 12\n'), [{ major: 8, minor: 0, op: '', value: 12 }]);
});
