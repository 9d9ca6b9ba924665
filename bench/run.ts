// Container start-up benchmark: medians of `run --rm busybox true` (default bridge, and with
// --network none to show what network setup costs), `exec true`, and creating then removing 50
// containers, through the real docker CLI; then TCP throughput and connection rate through a
// port published on 127.0.0.1 (busybox httpd in the container, node's http client on the host).
// Against a private berthd and, when available, a dockerd (BENCH_DOCKER_HOST, or a private
// dockerd started here on a bridge of its own, without iptables: loopback traffic to published
// ports goes through docker-proxy, as with a default dockerd). Prints figures; asserts nothing.
// With --baseline DIR, a second berthd from another checkout's build (DIR/bin/berthd, e.g. a git
// worktree of the commit before a change) is measured in the same run, for before/after figures.
//   node bench/run.ts [--runs N] [--baseline DIR]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, Agent } from 'node:http';
import { BUSYBOX_TAR, run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 7;
const baselineDir = process.argv.includes('--baseline') ? process.argv[process.argv.indexOf('--baseline') + 1] : undefined;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function must(host: string, args: string[]): Promise<string> {
  const r = await run('docker', ['-H', host, ...args], { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Figures {
  runRm: number;
  runRmNone: number;
  exec: number;
  fifty: number;
  /** MB/s downloading a 64 MiB file through the published port. */
  throughput: number;
  /** Sequential new connections (one GET each) per second through the published port. */
  connRate: number;
}

/** GETs a URL, resolves with the body size; a fresh connection each time (no keep-alive). */
function get(url: string, agent: Agent | false): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => (n += c.length));
      res.on('end', () => resolve(n));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function measurePorts(host: string): Promise<{ throughput: number; connRate: number }> {
  const name = `bench-web-${process.pid}`;
  await must(host, ['run', '-d', '--name', name, '-p', '127.0.0.1::80', 'busybox', 'sh', '-c',
    'mkdir -p /www && echo ok > /www/small && dd if=/dev/zero of=/www/big bs=1M count=64 2>/dev/null && exec httpd -f -p 80 -h /www']);
  try {
    const port = Number((await must(host, ['port', name, '80/tcp'])).trim().split('\n')[0].split(':').pop());
    for (let i = 0; i < 100; i++) {
      if (await get(`http://127.0.0.1:${port}/small`, false).then((n) => n > 0, () => false)) break;
      await sleep(100);
    }
    await get(`http://127.0.0.1:${port}/big`, false); // warm-up
    const mbps: number[] = [];
    for (let i = 0; i < 5; i++) {
      let size = 0;
      const ms = await timed(async () => (size = await get(`http://127.0.0.1:${port}/big`, false)));
      mbps.push(size / 1e6 / (ms / 1000));
    }
    const n = 300;
    const ms = await timed(async () => {
      for (let i = 0; i < n; i++) await get(`http://127.0.0.1:${port}/small`, false);
    });
    return { throughput: median(mbps), connRate: n / (ms / 1000) };
  } finally {
    await must(host, ['rm', '-f', name]);
  }
}

async function measure(host: string): Promise<Figures> {
  await must(host, ['run', '--rm', 'busybox', 'true']); // warm-up
  const runRm: number[] = [];
  const runRmNone: number[] = [];
  // Interleaved, so that load changes on the machine hit both the same.
  for (let i = 0; i < runs; i++) {
    runRm.push(await timed(() => must(host, ['run', '--rm', 'busybox', 'true'])));
    runRmNone.push(await timed(() => must(host, ['run', '--rm', '--network', 'none', 'busybox', 'true'])));
  }
  const name = `bench-exec-${process.pid}`;
  await must(host, ['run', '-d', '--name', name, 'busybox', 'sleep', '600']);
  const exec: number[] = [];
  for (let i = 0; i < runs; i++) exec.push(await timed(() => must(host, ['exec', name, 'true'])));
  await must(host, ['rm', '-f', name]);
  const fifty: number[] = [];
  for (let i = 0; i < Math.max(3, Math.floor(runs / 2)); i++) {
    fifty.push(await timed(async () => {
      const ids: string[] = [];
      for (let j = 0; j < 50; j++) ids.push((await must(host, ['run', '-d', 'busybox', 'sleep', '600'])).trim());
      await must(host, ['rm', '-f', ...ids]);
    }));
  }
  const ports = await measurePorts(host);
  return { runRm: median(runRm), runRmNone: median(runRmNone), exec: median(exec), fifty: median(fifty), ...ports };
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** Figures and memory of one berthd build. */
async function measureBerth(berthd?: string): Promise<{ figures: Figures; idleKb: number; shimKb: number }> {
  const daemon = await startDaemonWithBusybox([], berthd ? { berthd } : {});
  try {
    const idleKb = await rssKb(daemon.pid!);
    const figures = await measure(daemon.host);
    await must(daemon.host, ['run', '-d', '--name', 'rss', 'busybox', 'sleep', '600']);
    const id = (await must(daemon.host, ['inspect', '-f', '{{.Id}}', 'rss'])).trim();
    const shimKb = await rssKb(Number(await readFile(join(daemon.execRoot, 'c', id, 'shim.pid'), 'utf8')));
    await must(daemon.host, ['rm', '-f', 'rss']);
    return { figures, idleKb, shimKb };
  } finally {
    await daemon.cleanup();
  }
}

const current = await measureBerth();
const baseline = baselineDir ? await measureBerth(join(baselineDir, 'bin/berthd')) : undefined;
let other: { host: string; stop?: () => Promise<void> } | undefined = process.env.BENCH_DOCKER_HOST ? { host: process.env.BENCH_DOCKER_HOST } : undefined;
if (other) await must(other.host, ['load', '-i', BUSYBOX_TAR]);
else other = await startPrivateDockerd().catch((err) => {
  console.log(`(no dockerd comparison: ${(err as Error).message})`);
  return undefined;
});
const d = other ? await measure(other.host).finally(() => other!.stop?.()) : undefined;

const b = current.figures;
const cell = (v: number) => v.toFixed(0).padStart(6);
const row = (label: string, key: keyof Figures, unit = 'ms') =>
  console.log(`${label.padEnd(36)} berthd ${cell(b[key])} ${unit}` +
    (baseline ? `   baseline ${cell(baseline.figures[key])} ${unit} (x${(b[key] / baseline.figures[key]).toFixed(2)})` : '') +
    (d ? `   dockerd ${cell(d[key])} ${unit}   ratio ${(b[key] / d[key]).toFixed(2)}` : ''));
console.log(`median of ${runs} runs, through the docker CLI` + (baseline ? `; baseline: ${baselineDir}` : ''));
row('run --rm busybox true (bridge)', 'runRm');
row('run --rm --network none', 'runRmNone');
row('exec true', 'exec');
row('start then remove 50 containers', 'fifty');
row('published port 127.0.0.1, download', 'throughput', 'MB/s');
row('published port, new connections', 'connRate', '/s');
const mb = (kb: number) => (kb / 1024).toFixed(1);
console.log(`berthd idle RSS: ${mb(current.idleKb)} MB; per-container shim RSS: ${(current.shimKb / 1024).toFixed(2)} MB` +
  (baseline ? `   (baseline: ${mb(baseline.idleKb)} MB; shim ${(baseline.shimKb / 1024).toFixed(2)} MB)` : ''));
