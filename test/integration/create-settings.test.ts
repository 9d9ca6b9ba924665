// Create settings berth does not act on are refused or warned about, never accepted silently;
// cgroupns=private and annotations are applied (issue 8, robustness bug 9's rule).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonWithBusybox, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  await d?.cleanup();
});

test('refused with a clear error: --gpus, --storage-opt, a bad --cgroupns, Isolation, CPU real-time', async () => {
  const cases: [string[], RegExp][] = [
    [['--gpus', 'all'], /device requests \(--gpus\) are not supported by berth/],
    [['--storage-opt', 'size=1G'], /--storage-opt is not supported by berth/],
    [['--cgroupns', 'bogus'], /invalid|cgroup namespace/],
  ];
  for (const [flags, message] of cases) {
    const r = await d.docker(['run', '--rm', ...flags, 'busybox', 'true']);
    assert.notEqual(r.code, 0, flags.join(' '));
    assert.match(r.stderr, message, flags.join(' '));
  }
  const iso = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { Isolation: 'hyperv' } });
  assert.equal(iso.status, 400, iso.text);
  assert.equal(iso.json.message, 'Invalid isolation: "hyperv" - linux only supports \'default\'');
  const rt = await d.api('POST', '/containers/create', { Image: 'busybox', HostConfig: { CpuRealtimeRuntime: 950000 } });
  assert.equal(rt.status, 400, rt.text);
  assert.equal((await d.docker(['ps', '-aq'])).stdout, '', 'no container was created');
});

test('accepted with a warning: Docker\'s discarded CPU count (a health check, which berth runs, warns of nothing)', async () => {
  const r = await d.docker(['create', '--name', 'hc', '--health-cmd', 'true', 'busybox']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /WARNING/);
  const api = await d.api('POST', '/containers/create?name=cpucount', { Image: 'busybox', HostConfig: { CpuCount: 2 } });
  assert.equal(api.status, 201, api.text);
  assert.deepEqual(api.json.Warnings, ['linux does not support CPU count. Count discarded.']);
  await d.docker(['rm', 'hc', 'cpucount']);
});

test('--cgroupns private gives the container a cgroup namespace of its own; host (the default here) shares the host\'s', async () => {
  const hostNs = await readlink('/proc/self/ns/cgroup');
  const priv = await d.docker(['run', '--rm', '--cgroupns', 'private', 'busybox', 'readlink', '/proc/self/ns/cgroup']);
  assert.equal(priv.code, 0, priv.stderr);
  assert.match(priv.stdout, /^cgroup:\[\d+\]$/m);
  assert.notEqual(priv.stdout.trim(), hostNs);
  const host = await d.docker(['run', '--rm', '--cgroupns', 'host', 'busybox', 'readlink', '/proc/self/ns/cgroup']);
  assert.equal(host.stdout.trim(), hostNs, host.stderr);
});

test('--annotation reaches the OCI spec', async () => {
  const r = await d.docker(['run', '-d', '--name', 'ann', '--annotation', 'com.example.team=core', 'busybox', 'sleep', '30']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  const spec = JSON.parse(await readFile(join(d.execRoot, 'c', id, 'bundle', 'config.json'), 'utf8'));
  assert.deepEqual(spec.annotations, { 'com.example.team': 'core' });
  await d.docker(['rm', '-f', 'ann']);
});
