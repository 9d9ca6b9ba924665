// The daemon's idle memory (issue 10): PSS from /proc/<pid>/smaps_rollup of an idle berthd after
// start, then after 1,000 create/remove cycles (is it flat?), beside a private dockerd (dockerd
// alone, and with its containerd) doing the same in the same run. Also prints where berthd's
// memory is (per mapping: the node binary, the brk heap, anonymous maps (V8's heap and code),
// the native addon, other files). Prints figures; asserts nothing.
//   node bench/idle-memory.ts [--cycles N] [--idle-ms N] [--no-dockerd]
//   [--node-flags '--jitless ...']   run the daemon's node with these flags instead of bin/berthd's
//   [--shared-node]                  run bin/berthd as is (node's pages shared with this process)
// The daemon runs on a private copy of the node binary (see wrapper()), so its PSS is what it
// would be alone on the host.
import { request, Agent } from 'node:http';
import { chmod, copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BUSYBOX_TAR, ROOT, startDaemonWithBusybox } from '../test/integration/harness.ts';
import { startPrivateDockerd } from '../test/integration/dockerd.test-helpers.ts';

const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const cycles = Number(opt('--cycles') ?? 1000);
const idleMs = Number(opt('--idle-ms') ?? 12_000);
const nodeFlags = opt('--node-flags');
const withDockerd = !argv.includes('--no-dockerd');
/** Run bin/berthd itself: its node binary's pages are then shared with this process's (PSS halves them). */
const sharedNode = argv.includes('--shared-node');

const MB = (kb: number) => (kb / 1024).toFixed(1);

/** PSS and its split (kB) from smaps_rollup. */
async function pss(pid: number): Promise<{ pss: number; anon: number; file: number; rss: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { pss: kb('Pss'), anon: kb('Pss_Anon'), file: kb('Pss_File'), rss: kb('Rss') };
}

/** PSS (kB) per kind of mapping, from smaps. */
async function breakdown(pid: number): Promise<Record<string, number>> {
  const smaps = await readFile(`/proc/${pid}/smaps`, 'utf8');
  const out: Record<string, number> = {};
  let kind = '';
  for (const line of smaps.split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const [perms, name] = [head[1], head[2]];
      if (name === '') kind = perms.includes('x') ? 'anon exec (V8 code)' : 'anon (V8 heap, malloc arenas, stacks)';
      else if (name === '[heap]') kind = 'brk heap (malloc)';
      else if (name.endsWith('/node')) kind = `node binary (${perms.includes('x') ? 'code' : perms.includes('w') ? 'data' : 'read-only data: V8 snapshot, ICU'})`;
      else if (name.endsWith('.node')) kind = 'native addon';
      else if (name.startsWith('[')) kind = 'other special';
      else if (name.includes('/dist/')) kind = 'bundle file';
      else kind = 'shared libraries, other files';
      continue;
    }
    const m = /^Pss:\s+(\d+)/.exec(line);
    if (m) out[kind] = (out[kind] ?? 0) + Number(m[1]);
  }
  return out;
}

/**
 * bin/berthd as a wrapper that runs a private copy of the node binary: PSS divides a file's pages
 * among the processes that map it, and this benchmark's own node (the same binary) would otherwise
 * halve the daemon's share of it. With --node-flags, those flags instead of bin/berthd's.
 */
async function wrapper(dir: string, flags: string | undefined): Promise<string> {
  const node = join(dir, 'node');
  await copyFile(join(ROOT, 'node_modules/node/bin/node'), node);
  await chmod(node, 0o755);
  const launcher = await readFile(join(ROOT, 'bin/berthd'), 'utf8');
  const m = /exec "\$root\/node_modules\/node\/bin\/node" (.*) "\$root\/dist\/berthd\.js" "\$@"/.exec(launcher);
  if (!m) throw new Error('bin/berthd does not exec node as expected');
  const file = join(dir, 'berthd');
  await writeFile(file, `#!/bin/sh\nexec "${node}" ${flags ?? m[1]} "${ROOT}/dist/berthd.js" "$@"\n`);
  await chmod(file, 0o755);
  return file;
}

/** `cycles` create + remove pairs over the unix socket, 4 in flight. */
async function churn(socket: string, image: string, from: number, to: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const call = (method: string, path: string, body?: unknown) => new Promise<{ status: number; json: any }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, agent, method, path, headers: payload ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: text.startsWith('{') ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
  const t0 = process.hrtime.bigint();
  let next = from;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < to) {
      const i = next++;
      const c = await call('POST', `/containers/create?name=cyc-${i}`, { Image: image, Cmd: ['true'], Labels: { cycle: String(i) } });
      if (c.status !== 201) throw new Error(`create: ${c.status}`);
      const r = await call('DELETE', `/containers/${c.json.Id}`);
      if (r.status !== 204) throw new Error(`delete: ${r.status}`);
    }
  }));
  agent.destroy();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Figures {
  idle: number;
  /** PSS after the first tenth of the cycles (warm-up), then after all of them, each after idling. */
  warm: number;
  after: number;
  secs: number;
}

