import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamStats, zeroStats, type StatsTarget } from './stats.ts';

const temps: string[] = [];
after(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

/** A fake v1 host whose cpuacct.usage grows by 1 ms on every read of /proc/stat. */
async function fakeHost(): Promise<{ roots: { cgroupRoot: string; procRoot: string }; tick(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'stats-'));
  temps.push(root);
  const files: Record<string, string> = {
    'proc/5/cgroup': '4:memory:/c\n2:cpuacct:/c\n1:cpu:/c\n8:pids:/c\n',
    'proc/5/net/dev': 'Inter-|\n face |\n  eth0: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n',
    'cg/memory/c/memory.usage_in_bytes': '1000\n',
    'cg/memory/c/memory.limit_in_bytes': '9223372036854771712\n',
    'cg/memory/c/memory.stat': 'total_inactive_file 100\n',
    'cg/pids/c/pids.current': '2\n',
    'cg/pids/c/pids.max': '50\n',
  };
  for (const [p, c] of Object.entries(files)) {
    await mkdir(join(root, p, '..'), { recursive: true });
    await writeFile(join(root, p), c);
  }
  let n = 0;
  const tick = async () => {
    n++;
    await writeFile(join(root, 'cg/cpuacct/c/cpuacct.usage'), `${n * 1_000_000}\n`);
    await writeFile(join(root, 'proc/stat'), `cpu ${n * 100} 0 0 0 0 0 0 0\ncpu0 1\ncpu1 1\n`);
  };
  await mkdir(join(root, 'cg/cpuacct/c'), { recursive: true });
  await tick();
  return { roots: { cgroupRoot: join(root, 'cg'), procRoot: join(root, 'proc') }, tick };
}

function target(running: boolean): StatsTarget {
  return { id: 'abc', name: () => '/web', state: () => ({ running, pid: running ? 5 : 0 }), ownNetwork: true };
}

test('stream=false: the second sample, with the first as precpu', async () => {
  const host = await fakeHost();
  const out: any[] = [];
  const ac = new AbortController();
  const p = streamStats(target(true), { stream: false, oneShot: false, intervalMs: 10, machineMemory: 4096, roots: host.roots }, (j) => void out.push(JSON.parse(j)), ac.signal);
  // The sample after the first interval sees the counters moved.
  setTimeout(() => void host.tick(), 2);
  await p;
  assert.equal(out.length, 1);
  const s = out[0];
  assert.deepEqual(Object.keys(s), ['name', 'id', 'read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'networks']);
  assert.equal(s.name, '/web');
  assert.notEqual(s.preread, '0001-01-01T00:00:00Z');
  assert.ok(s.cpu_stats.cpu_usage.total_usage >= s.precpu_stats.cpu_usage.total_usage);
  assert.equal(s.cpu_stats.online_cpus, 2);
  assert.ok(s.precpu_stats.system_cpu_usage > 0);
  // Unlimited memory shows as the machine's memory.
  assert.equal(s.memory_stats.limit, 4096);
  assert.equal(s.memory_stats.usage, 1000);
  assert.deepEqual(s.pids_stats, { current: 2, limit: 50 });
  assert.deepEqual(Object.keys(s.networks), ['eth0']);
  assert.equal(s.networks.eth0.tx_bytes, 20);
});

test('one-shot: a single sample without precpu; stream and one-shot together are refused', async () => {
  const host = await fakeHost();
  const out: any[] = [];
  await streamStats(target(true), { stream: false, oneShot: true, roots: host.roots }, (j) => void out.push(JSON.parse(j)), new AbortController().signal);
  assert.equal(out.length, 1);
  assert.equal(out[0].preread, '0001-01-01T00:00:00Z');
  assert.equal(out[0].precpu_stats.cpu_usage.total_usage, 0);
  await assert.rejects(streamStats(target(true), { stream: true, oneShot: true }, () => {}, new AbortController().signal), { kind: 'InvalidParameter' });
});

test('stopped container: zeroed stats at once; streaming goes on until aborted', async () => {
  const out: any[] = [];
  await streamStats(target(false), { stream: false, oneShot: false }, (j) => void out.push(JSON.parse(j)), new AbortController().signal);
  assert.deepEqual(out, [JSON.parse(JSON.stringify(zeroStats('abc', '/web')))]);
  assert.equal(out[0].read, '0001-01-01T00:00:00Z');
  assert.equal(out[0].blkio_stats.io_service_bytes_recursive, null);

  const ac = new AbortController();
  const streamed: any[] = [];
  await streamStats(target(false), { stream: true, oneShot: false, intervalMs: 5 }, (j) => {
    streamed.push(JSON.parse(j));
    if (streamed.length === 3) ac.abort();
  }, ac.signal);
  assert.equal(streamed.length, 3);
  assert.ok(streamed.every((s) => s.id === 'abc' && s.cpu_stats.cpu_usage.total_usage === 0));

  // Removal ends the stream.
  let gone = false;
  const untilRemoved: any[] = [];
  await streamStats({ ...target(false), removed: () => gone }, { stream: true, oneShot: false, intervalMs: 5 }, (j) => {
    untilRemoved.push(j);
    if (untilRemoved.length === 2) gone = true;
  }, new AbortController().signal);
  assert.equal(untilRemoved.length, 2);
});

test('the logic runs over an injected sampler: no /proc, no cgroup files', async () => {
  const out: any[] = [];
  const sampler = async (pid: number, ownNetwork: boolean) => {
    assert.deepEqual([pid, ownNetwork], [5, false]);
    return {
      cgroup: {
        version: 2 as const,
        cpu: { total: 7, user: 3, kernel: 4, throttling: { periods: 0, throttledPeriods: 0, throttledTime: 0 } },
        memory: { usage: 10, limit: 2048, stats: { anon: 1 } },
        pids: { current: 1, limit: 0 },
        blkio: { io_service_bytes_recursive: [] },
      },
      system: { systemUsage: 100, onlineCpus: 4 },
      networks: {},
    };
  };
  await streamStats({ ...target(true), ownNetwork: false }, { stream: false, oneShot: true, sampler, machineMemory: 4096 }, (j) => void out.push(JSON.parse(j)), new AbortController().signal);
  assert.equal(out.length, 1);
  assert.equal(out[0].cpu_stats.cpu_usage.total_usage, 7);
  assert.equal(out[0].cpu_stats.online_cpus, 4);
  assert.equal(out[0].memory_stats.limit, 2048);
  assert.deepEqual(out[0].pids_stats, { current: 1 });
  assert.equal(out[0].networks, undefined);
  // A process that went away between state and sample: zeroed stats, as Docker.
  out.length = 0;
  await streamStats(target(true), { stream: false, oneShot: true, sampler: async () => undefined }, (j) => void out.push(JSON.parse(j)), new AbortController().signal);
  assert.equal(out[0].read, '0001-01-01T00:00:00Z');
});
