// Starts a real berthd as root on a temporary data root, exec root, socket and cgroup parent,
// and drives it with the real docker CLI and raw HTTP. Everything it made is removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BUSYBOX_TAR = join(ROOT, 'test/fixtures/out/busybox.tar');
export const LAYERED_TAR = join(ROOT, 'test/fixtures/out/busybox-layered.tar');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class Daemon {
  readonly dir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly cgroupParent: string;
  private proc: ChildProcess | undefined;
  private logs: string[] = [];
  private readonly extraArgs: string[];

  constructor(dir: string, extraArgs: string[]) {
    this.dir = dir;
    this.dataRoot = join(dir, 'data');
    this.execRoot = join(dir, 'exec');
    this.socket = join(dir, 'berth.sock');
    this.cgroupParent = `/berth-test-${dir.slice(-6)}`;
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
    if (!existsSync(configFile)) await writeFile(configFile, '{}\n');
    const args = ['--data-root', this.dataRoot, '--exec-root', this.execRoot, '-H', this.host,
      '--pidfile', join(this.dir, 'berthd.pid'), '--cgroup-parent', this.cgroupParent, '--config-file', join(this.dir, 'daemon.json'), '--debug', ...this.extraArgs];
    // bin/berthd execs node: the pid is the daemon's, and tests run what people run.
    const proc = spawn(join(ROOT, 'bin/berthd'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

  /** SIGTERM and wait: a clean daemon shutdown. */
  async stopDaemon(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await Promise.race([exited, sleep(30_000)]);
    if (p.exitCode === null) p.kill('SIGKILL');
    this.proc = undefined;
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
    await unmountUnder(this.dir);
    await removeCgroups(this.cgroupParent);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` holds; fails the test with `what` after `ms`. */
export async function waitFor(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startDaemon(extraArgs: string[] = []): Promise<Daemon> {
  const dir = await mkdtemp('/tmp/bt-');
  const d = new Daemon(dir, extraArgs);
  await d.start();
  return d;
}

/** A daemon with the busybox test image loaded. */
export async function startDaemonWithBusybox(extraArgs: string[] = []): Promise<Daemon> {
  const d = await startDaemon(extraArgs);
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

async function removeCgroups(parent: string): Promise<void> {
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
