// Starts a real berthd as root on a temporary data root, exec root, socket and cgroup parent,
// and drives it with the real docker CLI and raw HTTP. Everything it made is removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CHAIN_PREFIX, instanceChainPrefix } from '../../src/network/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BUSYBOX_TAR = join(ROOT, 'test/fixtures/out/busybox.tar');
export const LAYERED_TAR = join(ROOT, 'test/fixtures/out/busybox-layered.tar');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DaemonOptions {
  /**
   * false: start without --iptables-chain-prefix, so the daemon derives its chains from its own
   * bridge and data root (never the default BERTH: the bridge and data root are the test's).
   */
  chainPrefixFlag?: boolean;
  /** Another build's bin/berthd (bench/run.ts --baseline compares two builds in one run). */
  berthd?: string;
  /**
   * Listening sockets (fds of this process) handed to the daemon as systemd would: as fds 3, 4, ...
   * with LISTEN_PID (the daemon's own pid) and LISTEN_FDS set, for -H fd://.
   */
  activationFds?: number[];
}

export class Daemon {
  readonly dir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly cgroupParent: string;
  /** This daemon's own default bridge, its address and iptables chain prefix: never a developer's berth0/BERTH. */
  readonly bridge: string;
  readonly bip: string;
  readonly chainPrefix: string;
  /** A /24 of 10.216.0.0/16 from which this daemon's user-defined networks get their subnets. */
  readonly poolBase: string;
  /** Network namespaces and host links a test made; cleanup() deletes them. */
  readonly netnsToRemove = new Set<string>();
  readonly linksToRemove = new Set<string>();
  private proc: ChildProcess | undefined;
  private logs: string[] = [];
  private readonly extraArgs: string[];
  private readonly chainPrefixFlag: boolean;
  private readonly berthd: string;
  private readonly activationFds: number[];

  constructor(dir: string, extraArgs: string[], opts: DaemonOptions = {}) {
    this.dir = dir;
    this.dataRoot = join(dir, 'data');
    this.execRoot = join(dir, 'exec');
    this.socket = join(dir, 'berth.sock');
    this.cgroupParent = `/berth-test-${dir.slice(-6)}`;
    const tag = dir.slice(-6).replace(/[^A-Za-z0-9]/g, 'x');
    this.bridge = `bt${tag}`;
    this.chainPrefixFlag = opts.chainPrefixFlag ?? true;
    this.berthd = opts.berthd ?? join(ROOT, 'bin/berthd');
    this.activationFds = opts.activationFds ?? [];
    this.chainPrefix = this.chainPrefixFlag ? `BT${tag}` : instanceChainPrefix(this.bridge, this.dataRoot, false);
    if (this.chainPrefix === DEFAULT_CHAIN_PREFIX) throw new Error('a test daemon must not use the default chains');
    const x = freeThirdOctet(tag);
    this.bip = `10.213.${x}.1/24`;
    this.poolBase = `10.216.${x}.0/24`;
    this.extraArgs = extraArgs;
  }

