// Starts registries for tests and benchmarks: berth-registry (bin/berth-registry, built by
// scripts/build.sh) and Debian's docker-registry (distribution 2.8), each on 127.0.0.1 with a
// port of its own and a root in a temp dir, stopped by pid. Also small raw-HTTP helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, ROOT } from './harness.ts';

export const BERTH_REGISTRY = join(ROOT, 'bin/berth-registry');

export interface RunningRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>` */
  host: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  stop(): Promise<void>;
}

function track(proc: ChildProcess): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { out: () => out, err: () => err };
}

async function stopProc(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Runs `berth-registry serve` with these arguments (add --addr 127.0.0.1:0 yourself or in the config). */
export async function startBerthRegistry(args: string[]): Promise<RunningRegistry> {
  const proc = spawn(BERTH_REGISTRY, ['serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = track(proc);
  const deadline = Date.now() + 15_000;
  let host: string | undefined;
  while (!host) {
    const m = /"listening on ([^"]+)"/.exec(logs.err());
    if (m) host = m[1];
    else if (proc.exitCode !== null) throw new Error(`berth-registry exited ${proc.exitCode}: ${logs.err()}`);
    else if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`berth-registry did not start: ${logs.err()}`);
    } else await sleep(50);
  }
  return { url: `http://${host}`, host, proc, stdout: logs.out, stderr: logs.err, stop: () => stopProc(proc) };
}

/** Runs Debian's docker-registry on `root` (delete enabled), retrying on a port taken meanwhile. */
export async function startDockerRegistry(dir: string, root: string): Promise<RunningRegistry> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = join(dir, `docker-registry-${port}.yml`);
    await writeFile(
      config,
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${root}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    const proc = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const logs = track(proc);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    while (proc.exitCode === null && Date.now() < deadline) {
      const ok = await fetch(`${url}/v2/`).then((r) => r.status === 200, () => false);
      if (ok) return { url, host: `127.0.0.1:${port}`, proc, stdout: logs.out, stderr: logs.err, stop: () => stopProc(proc) };
      await sleep(100);
    }
    await stopProc(proc);
    if (attempt >= 3) throw new Error(`docker-registry did not start: ${logs.err()}`);
  }
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Pushes a blob monolithically (POST + PUT); returns its digest. */
export async function pushBlob(url: string, name: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const post = await fetch(`${url}/v2/${name}/blobs/uploads/`, { method: 'POST' });
  if (post.status !== 202) throw new Error(`POST upload: ${post.status} ${await post.text()}`);
  const loc = new URL(post.headers.get('location')!, url);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: new Uint8Array(data), headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${await put.text()}`);
  return digest;
}

/** Pushes a manifest (JSON value) under a reference; returns its digest. */
export async function pushManifest(url: string, name: string, ref: string, manifest: unknown, mediaType: string): Promise<string> {
  const body = Buffer.from(JSON.stringify(manifest));
  const put = await fetch(`${url}/v2/${name}/manifests/${ref}`, { method: 'PUT', body, headers: { 'Content-Type': mediaType } });
  if (put.status !== 201) throw new Error(`PUT manifest: ${put.status} ${await put.text()}`);
  return put.headers.get('docker-content-digest')!;
}
