// Test fixtures for the runtime box: a tiny OCI bundle (static busybox and a few applet
// links, config from `runc spec`), the shim compiled from source, and cleanup helpers.
// Used only by tests; needs root and runc.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const RUNC = '/usr/sbin/runc';
const BUSYBOX = '/bin/busybox';
const CGROUP_PARENT = 'berth-test';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const APPLETS = ['sh', 'echo', 'cat', 'sleep', 'true', 'false', 'stty', 'printf', 'seq', 'ls'];

/** Why container tests cannot run here, or undefined if they can. */
export function containerTestSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(RUNC)) return `needs ${RUNC}`;
  if (!existsSync(BUSYBOX)) return `needs ${BUSYBOX}`;
  return undefined;
}

/** Compiles native/shim/berth-shim.c into dir/berth-shim, as scripts/build-native.sh does. */
export async function buildShim(dir: string): Promise<string> {
  const out = join(dir, 'berth-shim');
  await run(process.env.CC ?? 'cc', ['-O2', '-Wall', '-Wextra', '-o', out, join(REPO, 'native/shim/berth-shim.c'), '-lz']);
  return out;
}

export interface BundleOptions {
  tty?: boolean;
  env?: string[];
}

/** Creates an OCI bundle in dir running args; returns the parsed process spec too. */
export async function makeBundle(dir: string, id: string, args: string[], opts: BundleOptions = {}): Promise<{ bundle: string; process: Record<string, unknown> }> {
  const bin = join(dir, 'rootfs', 'bin');
  await mkdir(bin, { recursive: true });
  await copyFile(BUSYBOX, join(bin, 'busybox'));
  for (const a of APPLETS) await symlink('busybox', join(bin, a));
  await run(RUNC, ['spec', '--bundle', dir]);
  const cfg = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as {
    process: Record<string, unknown>;
    root: { readonly: boolean };
    linux: Record<string, unknown>;
    hostname?: string;
  };
  cfg.process.args = args;
  cfg.process.terminal = opts.tty ?? false;
  if (opts.env) cfg.process.env = opts.env;
  cfg.root.readonly = false;
  cfg.linux.cgroupsPath = `/${CGROUP_PARENT}/${id}`;
  cfg.hostname = id.slice(0, 12);
  await writeFile(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  return { bundle: dir, process: cfg.process };
}

/** Writes a process.json for `runc exec --process`, based on the bundle's process. */
export async function writeProcessFile(path: string, base: Record<string, unknown>, args: string[], tty = false): Promise<string> {
  await writeFile(path, JSON.stringify({ ...base, args, terminal: tty }));
  return path;
}

/** Removes the empty berth-test cgroup parents runc leaves behind (cgroup v1 and v2). */
export async function removeTestCgroups(): Promise<void> {
  const roots = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
  let controllers: string[] = [];
  try {
    controllers = (await readdir('/sys/fs/cgroup')).map((c) => join('/sys/fs/cgroup', c));
  } catch {
    // no cgroup fs
  }
  for (const dir of [...roots, ...controllers]) {
    await rmdir(join(dir, CGROUP_PARENT)).catch(() => {});
  }
}

/** VmRSS of a process in kB, or undefined. */
export async function rssKb(pid: number): Promise<number | undefined> {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Parent pid and session id from /proc/PID/stat. */
export async function procStat(pid: number): Promise<{ ppid: number; sid: number } | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), sid: Number(f[3]) };
  } catch {
    return undefined;
  }
}