async function measureBerthd(): Promise<{ f: Figures; parts: Record<string, number>[]; trims: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'berthd-node-'));
  let d;
  try {
    const berthd = sharedNode ? undefined : await wrapper(dir, nodeFlags);
    d = await startDaemonWithBusybox([], { berthd });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  try {
    const pid = d.pid!;
    await sleep(idleMs);
    const idle = await pss(pid);
    const parts = [await breakdown(pid)];
    const tenth = Math.ceil(cycles / 10);
    let secs = await churn(d.socket, 'busybox', 0, tenth);
    await sleep(idleMs);
    const warm = await pss(pid);
    secs += await churn(d.socket, 'busybox', tenth, cycles);
    await sleep(idleMs);
    const after = await pss(pid);
    parts.push(await breakdown(pid));
    const trims = d.daemonLog().split('\n').filter((l) => l.includes('memory trimmed'));
    return { f: { idle: idle.pss, warm: warm.pss, after: after.pss, secs }, parts, trims };
  } finally {
    await d.cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measureDockerd(): Promise<{ dockerd: Figures; withContainerd: Figures } | undefined> {
  const d = await startPrivateDockerd();
  if (!d) return undefined;
  try {
    const load = await d.docker(['load', '-i', BUSYBOX_TAR]);
    if (load.code !== 0) throw new Error(load.stderr);
    const containerdPid = async () => {
      // The private dockerd's containerd is started by the helper: the containerd process whose socket is in its dir.
      for (const entry of await readdir('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        if (cmd.includes('containerd') && !cmd.includes('shim') && cmd.includes(d.dir)) return Number(entry);
      }
      return undefined;
    };
    const cpid = await containerdPid();
    const both = async () => {
      const a = await pss(d.pid);
      const b = cpid ? await pss(cpid) : { pss: 0 };
      return { dockerd: a.pss, both: a.pss + b.pss };
    };
    const sock = d.host.slice('unix://'.length);
    await sleep(idleMs);
    const idle = await both();
    const tenth = Math.ceil(cycles / 10);
    let secs = await churn(sock, 'busybox', 0, tenth);
    await sleep(idleMs);
    const warm = await both();
    secs += await churn(sock, 'busybox', tenth, cycles);
    await sleep(idleMs);
    const after = await both();
    return {
      dockerd: { idle: idle.dockerd, warm: warm.dockerd, after: after.dockerd, secs },
      withContainerd: { idle: idle.both, warm: warm.both, after: after.both, secs },
    };
  } finally {
    await d.stop();
  }
}

const b = await measureBerthd();
const dk = withDockerd ? await measureDockerd() : undefined;

console.log(`Idle daemon memory (PSS, MB; berthd on ${sharedNode ? 'the node binary this benchmark runs on (pages shared)' : 'a private copy of its node binary'}): idle ${idleMs / 1000} s after start, then after ${cycles} create/remove cycles (4 in flight) and ${idleMs / 1000} s idle${nodeFlags !== undefined ? `; berthd node flags: ${nodeFlags}` : ''}`);
console.log(`| daemon | idle | after ${Math.ceil(cycles / 10)} cycles | after ${cycles} cycles | growth over the last ${cycles - Math.ceil(cycles / 10)} | cycles took |`);
console.log('|---|---|---|---|---|---|');
const signed = (kb: number) => (kb >= 0 ? '+' : '') + MB(kb);
const line = (name: string, f: Figures) => console.log(`| ${name} | ${MB(f.idle)} | ${MB(f.warm)} | ${MB(f.after)} | ${signed(f.after - f.warm)} | ${f.secs.toFixed(1)} s |`);
line('berthd', b.f);
if (dk) {
  line('dockerd', dk.dockerd);
  line('dockerd + containerd', dk.withContainerd);
  console.log(`ratio berthd / dockerd idle: ${(b.f.idle / dk.dockerd.idle).toFixed(2)}; / dockerd + containerd: ${(b.f.idle / dk.withContainerd.idle).toFixed(2)}`);
}
console.log('\nberthd PSS by mapping (MB): idle | after cycles');
const kinds = [...new Set([...Object.keys(b.parts[0]), ...Object.keys(b.parts[1])])].sort();
for (const k of kinds) console.log(`  ${k.padEnd(40)} ${MB(b.parts[0][k] ?? 0).padStart(6)} | ${MB(b.parts[1][k] ?? 0).padStart(6)}`);
console.log(`\nberthd idle trims (GC + malloc_trim when idle after growth): ${b.trims.length}`);
for (const t of b.trims) console.log(`  ${t}`);
