// Starts a PRIVATE dockerd for tests that compare berth with the real thing: its own data root,
// exec root, socket, cgroup parent, containerd (started here, so no system containerd is ever
// used) and a bridge made here, without iptables or sysctl changes. stop() removes all of it:
// the processes (dockerd, containerd, shims and anything left in them), mounts under its
// directory, the bridge and the veths on it, its cgroups and the directory itself.
// Returns undefined when no dockerd is installed; tests then skip.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { removeCgroups, run, type RunResult } from './harness.ts';

export interface PrivateDockerd {
  /** unix://<dir>/docker.sock */
  readonly host: string;
  /** dockerd's pid. */
  readonly pid: number;
  readonly dir: string;
  /** Its default bridge; name a test network's bridge `${bridge}<suffix>` (at most 15 characters) and stop() removes it too. */
  readonly bridge: string;
  /** The real docker CLI against this dockerd. */
  docker(args: string[], opts?: { input?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** dockerd's and containerd's output so far (for failure messages). */
  log(): string;
  /** Stops everything started here and removes every trace; safe to call twice. */
  stop(): Promise<void>;
  /** What of this dockerd is still on the machine (empty after a clean stop()). */
  leftovers(): Promise<string[]>;
}

const DOCKERD_PATHS = ['/usr/bin/dockerd', '/usr/sbin/dockerd'];
const CONTAINERD_PATHS = ['/usr/bin/containerd', '/usr/sbin/containerd', '/usr/local/bin/containerd'];
/** Host directories dockerd and containerd make whatever their roots (plugin sockets, shim sockets). */
const FIXED_DIRS = ['/run/containerd', '/run/containerd/s', '/run/docker', '/run/docker/plugins'];

/** Why a private dockerd cannot run here, or undefined when it can. */
export function dockerdMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'a private dockerd needs root';
  if (!DOCKERD_PATHS.some((p) => existsSync(p))) return 'no dockerd installed';
  if (!CONTAINERD_PATHS.some((p) => existsSync(p))) return 'no containerd installed';
  return undefined;
}

/** A third octet X for 10.215.X.0/24 that no host address or route uses (tests take more for their networks). */
export async function freeSubnet(avoid: number[] = []): Promise<number> {
  const used = (await run('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout + (await run('ip', ['-4', 'addr'])).stdout;
  const start = process.pid % 250;
  for (let i = 0; i < 250; i++) {
    const x = ((start + i) % 250) + 1;
    if (!used.includes(`10.215.${x}.`) && !avoid.includes(x)) return x;
  }
  throw new Error('no free 10.215.X.0/24 for the private dockerd bridge');
}

/** Pids of processes whose command line mentions `text`. */
async function pidsMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/** A process's direct children (every thread's). */
async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const t of tasks) {
    const text = await readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    out.push(...text.split(' ').filter(Boolean).map(Number));
  }
  return out;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Signals a child we spawned and waits for it, escalating to SIGKILL after `ms`. */
async function stopChild(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await Promise.race([exited, sleep(ms, undefined, { ref: false })]); // unref'd: the wait must not hold the process up
  if (proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGKILL');
    await exited;
  }
}

export async function startPrivateDockerd(): Promise<PrivateDockerd | undefined> {
  if (dockerdMissing()) return undefined;
  const dockerdBin = DOCKERD_PATHS.find((p) => existsSync(p))!;
  const containerdBin = CONTAINERD_PATHS.find((p) => existsSync(p))!;
  const dir = await mkdtemp('/tmp/btd-');
  const tag = dir.slice(-6).replace(/[^A-Za-z0-9]/g, 'x');
  const bridge = `btd${tag}`;
  const cgroupParent = `/btd-${tag}`;
  const sock = join(dir, 'docker.sock');
  const containerdSock = join(dir, 'containerd.sock');
  const host = `unix://${sock}`;
  const logs: string[] = [];
  let containerd: ChildProcess | undefined;
  let dockerd: ChildProcess | undefined;
  let stopped = false;
  const madeDirs = FIXED_DIRS.filter((p) => !existsSync(p));

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Networks the tests made: dockerd removes their br-* bridges only on network rm.
    if (dockerd) await run('docker', ['-H', host, 'network', 'prune', '-f']);
    // dockerd stops its containers on SIGTERM (no live-restore), then containerd goes.
    if (dockerd) await stopChild(dockerd, 30_000);
    // Shims outlive containerd by design: whatever is left in them (a container dockerd could
    // not stop) goes first, then the shims themselves.
    for (const shim of await pidsMentioning(containerdSock)) {
      if (shim === containerd?.pid) continue;
      for (const child of await childrenOf(shim)) kill(child, 'SIGKILL');
      kill(shim, 'SIGKILL');
    }
    if (containerd) await stopChild(containerd, 10_000);
    for (let i = 0; i < 50 && (await pidsMentioning(dir)).length > 0; i++) await sleep(100);
    for (const pid of await pidsMentioning(dir)) kill(pid, 'SIGKILL');
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1]).filter((m) => m && m.startsWith(`${dir}/`));
    for (const m of mounts.reverse()) await run('umount', ['-l', m.replace(/\\040/g, ' ')]);
    // Ours, and those of networks tests made with a bridge name that starts with ours.
    for (const br of await testBridges(bridge)) {
      const slaves = JSON.parse((await run('ip', ['-j', 'link', 'show', 'master', br])).stdout || '[]') as Array<{ ifname: string }>;
      for (const l of slaves) await run('ip', ['link', 'del', l.ifname]);
      await run('ip', ['link', 'del', br]);
    }
    await removeCgroups(cgroupParent);
    await rm(dir, { recursive: true, force: true });
    // Only those that were not there before, and only when empty (another daemon may use them now).
    for (const p of [...madeDirs].reverse()) await rmdir(p).catch(() => {});
  };

  try {
    const x = await freeSubnet();
    const up = await run('ip', ['-batch', '-'], { input: `link add ${bridge} type bridge\naddr add 10.215.${x}.1/24 dev ${bridge}\nlink set ${bridge} up\n` });
    if (up.code !== 0) throw new Error(`cannot make the bridge ${bridge}: ${up.stderr}`);

    // What dockerd's own supervised containerd gets, on paths of ours (and no CRI plugin).
    await writeFile(join(dir, 'containerd.toml'), [
      'version = 2',
      `root = "${join(dir, 'containerd-root')}"`,
      `state = "${join(dir, 'containerd-state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${containerdSock}"`,
      '[ttrpc]',
      `  address = "${containerdSock}.ttrpc"`,
      '',
    ].join('\n'));
    containerd = spawn(containerdBin, ['--config', join(dir, 'containerd.toml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    containerd.stdout!.on('data', (b) => logs.push(String(b)));
    containerd.stderr!.on('data', (b) => logs.push(String(b)));
    for (let i = 0; i < 100 && !existsSync(containerdSock); i++) {
      if (containerd.exitCode !== null) throw new Error(`containerd exited ${containerd.exitCode}`);
      await sleep(100);
    }

    await writeFile(join(dir, 'daemon.json'), '{}\n');
    dockerd = spawn(dockerdBin, [
      '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '-H', host, '--pidfile', join(dir, 'docker.pid'),
      '--config-file', join(dir, 'daemon.json'), '--containerd', containerdSock,
      '--containerd-namespace', `btd${tag}`, '--containerd-plugins-namespace', `btdp${tag}`,
      '--bridge', bridge, '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false',
      '--cgroup-parent', cgroupParent, '--exec-opt', 'native.cgroupdriver=cgroupfs', '--shutdown-timeout', '3',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    dockerd.stdout!.on('data', (b) => logs.push(String(b)));
    dockerd.stderr!.on('data', (b) => logs.push(String(b)));
    let ready = false;
    for (let i = 0; i < 300 && !ready; i++) {
      if (dockerd.exitCode !== null) throw new Error(`dockerd exited ${dockerd.exitCode}`);
      ready = (await run('docker', ['-H', host, 'version', '--format', '{{.Server.Version}}'], { timeoutMs: 5000 })).code === 0;
      if (!ready) await sleep(100);
    }
    if (!ready) throw new Error('dockerd did not answer');
  } catch (err) {
    await stop();
    throw new Error(`private dockerd: ${(err as Error).message}\n${logs.join('').slice(-3000)}`);
  }

  return {
    host,
    pid: dockerd.pid!,
    dir,
    bridge,
    docker: (args, opts = {}) => run('docker', ['-H', host, ...args], opts),
    log: () => logs.join(''),
    stop,
    leftovers: async () => {
      const out: string[] = [];
      for (const pid of await pidsMentioning(dir)) out.push(`process ${pid}`);
      for (const pid of await pidsMentioning(`-namespace btd${tag} `)) out.push(`shim ${pid}`);
      if ((await readFile('/proc/self/mounts', 'utf8')).includes(dir)) out.push(`mounts under ${dir}`);
      for (const br of await testBridges(bridge)) out.push(`bridge ${br}`);
      if (existsSync(dir)) out.push(`directory ${dir}`);
      for (const c of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
        if (existsSync(join('/sys/fs/cgroup', c, cgroupParent))) out.push(`cgroup ${c}${cgroupParent}`);
      }
      return out;
    },
  };
}

/** Ours (named from `prefix`), and dockerd's br-* bridges on the tests' 10.215.0.0/16. */
async function testBridges(prefix: string): Promise<string[]> {
  const links = JSON.parse((await run('ip', ['-j', 'addr', 'show'])).stdout || '[]') as Array<{ ifname: string; addr_info?: Array<{ local: string }> }>;
  const dockerds = links.filter((l) => l.ifname.startsWith('br-') && (l.addr_info ?? []).some((a) => a.local.startsWith('10.215.'))).map((l) => l.ifname);
  return [...(await bridgesStartingWith(prefix)), ...dockerds];
}

async function bridgesStartingWith(prefix: string): Promise<string[]> {
  return (await readdir('/sys/class/net').catch(() => [] as string[])).filter((n) => n.startsWith(prefix));
}

