// A container writing 200 MB of 200-byte lines to stdout, then `logs` of it (issue 10): berthd
// beside a private dockerd in the same run. For each engine and log driver:
//   run   `docker run -d` of busybox `yes <199 chars> | head -c 200000000`, until `docker wait` returns
//   cli   `docker logs NAME > /dev/null`
//   http  GET /containers/NAME/logs?stdout=1&stderr=1 over the unix socket, read to the end
//   tail  `docker logs --tail 10 NAME`
// with the daemon's peak RSS and PSS (sampled every 50 ms) and its CPU time during each step.
// Prints figures and berth/dockerd ratios; asserts nothing.
// Each engine runs each step --runs times (default 3), alternating with the other engine, and
// the median is printed (this shared 2-core VM varies by 2x between runs).
//   node bench/logs.ts [--mb 200] [--runs 3] [--drivers json-file,local] [--no-dockerd]
import { request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { startDaemonWithBusybox, run } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const argValue = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const MB = Number(argValue('--mb') ?? 200);
const DRIVERS = (argValue('--drivers') ?? 'json-file,local').split(',');
const RUNS = Number(argValue('--runs') ?? 3);
const BYTES = MB * 1_000_000;
const LINE = 'x'.repeat(199); // + '\n' = 200 bytes

interface Mem {
  rssKb: number;
  pssKb: number;
}

async function memOf(pid: number): Promise<Mem> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
  const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { rssKb: kb(status, 'VmRSS'), pssKb: kb(rollup, 'Pss') };
}

async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ 100
}

interface Step {
  seconds: number;
  peak: Mem;
  idle: Mem;
  cpuMs: number;
  bytes?: number;
}

/** Times `fn` while sampling the daemon's memory. */
async function measure(pid: number, fn: () => Promise<number | void>): Promise<Step> {
  const idle = await memOf(pid);
  const peak = { ...idle };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = await memOf(pid);
      peak.rssKb = Math.max(peak.rssKb, m.rssKb);
      peak.pssKb = Math.max(peak.pssKb, m.pssKb);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const cpu0 = await cpuMs(pid);
  const t0 = performance.now();
  const bytes = await fn();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (await cpuMs(pid)) - cpu0;
  sampling = false;
  await sampler;
  return { seconds, peak, idle, cpuMs: cpu, bytes: typeof bytes === 'number' ? bytes : undefined };
}

function httpLogs(socketPath: string, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: `/v1.41/containers/${name}/logs?stdout=1&stderr=1`, method: 'GET' }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => {
        n += c.length;
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function must(p: Promise<{ code: number; stdout: string; stderr: string }>, what: string): Promise<string> {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

interface EngineResult {
  run: Step;
  cli: Step;
  http: Step;
  tail: Step;
}

async function bench(host: string, socketPath: string, pid: number, driver: string): Promise<EngineResult> {
  const name = `logbench-${driver}`;
  const docker = (args: string[], timeoutMs = 600_000) => run('docker', ['-H', host, ...args], { timeoutMs });
  await docker(['rm', '-f', name]);
  const runStep = await measure(pid, async () => {
    await must(docker(['run', '-d', '--name', name, '--log-driver', driver, 'busybox', 'sh', '-c', `yes ${LINE} | head -c ${BYTES}`]), 'run');
    await must(docker(['wait', name]), 'wait');
  });
  const cli = await measure(pid, async () => {
    const out = await must(run('sh', ['-c', `docker -H ${host} logs ${name} | wc -c`], { timeoutMs: 600_000 }), 'logs');
    return Number(out.trim());
  });
  const http = await measure(pid, () => httpLogs(socketPath, name));
  const tail = await measure(pid, async () => {
    const out = await must(docker(['logs', '--tail', '10', name]), 'logs --tail');
    return out.length;
  });
  await docker(['rm', '-f', name]);
  return { run: runStep, cli, http, tail };
}

/** Per step: the run with the median time (its memory and CPU figures with it). */
function median(rs: EngineResult[]): EngineResult {
  const pick = (k: keyof EngineResult) => [...rs].sort((a, b) => a[k].seconds - b[k].seconds)[Math.floor(rs.length / 2)][k];
  return { run: pick('run'), cli: pick('cli'), http: pick('http'), tail: pick('tail') };
}

const fmtMem = (m: Mem) => `${(m.rssKb / 1024).toFixed(0)}/${(m.pssKb / 1024).toFixed(0)}`;

function print(label: string, b: EngineResult, d?: EngineResult): void {
  console.log(`\n${label}`);
  console.log('step   berth s   dockerd s   ratio   berth MB peak RSS/PSS (idle)   dockerd MB peak RSS/PSS (idle)   berth cpu s   dockerd cpu s   bytes');
  for (const k of ['run', 'cli', 'http', 'tail'] as const) {
    const x = b[k];
    const y = d?.[k];
    console.log([
      k.padEnd(5), x.seconds.toFixed(2).padStart(8), (y ? y.seconds.toFixed(2) : '-').padStart(10),
      (y ? (x.seconds / y.seconds).toFixed(2) : '-').padStart(7),
      `${fmtMem(x.peak)} (${fmtMem(x.idle)})`.padStart(29), (y ? `${fmtMem(y.peak)} (${fmtMem(y.idle)})` : '-').padStart(33),
      (x.cpuMs / 1000).toFixed(2).padStart(13), (y ? (y.cpuMs / 1000).toFixed(2) : '-').padStart(15), String(x.bytes ?? ''),
    ].join(' '));
  }
}

const berthd = await startDaemonWithBusybox();
const dockerd = process.argv.includes('--no-dockerd') ? undefined : await startPrivateDockerd();
try {
  console.log(`${MB} MB of 200-byte lines (${(BYTES / 200).toLocaleString()} lines) per container`);
  for (const driver of DRIVERS) {
    const bs: EngineResult[] = [];
    const ds: EngineResult[] = [];
    for (let i = 0; i < RUNS; i++) {
      bs.push(await bench(berthd.host, berthd.socket, berthd.pid!, driver));
      if (dockerd) ds.push(await bench(dockerd.host, dockerd.host.replace('unix://', ''), dockerd.pid, driver));
    }
    print(`log driver ${driver}, median of ${RUNS}`, median(bs), dockerd ? median(ds) : undefined);
  }
} finally {
  await dockerd?.stop();
  await berthd.cleanup();
}
