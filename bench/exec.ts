// `exec true` on a running container, where the time goes: the docker CLI end to end, then the
// same three requests the CLI makes (exec create, exec start on a hijacked connection until the
// stream ends, exec inspect for the exit code) over raw HTTP, each timed. Against a private
// berthd and a private dockerd in the same run (interleaved, so load changes hit both). Prints
// medians and ratios; asserts nothing.
//   node bench/exec.ts [--runs N]
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'node:http';
import { run, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from './private-dockerd.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 21;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const now = () => Number(process.hrtime.bigint()) / 1e6;

function socketOf(host: string): string {
  return host.replace(/^unix:\/\//, '');
}

function api(sock: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: sock, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text && method !== 'HEAD' ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/** POST /exec/{id}/start with an upgrade, as the CLI does; resolves when the server ends the stream. */
function startHijacked(sock: string, id: string): Promise<{ headersMs: number; endMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    let headersMs = 0;
    const s = connect(sock);
    const body = JSON.stringify({ Detach: false, Tty: false });
    s.on('connect', () => {
      s.write(`POST /v1.41/exec/${id}/start HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    s.on('data', () => {
      if (!headersMs) headersMs = now() - t0;
    });
    s.on('error', reject);
    s.on('end', () => {
      resolve({ headersMs, endMs: now() - t0 });
      s.destroy();
    });
  });
}

interface Sample { cli: number; ping: number; containerInspect: number; create: number; startHeaders: number; startEnd: number; inspect: number; total: number }

async function sampleOnce(host: string, container: string): Promise<Sample> {
  const sock = socketOf(host);
  let t = now();
  const r = await run('docker', ['-H', host, 'exec', container, 'true']);
  if (r.code !== 0) throw new Error(`docker exec: ${r.stderr}`);
  const cli = now() - t;
  // What the CLI asks before the exec: HEAD /_ping, then the container (is it running?).
  t = now();
  await api(sock, 'HEAD', '/_ping');
  const ping = now() - t;
  t = now();
  await api(sock, 'GET', `/v1.41/containers/${container}/json`);
  const containerInspect = now() - t;
  const t0 = now();
  t = t0;
  const created = await api(sock, 'POST', `/v1.41/containers/${container}/exec`, { Cmd: ['true'], AttachStdout: true, AttachStderr: true });
  if (created.status !== 201) throw new Error(`exec create: ${JSON.stringify(created.json)}`);
  const create = now() - t;
  const started = await startHijacked(sock, created.json.Id);
  t = now();
  const inspected = await api(sock, 'GET', `/v1.41/exec/${created.json.Id}/json`);
  const inspect = now() - t;
  if (inspected.json.ExitCode !== 0 || inspected.json.Running) throw new Error(`exec not done at inspect: ${JSON.stringify(inspected.json)}`);
  return { cli, ping, containerInspect, create, startHeaders: started.headersMs, startEnd: started.endMs, inspect, total: now() - t0 };
}

const berth = await startDaemonWithBusybox();
const dockerd = await startPrivateDockerd().catch((err) => {
  console.log(`(no dockerd comparison: ${(err as Error).message})`);
  return undefined;
});
const hosts: Array<[string, string]> = [['berthd', berth.host], ...(dockerd ? [['dockerd', dockerd.host] as [string, string]] : [])];
const samples = new Map<string, Sample[]>(hosts.map(([n]) => [n, []]));
const runcExec: number[] = [];
let berthLog = '';
try {
  for (const [, host] of hosts) {
    const r = await run('docker', ['-H', host, 'run', '-d', '--name', 'bench-exec', 'busybox', 'sleep', '600']);
    if (r.code !== 0) throw new Error(`run: ${r.stderr}`);
    await sampleOnce(host, 'bench-exec'); // warm-up
  }
  for (let i = 0; i < runs; i++) {
    for (const [name, host] of hosts) samples.get(name)!.push(await sampleOnce(host, 'bench-exec'));
  }
  // The floor under both: `runc exec` of the same container straight from here (attached).
  const id = (await run('docker', ['-H', berth.host, 'inspect', '-f', '{{.Id}}', 'bench-exec'])).stdout.trim();
  for (let i = 0; i < runs; i++) {
    const t = now();
    const r = await run('runc', ['--root', join(berth.execRoot, 'runtime', 'runc'), 'exec', id, 'true']);
    if (r.code !== 0) throw new Error(`runc exec: ${r.stderr}`);
    runcExec.push(now() - t);
  }
} finally {
  for (const [, host] of hosts) await run('docker', ['-H', host, 'rm', '-f', 'bench-exec']);
  berthLog = berth.daemonLog();
  await berth.cleanup();
  await dockerd?.stop();
}

const keys: Array<[keyof Sample, string]> = [
  ['cli', 'docker exec c true (CLI end to end)'],
  ['ping', 'HEAD /_ping'],
  ['containerInspect', 'GET /containers/c/json'],
  ['create', 'POST /containers/c/exec'],
  ['startHeaders', 'POST /exec/x/start: 101 received'],
  ['startEnd', 'POST /exec/x/start: stream ended'],
  ['inspect', 'GET /exec/x/json'],
  ['total', 'create + start + inspect (raw HTTP)'],
];
console.log(`median of ${runs} runs`);
for (const [k, label] of keys) {
  const b = median(samples.get('berthd')!.map((s) => s[k]));
  const d = dockerd ? median(samples.get('dockerd')!.map((s) => s[k])) : undefined;
  console.log(`${label.padEnd(40)} berthd ${b.toFixed(1).padStart(7)} ms` + (d !== undefined ? `   dockerd ${d.toFixed(1).padStart(7)} ms   ratio ${(b / d).toFixed(2)}` : ''));
}
console.log(`${'runc exec c true (runc alone, attached)'.padEnd(40)} ${median(runcExec).toFixed(1).padStart(14)} ms`);
// Inside berthd (its --debug "exec timings" lines): where the exec start's time goes.
const parts = ['specMs', 'shimMs', 'attachMs', 'runMs', 'recordMs'] as const;
const lines = berthLog.split('\n').filter((l) => l.includes('msg="exec timings"'));
const labels: Record<(typeof parts)[number], string> = {
  specMs: 'process spec (bundle read, user lookup)', shimMs: 'shim spawn + runc exec until running', attachMs: 'attach to the shim',
  runMs: 'process run + output until the shim closes', recordMs: 'exit record read, clients ended',
};
for (const p of parts) {
  const xs = lines.map((l) => Number(new RegExp(`${p}=([\\d.]+)`).exec(l)?.[1])).filter((x) => Number.isFinite(x));
  if (xs.length) console.log(`  berthd ${labels[p].padEnd(44)} ${median(xs).toFixed(1).padStart(7)} ms`);
}
