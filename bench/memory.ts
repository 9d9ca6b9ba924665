// Daemon memory after request bursts (issue 8, bug 11): starts a private berthd, drives it with
// 200 concurrent raw-HTTP clients doing create/inspect/list/remove, then with large responses
// (a list of 300 containers with big labels, image exports), and prints the daemon's RSS (and
// where it lives: glibc's brk heap, other anonymous maps, file maps) and the JS heap, idle
// before, at the peak, and idle after. Prints figures; asserts nothing.
//   node bench/memory.ts [--clients N] [--rounds N] [--gc]
// BENCH_BERTHD_ENV='MALLOC_ARENA_MAX=8 ...' adds environment variables to the daemon's (to
// compare allocator settings).
import { request, Agent } from 'node:http';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox, type Daemon } from '../test/integration/harness.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) || dflt : dflt;
};
const clients = arg('--clients', 200);
const rounds = arg('--rounds', 5);

// The daemon writes process.memoryUsage() to a file on SIGUSR2 (a preload, so berthd itself
// has no hook for it).
const reportFile = join(tmpdir(), `berth-mem-${process.pid}.json`);
const preload = join(tmpdir(), `berth-mem-${process.pid}.cjs`);
// With --gc (a diagnosis: is what the heap holds garbage?) it collects first.
const forceGc = process.argv.includes('--gc');
await writeFile(preload, `process.on('SIGUSR2', () => { ${forceGc ? 'global.gc();' : ''} require('fs').writeFileSync(${JSON.stringify(reportFile)}, JSON.stringify(process.memoryUsage())); });\n`);
const saved = { ...process.env };
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${preload}${forceGc ? ' --expose-gc' : ''}`.trim();
for (const kv of (process.env.BENCH_BERTHD_ENV ?? '').split(/\s+/).filter(Boolean)) {
  const eq = kv.indexOf('=');
  process.env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
const d = await startDaemonWithBusybox();
process.env = saved;

const MB = (kb: number) => (kb / 1024).toFixed(1);

interface Sample {
  rss: number;
  anon: number;
  file: number;
  brkHeap: number;
  otherAnon: number;
  jsHeapUsed: number;
  jsHeapTotal: number;
  external: number;
}

/** RSS from /proc/PID/status, split by mapping from smaps; the JS heap from the daemon itself. */
async function sample(pid: number): Promise<Sample> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  const smaps = await readFile(`/proc/${pid}/smaps`, 'utf8');
  let brkHeap = 0;
  let otherAnon = 0;
  let current = '';
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      current = head[1];
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (!rss) continue;
    if (current === '[heap]') brkHeap += Number(rss[1]);
    else if (current === '') otherAnon += Number(rss[1]);
  }
  await rm(reportFile, { force: true });
  process.kill(pid, 'SIGUSR2');
  let js = { heapUsed: 0, heapTotal: 0, external: 0 };
  for (let i = 0; i < 50; i++) {
    await sleep(20);
    const text = await readFile(reportFile, 'utf8').catch(() => '');
    if (text) {
      js = JSON.parse(text);
      break;
    }
  }
  return {
    rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), brkHeap, otherAnon,
    jsHeapUsed: js.heapUsed / 1024, jsHeapTotal: js.heapTotal / 1024, external: js.external / 1024,
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: clients });

function api(method: string, path: string, body?: unknown): Promise<{ status: number; bytes: number; json?: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: d.socket, agent, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const keep = (res.headers['content-type'] ?? '').includes('json');
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keep) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, json: keep && chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : undefined }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Polls the daemon's RSS while `work` runs; resolves with the highest seen. */
async function peakDuring(pid: number, work: Promise<unknown>): Promise<number> {
  let peak = 0;
  let done = false;
  const finished = work.finally(() => (done = true));
  while (!done) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    peak = Math.max(peak, Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0));
    await sleep(100);
  }
  await finished;
  return peak;
}

/** One client: create, inspect, list, remove, `rounds` times. */
async function churn(i: number): Promise<void> {
  for (let r = 0; r < rounds; r++) {
    const c = await api('POST', `/containers/create?name=mem-${i}-${r}`, { Image: 'busybox', Cmd: ['true'], Labels: { client: String(i) } });
    if (c.status !== 201) throw new Error(`create: ${c.status}`);
    await api('GET', `/containers/${c.json.Id}/json`);
    await api('GET', '/containers/json?all=1');
    await api('DELETE', `/containers/${c.json.Id}`);
  }
}

/** Large responses: 300 containers with 8 KiB of labels each, listed by every client; image exports. */
async function largeResponses(): Promise<number> {
  const big = 'x'.repeat(8192);
  const ids: string[] = [];
  for (let i = 0; i < 300; i += 30) {
    const batch = await Promise.all(Array.from({ length: 30 }, (_, j) => api('POST', `/containers/create?name=big-${i + j}`, { Image: 'busybox', Cmd: ['true'], Labels: { big } })));
    ids.push(...batch.map((c) => c.json.Id as string));
  }
  let bytes = 0;
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    const r = i % 10 === 0 ? await api('GET', '/images/get?names=busybox') : await api('GET', '/containers/json?all=1');
    bytes += r.bytes;
  }));
  for (let i = 0; i < ids.length; i += 30) await Promise.all(ids.slice(i, i + 30).map((id) => api('DELETE', `/containers/${id}`)));
  return bytes;
}

function row(label: string, s: Sample): string {
  return `| ${label.padEnd(26)} | ${MB(s.rss).padStart(6)} | ${MB(s.brkHeap).padStart(8)} | ${MB(s.otherAnon).padStart(10)} | ${MB(s.file).padStart(6)} | ${MB(s.jsHeapUsed).padStart(7)} / ${MB(s.jsHeapTotal).padStart(6)} | ${MB(s.external).padStart(8)} |`;
}

try {
  const pid = d.pid!;
  await sleep(2000);
  const rows: string[] = [row('idle after start', await sample(pid))];
  const t0 = process.hrtime.bigint();
  const peak1 = await peakDuring(pid, Promise.all(Array.from({ length: clients }, (_, i) => churn(i))));
  const churnSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  rows.push(row('right after churn', await sample(pid)));
  let bytes = 0;
  const peak2 = await peakDuring(pid, largeResponses().then((b) => (bytes = b)));
  rows.push(row('right after large responses', await sample(pid)));
  await sleep(5000);
  rows.push(row('idle 5 s later', await sample(pid)));
  await sleep(10_000);
  rows.push(row('idle 15 s later', await sample(pid)));
  console.log(`berthd memory, ${clients} clients x ${rounds} rounds of create/inspect/list/rm (${churnSecs.toFixed(1)} s), then ${(bytes / 1048576).toFixed(0)} MB of large responses`);
  console.log(`daemon env: ${process.env.BENCH_BERTHD_ENV ?? '(as bin/berthd sets it)'}`);
  console.log(`peak RSS: ${MB(peak1)} MB during churn, ${MB(peak2)} MB during large responses (MB below)`);
  console.log('| moment                     |    RSS | brk heap | other anon |  files | JS heap used/total | external |');
  console.log('|----------------------------|--------|----------|------------|--------|--------------------|----------|');
  for (const r of rows) console.log(r);
  const trims = d.daemonLog().split('\n').filter((l) => l.includes('memory trimmed'));
  console.log(`daemon trims: ${trims.length}${trims.length ? `, last: ${trims.at(-1)}` : ''}`);
} finally {
  agent.destroy();
  await cleanup(d);
  await rm(preload, { force: true });
  await rm(reportFile, { force: true });
}

async function cleanup(daemon: Daemon): Promise<void> {
  await daemon.cleanup();
}