  get host(): string {
    return `unix://${this.socket}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  daemonLog(): string {
    return this.logs.join('');
  }

  async start(): Promise<void> {
    const configFile = join(this.dir, 'daemon.json');
    if (!existsSync(configFile)) await writeFile(configFile, `${JSON.stringify({ 'default-address-pools': [{ base: this.poolBase, size: 28 }] })}\n`);
    const net = this.extraArgs.some((a) => a === '--bridge' || a.startsWith('--bridge=')) ? [] : ['--bridge', this.bridge, '--bip', this.bip];
    const args = ['--data-root', this.dataRoot, '--exec-root', this.execRoot, '-H', this.host, ...net, ...(this.chainPrefixFlag ? ['--iptables-chain-prefix', this.chainPrefix] : []),
      '--pidfile', join(this.dir, 'berthd.pid'), '--cgroup-parent', this.cgroupParent, '--config-file', join(this.dir, 'daemon.json'), '--debug', ...this.extraArgs];
    // bin/berthd execs node: the pid is the daemon's, and tests run what people run.
    const fds = this.activationFds;
    // With activation fds a shell sets LISTEN_PID to its own pid, then execs berthd (which execs node): the same pid.
    const proc = fds.length === 0
      ? spawn(this.berthd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/bin/sh', ['-c', `LISTEN_PID=$$ LISTEN_FDS=${fds.length} exec "$0" "$@"`, this.berthd, ...args], { stdio: ['ignore', 'pipe', 'pipe', ...fds] });
    this.proc = proc;
    proc.stdout!.on('data', (d) => this.logs.push(String(d)));
    proc.stderr!.on('data', (d) => this.logs.push(String(d)));
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`berthd exited ${proc.exitCode}:\n${this.daemonLog()}`);
      try {
        const r = await this.api('GET', '/_ping');
        if (r.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    throw new Error(`berthd did not start:\n${this.daemonLog()}`);
  }

  /** Closes the pipes the daemon writes its stdout and stderr to, as when its parent dies. */
  closeOutput(): void {
    this.proc?.stdout?.destroy();
    this.proc?.stderr?.destroy();
  }

  /** SIGTERM and wait: a clean daemon shutdown; the exit code, or null when it had to be killed. */
  async stopDaemon(): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return p?.exitCode ?? null;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000, undefined, { ref: false })]); // unref: a pending wait must not hold the test process 30 s
    const code = p.exitCode;
    if (code === null) p.kill('SIGKILL');
    this.proc = undefined;
    return code;
  }

  /** kill -9 of the daemon: containers and their shims keep running. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    this.proc = undefined;
  }

  docker(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    return run('docker', ['-H', this.host, ...args], opts);
  }

  /** berth's own CLI (the bundled bin/berth) against this daemon. */
  berth(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    return run(join(ROOT, 'bin/berth'), ['-H', this.host, ...args], opts);
  }

  api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json: any; headers: Record<string, unknown> }> {
    return new Promise((resolvePromise, reject) => {
      const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = request({ socketPath: this.socket, method, path, headers: { ...(payload !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolvePromise({ status: res.statusCode ?? 0, text, json, headers: res.headers });
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Stops the daemon (stopping its containers), then removes every trace left on the machine. */
  async cleanup(): Promise<void> {
    await this.stopDaemon();
    await killLeftoverShims(this.execRoot);
    await removeNetworkTraces(this);
    await unmountUnder(this.dir);
    await removeCgroups(this.cgroupParent);
    await rm(this.dir, { recursive: true, force: true });
    releaseThirdOctet(this.bip);
  }
}

/** Polls until `check` holds; fails the test with `what` after `ms`. */
/** A TCP port the kernel just picked as free on `host` (bound and released here; callers retry on a race). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startDaemon(extraArgs: string[] = [], opts: DaemonOptions = {}): Promise<Daemon> {
  const dir = await mkdtemp('/tmp/bt-');
  const d = new Daemon(dir, extraArgs, opts);
  await d.start();
  return d;
}

/** A daemon with the busybox test image loaded. */
export async function startDaemonWithBusybox(extraArgs: string[] = [], opts: DaemonOptions = {}): Promise<Daemon> {
  const d = await startDaemon(extraArgs, opts);
  const r = await d.docker(['load', '-i', BUSYBOX_TAR]);
  if (r.code !== 0) {
    await d.cleanup();
    throw new Error(`docker load failed: ${r.stderr}`);
  }
  return d;
}

export function run(cmd: string, args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 + 9 : -1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
    child.stdin.on('error', () => {});
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/**
 * Claims of third octets, so that test files running in parallel (scripts/test.sh runs
 * integration files in lanes) never pick the same subnets: a directory per octet, made
 * atomically, holding the claiming process's pid; a dead process's claim is taken over.
 */
const OCTET_CLAIMS = '/tmp/berth-test-octets';
/** Released by cleanup(), or when this process ends without it (a test that stopped early). */
const heldOctets = new Set<string>();
process.on('exit', () => {
  for (const dir of heldOctets) rmSync(dir, { recursive: true, force: true });
});

function claimOctet(x: number): boolean {
  const dir = join(OCTET_CLAIMS, String(x));
  mkdirSync(OCTET_CLAIMS, { recursive: true });
  try {
    mkdirSync(dir);
  } catch {
    let pid = 0;
    try {
      pid = Number(readFileSync(join(dir, 'pid'), 'utf8')) || 0;
    } catch {
      return false; // being claimed right now
    }
    if (pid === process.pid || (pid > 0 && existsSync(`/proc/${pid}`))) return false;
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  heldOctets.add(dir);
  return true;
}

function releaseThirdOctet(bip: string): void {
  const dir = join(OCTET_CLAIMS, bip.split('.')[2]!);
  rmSync(dir, { recursive: true, force: true });
  heldOctets.delete(dir);
}

/** A third octet for 10.213.X.0/24 that no host route or address uses, nor another test's daemon. */
function freeThirdOctet(tag: string): number {
  let routes = '';
  try {
    routes = execFileSync('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }) + execFileSync('ip', ['-4', 'addr'], { encoding: 'utf8' });
  } catch {
    // no ip tool: take the hash as it is
  }
  const start = createHash('sha256').update(tag).digest()[0] % 250;
  for (let i = 0; i < 250; i++) {
    const x = ((start + i) % 250) + 1;
    if (!routes.includes(`10.213.${x}.`) && !routes.includes(`10.216.${x}.`) && claimOctet(x)) return x;
  }
  throw new Error('no free 10.213.X.0/24 for a test daemon');
}

/** Deletes this daemon's bridges (and the veths on them), iptables chains and rules, and test netns/links. */
async function removeNetworkTraces(d: Daemon): Promise<void> {
  const bridges = new Set([d.bridge]);
  const netDir = join(d.dataRoot, 'network');
  for (const f of existsSync(netDir) ? await readdir(netDir) : []) {
    const rec = JSON.parse(await readFile(join(netDir, f), 'utf8').catch(() => '{}')) as { bridge?: string; createdBridge?: boolean };
    if (rec.bridge && rec.createdBridge) bridges.add(rec.bridge);
  }
  for (const br of bridges) {
    if (!existsSync(`/sys/class/net/${br}`)) continue;
    const slaves = await run('ip', ['-j', 'link', 'show', 'master', br]);
    for (const l of (JSON.parse(slaves.stdout || '[]') as Array<{ ifname: string }>)) await run('ip', ['link', 'del', l.ifname]);
    await run('ip', ['link', 'del', br]);
  }
  for (const link of d.linksToRemove) if (existsSync(`/sys/class/net/${link}`)) await run('ip', ['link', 'del', link]);
  for (const ns of d.netnsToRemove) await run('ip', ['netns', 'del', ns]);
  await removeChains(d.chainPrefix);
}

/** Removes every jump to, and every chain of, a chain prefix (the rules are berth's own plain syntax), in iptables and ip6tables. */
export async function removeChains(prefix: string): Promise<void> {
  for (const tool of ['iptables', 'ip6tables']) await removeChainsOf(tool, prefix);
}

async function removeChainsOf(tool: string, prefix: string): Promise<void> {
  for (const table of ['filter', 'nat']) {
    const saved = (await run(`${tool}-save`, ['-t', table])).stdout.split('\n');
    const ours = (chain: string) => chain === prefix || chain.startsWith(`${prefix}-`);
    for (const line of saved) {
      const m = /^-A (\S+) (.*)$/.exec(line);
      if (!m || ours(m[1])) continue;
      const target = /-j (\S+)/.exec(m[2])?.[1];
      if (target && ours(target)) await run(tool, ['-w', '-t', table, '-D', m[1], ...m[2].split(' ')]);
    }
    const chains = saved.map((l) => /^:(\S+)/.exec(l)?.[1]).filter((c): c is string => Boolean(c) && ours(c!));
    for (const c of chains) await run(tool, ['-w', '-t', table, '-F', c]);
    for (const c of chains) await run(tool, ['-w', '-t', table, '-X', c]);
  }
}

/** What of a prefix is still in the host's iptables, or ip6tables with `tool` (empty when all is clean). */
export async function leftoverRules(prefix: string, tool: 'iptables' | 'ip6tables' = 'iptables'): Promise<string[]> {
  const saved = (await run(`${tool}-save`, [])).stdout.split('\n');
  return saved.filter((l) => l.includes(prefix));
}

async function killLeftoverShims(execRoot: string): Promise<void> {
  for (const sub of ['c', 'x']) {
    const dir = join(execRoot, sub);
    if (!existsSync(dir)) continue;
    for (const id of await readdir(dir)) {
      for (const file of ['pid', 'shim.pid']) {
        const pid = Number(await readFile(join(dir, id, file), 'utf8').catch(() => ''));
        if (pid > 0) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    }
  }
  await sleep(100);
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1]).filter((m) => m && m.startsWith(dir + '/'));
  for (const m of mounts.reverse()) await run('umount', ['-l', m.replace(/\\040/g, ' ')]);
}

/** rmdir of a cgroup parent (and what runc left in it) in every v1 hierarchy and in v2. */
export async function removeCgroups(parent: string): Promise<void> {
  const roots = (await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((c) => join('/sys/fs/cgroup', c));
  for (const root of [...roots, '/sys/fs/cgroup']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const child of await readdir(dir, { withFileTypes: true })) {
      if (child.isDirectory()) await rmdir(join(dir, child.name)).catch(() => {});
    }
    await rmdir(dir).catch(() => {});
  }
}
