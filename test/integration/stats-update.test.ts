// `stats` and `update` end to end: the real docker CLI (and berth's) against berthd, checked
// against the kernel's own cgroup files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { startDaemonWithBusybox, type Daemon } from './harness.ts';

const MiB = 1024 * 1024;
const ZERO_TIME = '0001-01-01T00:00:00Z';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

async function ok(args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The v1 controller directory (or the v2 directory) of a running container's init process. */
async function cgroupDir(container: string, controller: string): Promise<string> {
  const pid = (await ok(['inspect', '-f', '{{.State.Pid}}', container])).trim();
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
  const v1 = lines.find((l) => l.split(':')[1]?.split(',').includes(controller));
  if (v1) return `/sys/fs/cgroup/${controller}${v1.split(':')[2]}`;
  return `/sys/fs/cgroup${lines.find((l) => l.startsWith('0::'))!.slice(3)}`;
}

async function cgroupFile(container: string, controller: string, v1: string, v2: string): Promise<string> {
  const dir = await cgroupDir(container, controller);
  return (await readFile(`${dir}/${v1}`, 'utf8').catch(() => readFile(`${dir}/${v2}`, 'utf8'))).trim();
}

test('docker stats --no-stream: a busy container with a memory limit, in docker\'s JSON row', async () => {
  await ok(['run', '-d', '--name', 'busy', '-m', '64m', 'busybox', 'sh', '-c', 'while :; do :; done']);
  const id = (await ok(['inspect', '-f', '{{.Id}}', 'busy'])).trim();
  const out = await ok(['stats', '--no-stream', '--format', '{{json .}}', 'busy']);
  const row = JSON.parse(out);
  assert.deepEqual(Object.keys(row).sort(), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
  assert.equal(row.Container, 'busy');
  assert.equal(row.Name, 'busy');
  assert.equal(row.ID, id.slice(0, 12));
  assert.match(row.MemUsage, /^[\d.]+(B|KiB|MiB) \/ 64MiB$/);
  assert.match(row.NetIO, /^[\d.]+k?B \/ [\d.]+k?B$/);
  assert.match(row.BlockIO, /^[\d.]+[kM]?B \/ [\d.]+[kM]?B$/);
  assert.ok(Number(row.PIDs) >= 1, row.PIDs);
  // A shell spinning for the whole second between the two samples.
  assert.ok(Number.parseFloat(row.CPUPerc) > 5, row.CPUPerc);

  const table = await ok(['stats', '--no-stream', '--no-trunc', 'busy']);
  const [header, line] = table.split('\n');
  assert.match(header, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
  assert.ok(line.startsWith(`${id}   busy `), line);
});

test('GET /containers/{id}/stats: stream=false primes precpu, one-shot does not, cgroup figures as docker reports them', async () => {
  const r = await d.api('GET', '/containers/busy/stats?stream=false');
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  assert.deepEqual(Object.keys(s).slice(0, 11), ['name', 'id', 'read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats']);
  assert.equal(s.name, '/busy');
  assert.notEqual(s.preread, ZERO_TIME);
  assert.ok(Date.parse(s.read) > Date.parse(s.preread));
  assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage);
  assert.ok(s.cpu_stats.system_cpu_usage > s.precpu_stats.system_cpu_usage);
  assert.ok(s.cpu_stats.online_cpus >= 1);
  assert.equal(s.memory_stats.limit, 64 * MiB);
  assert.ok(s.memory_stats.usage > 0);
  assert.ok(s.pids_stats.current >= 1);
  const memDir = await cgroupDir('busy', 'memory');
  if (memDir.includes('/memory/')) {
    assert.ok('total_inactive_file' in s.memory_stats.stats);
    assert.equal(s.memory_stats.limit, Number(await readFile(`${memDir}/memory.limit_in_bytes`, 'utf8')));
  } else {
    assert.ok('inactive_file' in s.memory_stats.stats);
  }
  assert.ok(s.networks?.eth0, JSON.stringify(s.networks));
  assert.equal(s.networks.lo, undefined);

  const one = await d.api('GET', '/containers/busy/stats?stream=false&one-shot=true');
  assert.equal(one.status, 200);
  assert.equal(one.json.preread, ZERO_TIME);
  assert.equal(one.json.precpu_stats.cpu_usage.total_usage, 0);
  const both = await d.api('GET', '/containers/busy/stats?stream=true&one-shot=true');
  assert.equal(both.status, 400);
  assert.equal((await d.api('GET', '/containers/nope/stats?stream=false')).status, 404);
});

test('stats of a stopped container are zero; of a missing one an error', async () => {
  await ok(['create', '--name', 'idle', 'busybox', 'true']);
  const r = await d.api('GET', '/containers/idle/stats?stream=false');
  assert.equal(r.status, 200);
  assert.equal(r.json.read, ZERO_TIME);
  assert.equal(r.json.name, '/idle');
  const row = JSON.parse(await ok(['stats', '--no-stream', '--format', '{{json .}}', 'idle']));
  assert.equal(row.CPUPerc, '0.00%');
  assert.equal(row.MemUsage, '0B / 0B');
  assert.equal(row.PIDs, '0');

  const missing = await d.docker(['stats', '--no-stream', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /No such container: nope/);

  // Without names: the running containers, or all of them with -a.
  const running = await ok(['stats', '--no-stream', '--format', '{{.Name}}']);
  assert.deepEqual(running.trim().split('\n'), ['busy']);
  const all = await ok(['stats', '--no-stream', '-a', '--format', '{{.Name}}']);
  assert.deepEqual(all.trim().split('\n').sort(), ['busy', 'idle']);
});

test('docker update changes a running container\'s cgroup limits, HostConfig and restart policy', async () => {
  await ok(['run', '-d', '--name', 'up', '-m', '32m', 'busybox', 'sleep', '300']);
  assert.equal(await cgroupFile('up', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(32 * MiB));
  assert.equal(await ok(['update', '-m', '64m', '--memory-swap', '128m', '--restart', 'always', 'up']), 'up\n');
  const hc = (await ok(['inspect', '-f', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.RestartPolicy.Name}}', 'up'])).trim();
  assert.equal(hc, `${64 * MiB} ${128 * MiB} always`);
  assert.equal(await cgroupFile('up', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(64 * MiB));

  assert.equal(await ok(['update', '--cpus', '0.5', '--pids-limit', '50', '-c', '512', 'up']), 'up\n');
  assert.equal(await cgroupFile('up', 'pids', 'pids.max', 'pids.max'), '50');
  const quota = await cgroupFile('up', 'cpu', 'cpu.cfs_quota_us', 'cpu.max');
  assert.match(quota, /^50000( 100000)?$/);
  const stats = JSON.parse(await ok(['stats', '--no-stream', '--format', '{{json .}}', 'up']));
  assert.match(stats.MemUsage, / \/ 64MiB$/);
  const inspected = (await ok(['inspect', '-f', '{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuShares}}', 'up'])).trim();
  assert.equal(inspected, '500000000 50 512');
});

test('docker update keeps the new settings for a container that is not running and applies them at start', async () => {
  await ok(['create', '--name', 'later', 'busybox', 'sleep', '300']);
  assert.equal(await ok(['update', '--pids-limit', '40', '-m', '48m', '--memory-swap', '-1', 'later']), 'later\n');
  await ok(['start', 'later']);
  assert.equal(await cgroupFile('later', 'pids', 'pids.max', 'pids.max'), '40');
  assert.equal(await cgroupFile('later', 'memory', 'memory.limit_in_bytes', 'memory.max'), String(48 * MiB));
});

test('docker update errors: docker\'s messages and exit codes', async () => {
  await ok(['run', '-d', '--name', 'nolimit', 'busybox', 'sleep', '300']);
  const id = (await ok(['inspect', '-f', '{{.Id}}', 'nolimit'])).trim();
  const swap = await d.docker(['update', '-m', '64m', 'nolimit']);
  assert.equal(swap.code, 1);
  assert.equal(swap.stderr.trim(), `Error response from daemon: Cannot update container ${id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`);

  await ok(['run', '-d', '--rm', '--name', 'gone', 'busybox', 'sleep', '300']);
  const goneId = (await ok(['inspect', '-f', '{{.Id}}', 'gone'])).trim();
  const ar = await d.docker(['update', '--restart', 'always', 'gone']);
  assert.equal(ar.code, 1);
  assert.equal(ar.stderr.trim(), `Error response from daemon: Cannot update container ${goneId}: Restart policy cannot be updated because AutoRemove is enabled for the container`);

  const small = await d.docker(['update', '-m', '1m', '--memory-swap', '2m', 'nolimit']);
  assert.equal(small.code, 1);
  assert.match(small.stderr, /Minimum memory limit allowed is 6MB/);

  // One good and one missing container: the good one is updated and printed, the error follows.
  const mixed = await d.docker(['update', '-c', '256', 'nolimit', 'nope']);
  assert.equal(mixed.code, 1);
  assert.equal(mixed.stdout, 'nolimit\n');
  assert.match(mixed.stderr, /No such container: nope/);
  assert.equal((await ok(['inspect', '-f', '{{.HostConfig.CpuShares}}', 'nolimit'])).trim(), '256');

  const bad = await d.api('POST', '/containers/nolimit/update', { Memory: 'lots' });
  assert.equal(bad.status, 400);
  await ok(['rm', '-f', 'gone', 'nolimit']);
});

test('berth update and berth stats speak the same as docker', async () => {
  const r = await d.berth(['update', '--cpu-shares', '300', 'up']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'up\n');
  assert.equal((await ok(['inspect', '-f', '{{.HostConfig.CpuShares}}', 'up'])).trim(), '300');
  const noFlags = await d.berth(['update', 'up']);
  assert.equal(noFlags.code, 1);
  assert.match(noFlags.stderr, /you must provide one or more flags when using this command/);
  const badMem = await d.berth(['update', '-m', '5x', 'up']);
  assert.equal(badMem.code, 125);
  assert.match(badMem.stderr, /invalid argument "5x" for "-m, --memory" flag/);

  const s = await d.berth(['stats', '--no-stream', '--format', '{{json .}}', 'up']);
  assert.equal(s.code, 0, s.stderr);
  const row = JSON.parse(s.stdout);
  assert.equal(row.Name, 'up');
  assert.match(row.MemUsage, / \/ 64MiB$/);
  const missing = await d.berth(['stats', '--no-stream', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Error response from daemon: No such container: nope/);
  await ok(['rm', '-f', 'up', 'busy', 'later', 'idle']);
});
