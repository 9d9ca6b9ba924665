// A container's exit is watched through a connection the shim never drops, and a daemon crash
// between create and start leaves no orphan shim or `runc init` (issue 8, bugs 1 and 2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemonWithBusybox, waitFor, type Daemon } from './harness.ts';

let d: Daemon;
before(async () => {
  d = await startDaemonWithBusybox();
});
after(async () => {
  if (d?.pid) process.kill(d.pid, 'SIGCONT'); // never leave our daemon stopped
  delete process.env.BERTH_TEST_CRASH_AFTER;
  await d?.cleanup();
});

const LINE = 'x'.repeat(199); // 200 bytes with its newline
const inspect = async (ref: string, format: string) => (await d.docker(['inspect', '-f', format, ref])).stdout.trim();

/** How many json-file entries of the log hold exactly LINE. */
async function burstLines(logPath: string): Promise<number> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  let n = 0;
  for (const l of text.split('\n')) if (l.startsWith(`{"log":"${LINE}\\n"`)) n++;
  return n;
}

test('a burst of output while berthd is stopped neither kills the container nor loses its log; attach still works', async () => {
  // The container waits for SIGUSR1, writes 3 MB at once, ticks until the second SIGUSR1, exits 0.
  const script = `n=0; trap 'n=$((n+1))' USR1; while [ $n -lt 1 ]; do sleep 0.05; done; yes ${LINE} | head -c 3000000; ` +
    `while [ $n -lt 2 ]; do echo tick; sleep 0.1; done; echo bye`;
  const r = await d.docker(['run', '-d', '--name', 'burst', 'busybox', 'sh', '-c', script]);
  assert.equal(r.code, 0, r.stderr);
  const pid = Number(await inspect('burst', '{{.State.Pid}}'));
  const logPath = await inspect('burst', '{{.LogPath}}');
  assert.ok(pid > 0);

  // With the daemon stopped, 3 MB is far more than the socket buffers plus the 1 MiB the shim
  // queues for a client: the shim drops the daemon's stdio connection.
  process.kill(d.pid!, 'SIGSTOP');
  try {
    process.kill(pid, 'SIGUSR1');
    await waitFor(async () => (await burstLines(logPath)) === 15000, 'the burst in the log file');
  } finally {
    process.kill(d.pid!, 'SIGCONT');
  }

  assert.equal(await inspect('burst', '{{.State.Status}}'), 'running');
  // The daemon reconnected its stdio: a new attach client gets the container's output.
  const attach = spawn('docker', ['-H', d.host, 'attach', '--sig-proxy=false', 'burst'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  attach.stdout.on('data', (c) => (out += c));
  attach.stderr.on('data', (c) => (out += c));
  const attachExit = new Promise<number>((res) => attach.on('close', (code) => res(code ?? -1)));
  await waitFor(async () => out.includes('tick'), `attached output (got: ${out.slice(0, 200)})`);
  process.kill(pid, 'SIGUSR1');
  assert.equal(await attachExit, 0, out.slice(-500));
  assert.match(out, /bye\n$/);

  const waited = await d.docker(['wait', 'burst']);
  assert.equal(waited.stdout.trim(), '0', waited.stderr);
  assert.equal(await burstLines(logPath), 15000, 'every byte of the burst is in the log');
  const logs = await d.docker(['logs', 'burst'], { timeoutMs: 120_000 });
  assert.equal(logs.stdout.split('\n').filter((l) => l === LINE).length, 15000);
  assert.match(logs.stdout, /bye\n$/);
  await d.docker(['rm', 'burst']);
});

test('a 64 MiB flood (yes | head -c) exits 0 with its whole log', async () => {
  const size = 64 * 1024 * 1024; // the 200 MiB, smaller: the daemon still falls behind the shim
  const r = await d.docker(['run', '-d', '--name', 'flood', 'busybox', 'sh', '-c', `yes ${LINE} | head -c ${size}`]);
  assert.equal(r.code, 0, r.stderr);
  const waited = await d.docker(['wait', 'flood'], { timeoutMs: 240_000 });
  assert.equal(waited.stdout.trim(), '0', waited.stderr);
  const logPath = await inspect('flood', '{{.LogPath}}');
  let bytes = 0;
  for (const l of (await readFile(logPath, 'utf8')).split('\n')) {
    if (l) bytes += (JSON.parse(l) as { log: string }).log.length;
  }
  assert.equal(bytes, size);
  await d.docker(['rm', 'flood']);
});

/** Whether a pid is still the process it was (same start time in /proc/PID/stat). */
async function sameProcess(pid: number, startTime: string): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  if (!stat) return false;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] !== 'Z' && fields[19] === startTime;
}

async function startTimeOf(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

test('kill -9 of berthd between runtime create and start leaves no shim or runc init after restart', async () => {
  const created = await d.docker(['create', '--name', 'orphan', 'busybox', 'sh', '-c', 'echo hello; sleep 300']);
  assert.equal(created.code, 0, created.stderr);
  const id = created.stdout.trim();

  // A daemon that SIGKILLs itself right after the runtime created the container.
  await d.stopDaemon();
  process.env.BERTH_TEST_CRASH_AFTER = 'runtime-create';
  try {
    await d.start();
  } finally {
    delete process.env.BERTH_TEST_CRASH_AFTER;
  }
  const start = await d.docker(['start', 'orphan']);
  assert.notEqual(start.code, 0, 'the daemon died during start');
  const stateDir = join(d.execRoot, 'c', id);
  const shimPid = Number(await readFile(join(stateDir, 'shim.pid'), 'utf8'));
  const initPid = Number(await readFile(join(stateDir, 'pid'), 'utf8'));
  const [shimStart, initStart] = [await startTimeOf(shimPid), await startTimeOf(initPid)];
  assert.match(await readFile(`/proc/${initPid}/cmdline`, 'utf8'), /init/, 'runc init waits for start');

  await d.start();
  assert.equal(await inspect('orphan', '{{.State.Status}}'), 'created');
  await waitFor(async () => !(await sameProcess(shimPid, shimStart)) && !(await sameProcess(initPid, initStart)), 'the orphan shim and runc init to be gone');

  const again = await d.docker(['start', 'orphan']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(await inspect('orphan', '{{.State.Status}}'), 'running');
  await waitFor(async () => (await d.docker(['logs', 'orphan'])).stdout === 'hello\n', 'its output');
  const rm = await d.docker(['rm', '-f', 'orphan']);
  assert.equal(rm.code, 0, rm.stderr);
});
