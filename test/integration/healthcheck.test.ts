// Healthchecks through the real docker CLI and raw HTTP (issue 10): healthy, unhealthy, the start
// period and start interval, a hanging probe killed at its timeout with nothing left behind,
// NONE / --no-healthcheck, an image's HEALTHCHECK, the events, ps and its health filter, the
// create-time checks, and probing again after a kill -9 of a --live-restore daemon. Short
// intervals keep it quick; no wall-clock time is asserted (waits poll for the state).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';
import { dockerdMissing, startPrivateDockerd } from './dockerd.test-helpers.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox(['--live-restore']);
});
after(async () => {
  await d?.cleanup();
});

interface Health {
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

async function health(name: string, on: { docker(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> } = d): Promise<Health | null> {
  const r = await on.docker(['inspect', '-f', '{{json .State.Health}}', name]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Health | null;
}

async function waitStatus(name: string, status: string, on = d as Parameters<typeof health>[1]): Promise<Health> {
  let h: Health | null = null;
  await waitFor(async () => (h = await health(name, on))?.Status === status, `${name} ${status} (last: ${JSON.stringify(h)})`, 30_000);
  return h!;
}

async function run(args: string[]): Promise<void> {
  const r = await d.docker(['run', '-d', ...args]);
  assert.equal(r.code, 0, r.stderr);
}

async function psStatus(name: string): Promise<string> {
  return (await d.docker(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])).stdout.trim();
}

async function psHealth(filter: string): Promise<string[]> {
  const r = await d.docker(['ps', '-a', '--filter', `health=${filter}`, '--format', '{{.Names}}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

test('healthy: the probe\'s output in the log, ps says (healthy), the health filter finds it, one health_status event', async () => {
  const since = String(Math.floor(Date.now() / 1000) - 1);
  await run(['--name', 'ok', '--health-cmd', 'echo hi; true', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
  const h = await waitStatus('ok', 'healthy');
  assert.equal(h.FailingStreak, 0);
  const last = h.Log.at(-1)!;
  assert.equal(last.ExitCode, 0);
  assert.equal(last.Output, 'hi\n');
  assert.match(last.Start, RFC3339);
  assert.match(last.End, RFC3339);
  assert.ok(Date.parse(last.End) >= Date.parse(last.Start));
  assert.match(await psStatus('ok'), /^Up .* \(healthy\)$/);
  assert.ok((await psHealth('healthy')).includes('ok'));
  assert.ok(!(await psHealth('unhealthy')).includes('ok'));
  // More probes run; the status does not change, so there is still one health_status event.
  await waitFor(async () => ((await health('ok'))?.Log.length ?? 0) >= 3, 'three probes');
  const until = String(Math.floor(Date.now() / 1000) + 1);
  const ev = await d.docker(['events', '--since', since, '--until', until, '--filter', 'container=ok', '--format', '{{.Action}}|{{.Actor.Attributes.execID}}|{{.Actor.Attributes.exitCode}}']);
  assert.equal(ev.code, 0, ev.stderr);
  const lines = ev.stdout.split('\n').filter(Boolean);
  assert.deepEqual(lines.filter((l) => l.startsWith('health_status')), ['health_status: healthy|<no value>|<no value>']);
  const creates = lines.filter((l) => l.startsWith('exec_create: /bin/sh -c echo hi; true|'));
  assert.ok(creates.length >= 3, lines.join('\n'));
  const id = creates[0]!.split('|')[1]!;
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.ok(lines.includes(`exec_start: /bin/sh -c echo hi; true|${id}|<no value>`), lines.join('\n'));
  assert.ok(lines.includes(`exec_die|${id}|0`), lines.join('\n'));
  // Probe execs are not the container's execs.
  assert.equal((await d.docker(['inspect', '-f', '{{json .ExecIDs}}', 'ok'])).stdout.trim(), 'null');
});

test('unhealthy: failures count to --health-retries; the exit code and output of each probe; a stop leaves it unhealthy, a start makes it starting', async () => {
  await run(['--name', 'bad', '--health-cmd', 'echo bad >&2; exit 3', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '600']);
  const h = await waitStatus('bad', 'unhealthy');
  assert.ok(h.FailingStreak >= 2, JSON.stringify(h));
  assert.deepEqual(h.Log.map((e) => [e.ExitCode, e.Output]).at(-1), [3, 'bad\n']);
  assert.match(await psStatus('bad'), /^Up .* \(unhealthy\)$/);
  assert.ok((await psHealth('unhealthy')).includes('bad'));
  await waitFor(async () => (await health('bad'))!.Log.length === 5 && (await health('bad'))!.FailingStreak >= 6, 'the log capped at five entries while the streak grows');

  assert.equal((await d.docker(['stop', '-t', '0', 'bad'])).code, 0);
  const stopped = (await health('bad'))!;
  assert.equal(stopped.Status, 'unhealthy');
  assert.match(await psStatus('bad'), /^Exited/);
  assert.equal((await d.docker(['start', 'bad'])).code, 0);
  const restarted = (await health('bad'))!;
  assert.deepEqual([restarted.Status, restarted.FailingStreak], ['starting', 0]);
  assert.equal(restarted.Log.length, 5, 'the log survives a restart');
  assert.match(await psStatus('bad'), /^Up .* \(health: starting\)$/);
  assert.equal((await d.docker(['rm', '-f', 'bad'])).code, 0);
});

test('the start period: failures do not count while starting; the start interval paces the probes in it', async () => {
  // An interval of an hour: only the start interval can have run these probes. (dockerd uses the
  // start interval only while more than an interval of the start period is left.)
  await run(['--name', 'sp', '--health-cmd', 'exit 1', '--health-interval', '1h', '--health-retries', '1',
    '--health-start-period', '2h', '--health-start-interval', '200ms', 'busybox', 'sleep', '600']);
  await waitFor(async () => ((await health('sp'))?.Log.length ?? 0) >= 3, 'three probes in the start period');
  const h = (await health('sp'))!;
  assert.deepEqual([h.Status, h.FailingStreak], ['starting', 0]);
  assert.match(await psStatus('sp'), /^Up .* \(health: starting\)$/);
  assert.ok((await psHealth('starting')).includes('sp'));
  const inspect = await d.api('GET', '/containers/sp/json');
  assert.deepEqual(inspect.json.Config.Healthcheck, { Test: ['CMD-SHELL', 'exit 1'], Interval: 3600e9, StartPeriod: 7200e9, StartInterval: 200e6, Retries: 1 });
  assert.equal((await d.docker(['rm', '-f', 'sp'])).code, 0);
});

test('a hanging probe is killed at its timeout, with its children: -1, dockerd\'s message, nothing left in the container', async () => {
  await run(['--name', 'hang', '--health-cmd', 'echo partial; sleep 1000 & sleep 1000', '--health-timeout', '300ms', '--health-interval', '100ms', 'busybox', 'sleep', '600']);
  const h = await waitStatus('hang', 'unhealthy');
  for (const e of h.Log) {
    assert.equal(e.ExitCode, -1);
    assert.equal(e.Output, 'Health check exceeded timeout (300ms): partial\n');
  }
  await waitFor(async () => (await health('hang'))!.FailingStreak >= 5, 'five timed-out probes');
  // Each probe leaves two sleeps if only its first process is killed (as dockerd does): at most
  // one probe (two sleeps) may be running now.
  const top = await d.docker(['top', 'hang']);
  assert.equal(top.code, 0, top.stderr);
  const sleeps = top.stdout.split('\n').filter((l) => /sleep 1000$/.test(l));
  assert.ok(sleeps.length <= 2, top.stdout);
  const ev = await d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hang', '--filter', 'event=exec_die', '--format', '{{.Actor.Attributes.exitCode}}']);
  const codes = ev.stdout.split('\n').filter(Boolean);
  assert.ok(codes.length >= 1 && codes.every((c) => c === '127'), `dockerd reports a probe killed at its timeout as 127: ${ev.stdout}`);
  assert.equal((await d.docker(['rm', '-f', 'hang'])).code, 0);
});

test('an image\'s HEALTHCHECK runs, merged field by field with the container\'s; NONE and --no-healthcheck turn it off', async () => {
  await run(['--name', 'base', 'busybox', 'sleep', '600']);
  const commit = await d.docker(['commit', '--change', 'HEALTHCHECK --interval=200ms CMD echo img', 'base', 'himg']);
  assert.equal(commit.code, 0, commit.stderr);
  await run(['--name', 'img', 'himg', 'sleep', '600']);
  const h = await waitStatus('img', 'healthy');
  assert.equal(h.Log.at(-1)!.Output, 'img\n');
  assert.equal((await d.docker(['create', '--name', 'merged', '--health-retries', '7', 'himg'])).code, 0);
  const merged = await d.api('GET', '/containers/merged/json');
  assert.deepEqual(merged.json.Config.Healthcheck, { Test: ['CMD-SHELL', 'echo img'], Interval: 200e6, Retries: 7 });
  assert.equal(merged.json.State.Health, undefined, 'no State.Health before it starts');
  assert.ok((await psHealth('none')).includes('merged'));

  await run(['--name', 'off', '--no-healthcheck', 'himg', 'sleep', '600']);
  const api = await d.api('POST', '/containers/create?name=none', { Image: 'himg', Cmd: ['sleep', '600'], Healthcheck: { Test: ['NONE'] } });
  assert.equal(api.status, 201, api.text);
  assert.equal((await d.docker(['start', 'none'])).code, 0);
  await waitFor(async () => ((await health('img'))?.Log.length ?? 0) >= 3, 'probes of the image\'s check meanwhile');
  for (const name of ['off', 'none']) {
    const inspect = await d.api('GET', `/containers/${name}/json`);
    // NONE, with the image's other fields merged in as dockerd does.
    assert.deepEqual(inspect.json.Config.Healthcheck, { Test: ['NONE'], Interval: 200e6 }, name);
    assert.equal(inspect.json.State.Health, undefined, name);
    assert.match(await psStatus(name), /^Up [^(]*$/, name);
  }
  const none = await psHealth('none');
  assert.ok(none.includes('off') && none.includes('none'), none.join(','));
  const ev = await d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=off', '--filter', 'container=none', '--format', '{{.Action}}']);
  assert.ok(!/exec_|health_status/.test(ev.stdout), ev.stdout);
  assert.equal((await d.docker(['rm', '-f', 'base', 'img', 'merged', 'off', 'none'])).code, 0);
  assert.equal((await d.docker(['rmi', 'himg'])).code, 0);
});

test('create refuses what dockerd refuses, with its messages; StartInterval is ignored below API 1.44; a bad health filter is refused', async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ Interval: 500_000 }, 'Interval in Healthcheck cannot be less than 1ms'],
    [{ Interval: -10_000_000 }, 'Interval in Healthcheck cannot be less than 1ms'],
    [{ Timeout: 1 }, 'Timeout in Healthcheck cannot be less than 1ms'],
    [{ Retries: -1 }, 'Retries in Healthcheck cannot be negative'],
    [{ StartPeriod: 10 }, 'StartPeriod in Healthcheck cannot be less than 1ms'],
    [{ StartInterval: 10 }, 'StartInterval in Healthcheck cannot be less than 1ms'],
  ];
  for (const [hc, message] of cases) {
    const r = await d.api('POST', '/containers/create', { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'], ...hc } });
    assert.equal(r.status, 400, JSON.stringify(hc));
    assert.equal(r.json.message, message);
  }
  const old = await d.api('POST', '/v1.43/containers/create?name=old', { Image: 'busybox', Healthcheck: { Test: ['CMD', 'true'], StartInterval: 10 } });
  assert.equal(old.status, 201, old.text);
  assert.deepEqual((await d.api('GET', '/containers/old/json')).json.Config.Healthcheck, { Test: ['CMD', 'true'] });
  const cli = await d.docker(['run', '--health-interval', '-1s', 'busybox']);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /--health-interval cannot be negative/);
  const conflict = await d.docker(['create', '--no-healthcheck', '--health-cmd', 'true', 'busybox']);
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /--no-healthcheck conflicts with --health-\* options/);
  const filter = await d.docker(['ps', '--filter', 'health=sick']);
  assert.notEqual(filter.code, 0);
  assert.match(filter.stderr, /Unrecognised filter value for health: sick/);
  assert.equal((await d.docker(['rm', 'old'])).code, 0);
});

test('pause stops the probes (unhealthy, as dockerd); unpause resumes them', async () => {
  await run(['--name', 'pz', '--health-cmd', 'true', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
  await waitStatus('pz', 'healthy');
  assert.equal((await d.docker(['pause', 'pz'])).code, 0);
  const paused = (await health('pz'))!;
  assert.equal(paused.Status, 'unhealthy');
  assert.match(await psStatus('pz'), /^Up .* \(Paused\)$/);
  assert.equal((await d.docker(['unpause', 'pz'])).code, 0);
  await waitStatus('pz', 'healthy');
  assert.equal((await d.docker(['rm', '-f', 'pz'])).code, 0);
});

test('the health state is on disk; after kill -9 of a --live-restore daemon, probing goes on', async () => {
  await run(['--name', 'lr', '--health-cmd', 'echo alive', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
  await waitStatus('lr', 'healthy');
  const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'lr'])).stdout.trim();
  const onDisk = JSON.parse(await readFile(join(d.dataRoot, 'containers', id, 'config.v2.json'), 'utf8'));
  assert.equal(onDisk.State.Health.Status, 'healthy');
  await d.kill9();
  await d.start();
  const h = (await health('lr'))!;
  assert.equal(h.Status, 'healthy', 'the status as it was saved');
  const lastEnd = h.Log.at(-1)!.End;
  await waitFor(async () => (await health('lr'))!.Log.at(-1)!.End !== lastEnd, 'a new probe after the restart');
  assert.equal((await health('lr'))!.Log.at(-1)!.Output, 'alive\n');
  assert.equal((await d.docker(['rm', '-f', 'lr', 'ok'])).code, 0);
});

test('beside a private dockerd: the same statuses, log entries, ps text and exec action for the same checks', { skip: dockerdMissing() }, async () => {
  const dockerd = await startPrivateDockerd();
  if (!dockerd) return;
  try {
    const load = await dockerd.docker(['load', '-i', join(import.meta.dirname, '../fixtures/out/busybox.tar')]);
    assert.equal(load.code, 0, load.stderr);
    const scenario = [
      ['--name', 'cmp-ok', '--health-cmd', 'echo hi', '--health-interval', '200ms', 'busybox', 'sleep', '600'],
      ['--name', 'cmp-bad', '--health-cmd', 'echo no; exit 2', '--health-interval', '200ms', '--health-retries', '2', 'busybox', 'sleep', '600'],
    ];
    const views: string[][] = [];
    for (const on of [dockerd, d]) {
      for (const args of scenario) assert.equal((await on.docker(['run', '-d', ...args])).code, 0);
      const ok = await waitStatus('cmp-ok', 'healthy', on);
      const bad = await waitStatus('cmp-bad', 'unhealthy', on);
      const ps = await on.docker(['ps', '--filter', 'name=cmp-', '--format', '{{.Names}} {{.Status}}']);
      const ev = await on.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=cmp-ok', '--filter', 'event=exec_create', '--format', '{{.Action}}']);
      views.push([
        JSON.stringify([ok.FailingStreak, ok.Log.at(-1)!.ExitCode, ok.Log.at(-1)!.Output]),
        JSON.stringify([bad.Log.at(-1)!.ExitCode, bad.Log.at(-1)!.Output, bad.FailingStreak >= 2]),
        ps.stdout.split('\n').filter(Boolean).map((l) => l.replace(/Up .* \(/, 'Up X (')).sort().join(';'),
        ev.stdout.split('\n').filter(Boolean)[0] ?? '',
      ]);
      assert.equal((await on.docker(['rm', '-f', 'cmp-ok', 'cmp-bad'])).code, 0);
    }
    assert.deepEqual(views[1], views[0]);
  } finally {
    await dockerd.stop();
  }
});

test('without --live-restore a daemon restart restarts the container (restart policy): health starting again, then probed', async () => {
  const plain = await startDaemonWithBusybox();
  try {
    const r = await plain.docker(['run', '-d', '--name', 'rp', '--restart', 'always', '--health-cmd', 'echo again', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
    assert.equal(r.code, 0, r.stderr);
    await waitStatus('rp', 'healthy', plain);
    const before = (await plain.docker(['inspect', '-f', '{{.State.StartedAt}}', 'rp'])).stdout.trim();
    await plain.kill9();
    await plain.start();
    const startedAt = (await plain.docker(['inspect', '-f', '{{.State.StartedAt}}', 'rp'])).stdout.trim();
    assert.notEqual(startedAt, before, 'started again');
    const h = await waitStatus('rp', 'healthy', plain);
    assert.ok(h.Log.some((e) => Date.parse(e.Start) > Date.parse(startedAt)), 'a probe of the new run');
    assert.equal((await plain.docker(['rm', '-f', 'rp'])).code, 0);
  } finally {
    await plain.cleanup();
  }
});

test('output is cut at 4096 bytes with "..."; a probe the runtime cannot start is logged with dockerd\'s message and -1', async () => {
  await run(['--name', 'big', '--health-cmd', 'head -c 5000 /dev/zero | tr "\\0" a; exit 2', '--health-interval', '200ms', 'busybox', 'sleep', '600']);
  const api = await d.api('POST', '/containers/create?name=nope', { Image: 'busybox', Cmd: ['sleep', '600'], Healthcheck: { Test: ['CMD', 'nonexistent', 'a'], Interval: 200e6, Retries: 1 } });
  assert.equal(api.status, 201, api.text);
  assert.equal((await d.docker(['start', 'nope'])).code, 0);
  const big = await waitStatus('big', 'unhealthy');
  const out = big.Log.at(-1)!.Output;
  assert.equal(out, `${'a'.repeat(4096)}...`);
  assert.equal(big.Log.at(-1)!.ExitCode, 2);
  const nope = await waitStatus('nope', 'unhealthy');
  assert.deepEqual(nope.Log.at(-1)!.ExitCode, -1);
  assert.equal(nope.Log.at(-1)!.Output, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nonexistent": executable file not found in $PATH: unknown');
  const ev = await d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=nope', '--format', '{{.Action}}']);
  const actions = ev.stdout.split('\n').filter(Boolean);
  assert.ok(actions.includes('exec_create: nonexistent a') && actions.includes('exec_start: nonexistent a'), actions.join('\n'));
  assert.ok(!actions.includes('exec_die'), 'no exec_die for a probe that never started, as dockerd');
  assert.equal((await d.docker(['rm', '-f', 'big', 'nope'])).code, 0);
});

test('berth\'s CLI sends the --health-* flags as the docker CLI does', async () => {
  const flags = ['--health-cmd', 'curl -f localhost || exit 1', '--health-interval', '2s', '--health-timeout', '5s', '--health-retries', '4',
    '--health-start-period', '3s', '--health-start-interval', '1s', 'busybox'];
  assert.equal((await d.docker(['create', '--name', 'via-docker', ...flags])).code, 0);
  const b = await d.berth(['create', '--name', 'via-berth', ...flags]);
  assert.equal(b.code, 0, b.stderr);
  const nb = await d.berth(['create', '--name', 'via-berth-none', '--no-healthcheck', 'busybox']);
  assert.equal(nb.code, 0, nb.stderr);
  const hc = async (name: string) => (await d.api('GET', `/containers/${name}/json`)).json.Config.Healthcheck;
  assert.deepEqual(await hc('via-berth'), await hc('via-docker'));
  assert.deepEqual(await hc('via-docker'), { Test: ['CMD-SHELL', 'curl -f localhost || exit 1'], Interval: 2e9, Timeout: 5e9, StartPeriod: 3e9, StartInterval: 1e9, Retries: 4 });
  assert.deepEqual(await hc('via-berth-none'), { Test: ['NONE'] });
  assert.equal((await d.docker(['rm', 'via-docker', 'via-berth', 'via-berth-none'])).code, 0);
});
