// Daemon CPU while many containers run a healthcheck every second (issue 10's target: under 5%
// of one core for 100 containers, excluding the probes' own processes). Each daemon gets N
// busybox containers (`sleep`) with `--health-cmd true --health-interval 1s`; once they are
// healthy, the daemon's own CPU (utime+stime of its pid in /proc/<pid>/stat: berthd alone, its
// shims and runc excluded; dockerd alone, containerd and its shims reported apart) is sampled
// over a window. Everything made is removed.
//
//   node bench/health.ts [--containers N] [--seconds S] [--no-dockerd] [--no-health]
// (--no-health: the same containers without a healthcheck, for the daemon's idle share.)
import { request } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('--containers', 100);
const SECONDS = opt('--seconds', 30);
const withDockerd = !args.includes('--no-dockerd');
const withHealth = !args.includes('--no-health');
const CLK_TCK = 100;

function api(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request({ socketPath: socket, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** utime+stime of one process, in seconds. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** Pids whose command name (comm) is `name` and whose command line mentions `mention`. */
async function pidsOf(name: string, mention: string): Promise<number[]> {
  const out: number[] = [];
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const comm = (await readFile(`/proc/${e}/comm`, 'utf8').catch(() => '')).trim();
    if (comm !== name) continue;
    const cmdline = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(mention)) out.push(Number(e));
  }
  return out;
}

async function sumCpu(pids: number[]): Promise<number> {
  let s = 0;
  for (const p of pids) s += await cpuSeconds(p).catch(() => 0);
  return s;
}

interface Result {
  daemonPct: number;
  extraPct?: number;
  /** The per-container monitors (berth-shim; containerd-shim-runc-v2), which start the probes. */
  shimPct: number;
  healthy: number;
  /** Of a sample of 5 containers, how many had a new probe result during the window. */
  probing: string;
}

async function runOn(socket: string, daemonPid: number, extraPids: () => Promise<number[]>, name: string, shimPids: () => Promise<number[]>): Promise<Result> {
  const ids: string[] = [];
  try {
    // Four at a time: quick to set up, without a storm the daemon under test must absorb.
    for (let i = 0; i < N; i += 4) {
      await Promise.all(Array.from({ length: Math.min(4, N - i) }, async () => {
        const c = await api(socket, 'POST', '/containers/create', {
          Image: 'busybox', Cmd: ['sleep', '3600'],
          ...(withHealth ? { Healthcheck: { Test: ['CMD', 'true'], Interval: 1_000_000_000, Timeout: 5_000_000_000, Retries: 3 } } : {}),
        });
        if (c.status !== 201) throw new Error(`${name} create: ${JSON.stringify(c.json)}`);
        ids.push(c.json.Id);
        const s = await api(socket, 'POST', `/containers/${c.json.Id}/start`);
        if (s.status !== 204) throw new Error(`${name} start: ${JSON.stringify(s.json)}`);
      }));
    }
    const healthyCount = async () => {
      const list = await api(socket, 'GET', '/containers/json?filters=' + encodeURIComponent(JSON.stringify({ health: ['healthy'] })));
      return (list.json as unknown[]).length;
    };
    for (let i = 0; i < 60 && withHealth && (await healthyCount()) < N; i++) await sleep(1000);
    await sleep(2000); // the start-up burst settles
    const logLen = async (id: string) => {
      const r = await api(socket, 'GET', `/containers/${id}/json`);
      return r.json.State.Health?.Log?.at(-1)?.End as string | undefined;
    };
    const sample = ids.slice(0, 5);
    const before = await Promise.all(sample.map(logLen));
    const extra = await extraPids();
    const shims = await shimPids();
    const d0 = await cpuSeconds(daemonPid);
    const e0 = await sumCpu(extra);
    const s0 = await sumCpu(shims);
    const t0 = performance.now();
    await sleep(SECONDS * 1000);
    const d1 = await cpuSeconds(daemonPid);
    const e1 = await sumCpu(extra);
    const s1 = await sumCpu(shims);
    const wall = (performance.now() - t0) / 1000;
    const after = await Promise.all(sample.map(logLen));
    const moved = after.filter((t, i) => t && t !== before[i]).length;
    const healthy = await healthyCount();
    return {
      daemonPct: ((d1 - d0) / wall) * 100,
      extraPct: extra.length ? ((e1 - e0) / wall) * 100 : undefined,
      shimPct: ((s1 - s0) / wall) * 100,
      healthy,
      probing: `${moved}/${sample.length}`,
    };
  } finally {
    for (let i = 0; i < ids.length; i += 8) {
      await Promise.all(ids.slice(i, i + 8).map((id) => api(socket, 'DELETE', `/containers/${id}?force=1`).catch(() => undefined)));
    }
  }
}

const berth = await startDaemonWithBusybox();
let b: Result;
try {
  b = await runOn(berth.socket, berth.pid!, async () => [], 'berthd', () => pidsOf('berth-shim', berth.execRoot));
} finally {
  await berth.cleanup();
}
const shown = (r: Result) => `${r.daemonPct.toFixed(2)}% of one core (${r.healthy}/${N} healthy, sample probing ${r.probing})`;
console.log(`containers: ${N}, ${withHealth ? 'healthcheck every 1s (CMD true)' : 'no healthcheck'}, window ${SECONDS}s`);
console.log(`berthd daemon CPU:  ${shown(b)}; its shims ${b.shimPct.toFixed(2)}%`);

let d: Result | undefined;
if (withDockerd) {
  const dockerd = await startPrivateDockerd();
  if (!dockerd) {
    console.log('dockerd: not installed, no comparison');
  } else {
    try {
      const sock = dockerd.host.replace(/^unix:\/\//, '');
      // dockerd's containerd (a child it started), reported apart: the daemon figure is dockerd's alone.
      const dir = sock.replace(/docker\.sock$/, '');
      d = await runOn(sock, dockerd.pid, () => pidsOf('containerd', dir), 'dockerd', () => pidsOf('containerd-shim', `bench${process.pid}`));
    } finally {
      await dockerd.stop();
    }
    console.log(`dockerd daemon CPU: ${shown(d)}${d.extraPct !== undefined ? `; its containerd ${d.extraPct.toFixed(2)}%` : ''}; its shims ${d.shimPct.toFixed(2)}%`);
    console.log(`ratio berthd/dockerd: ${(b.daemonPct / d.daemonPct).toFixed(2)}x`);
  }
}
