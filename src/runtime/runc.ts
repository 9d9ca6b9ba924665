// A thin adapter over the runc binary (or any runtime with runc's command line). Every runc the
// daemon runs goes through runRuntime() here (the shim, in C, runs `runc create`/`exec` itself).
// No shell: spawn with an argument vector. Errors carry runc's own message.
import { spawn } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidParameter, systemError, BerthError } from '../common/index.ts';

export interface RuncState {
  status: string;
  pid: number;
}

export interface RuncContainer {
  id: string;
  status: string;
  pid: number;
}

// runc's own rule for container ids; also keeps an id from being read as a flag.
const ID_RE = /^[\w+.-]+$/;
const SIGNAL_RE = /^(?:SIG)?[A-Z][A-Z0-9+-]*$|^\d+$/;
const NOT_EXIST_RE = /\bdoes not exist\b/i;
/** Bounds what is kept of a runtime's stdout (list/ps of many containers) and stderr. */
const MAX_STDOUT = 16 << 20;
const MAX_STDERR = 1 << 20;

/** The part of the OCI spec's linux.resources that `update` changes. */
export interface LinuxResourcesUpdate {
  memory?: { limit?: number; reservation?: number; swap?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

/**
 * Runs the runtime binary once: `path [--root root] --log-format json args...` (global flags
 * only when `root` is given or `globalFlags` is not false), with `input` on stdin. Resolves
 * with stdout; rejects with a system error carrying runc's own message.
 */
export function runRuntime(bin: { path: string; root?: string }, args: string[], opts: { input?: string; globalFlags?: boolean } = {}): Promise<string> {
  const global = opts.globalFlags === false ? [] : [...(bin.root !== undefined ? ['--root', bin.root] : []), '--log-format', 'json'];
  return new Promise((resolve, reject) => {
    const child = spawn(bin.path, [...global, ...args], { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let overflow = false;
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      if (stdout.length + d.length > MAX_STDOUT) {
        overflow = true;
        child.kill('SIGKILL');
      } else {
        stdout += d;
      }
    });
    child.stderr!.on('data', (d: string) => {
      if (stderr.length < MAX_STDERR) stderr += d;
    });
    child.on('error', (err) => reject(systemError(err.message, err)));
    child.on('close', (code, signal) => {
      if (code === 0 && !overflow) return resolve(stdout);
      if (overflow) return reject(systemError(`${bin.path} ${args[0] ?? ''}: output too large`));
      reject(systemError(runcErrorMessage(stderr) || `${bin.path} ${args[0] ?? ''} exited with ${code ?? signal}`));
    });
    if (opts.input !== undefined) {
      child.stdin!.on('error', () => {}); // runc may exit before reading; its exit status tells why
      child.stdin!.end(opts.input);
    }
  });
}

/** The runtime's version ("1.1.12"), or '' when it cannot tell. */
export async function runtimeVersion(path: string): Promise<string> {
  const out = await runRuntime({ path }, ['--version'], { globalFlags: false }).catch(() => '');
  return /version (\S+)/.exec(out)?.[1] ?? '';
}

export class Runc {
  readonly path: string;
  readonly root: string | undefined;

  constructor(opts: { path: string; root?: string }) {
    this.path = opts.path;
    this.root = opts.root;
  }

  async start(id: string): Promise<void> {
    await this.#run(['start', checkId(id)]);
  }

  async kill(id: string, signal: string | number, all = false): Promise<void> {
    const sig = String(signal).toUpperCase();
    if (!SIGNAL_RE.test(sig)) throw invalidParameter(`invalid signal: ${signal}`);
    await this.#run(['kill', ...(all ? ['--all'] : []), checkId(id), sig]);
  }

  /**
   * Removes the container; deleting one that does not exist is a no-op. The runtime keeps each
   * container's state in `<root>/<id>`: without that directory there is nothing to delete, and
   * no process is spawned (a spawn costs the daemon's event loop ~10 ms; every start asks).
   */
  async delete(id: string, force = false): Promise<void> {
    if (this.root !== undefined && !(await pathExists(join(this.root, checkId(id))))) return;
    try {
      await this.#run(['delete', ...(force ? ['--force'] : []), checkId(id)]);
    } catch (err) {
      if (isRuncNotExist(err)) return;
      throw err;
    }
  }

  async pause(id: string): Promise<void> {
    await this.#run(['pause', checkId(id)]);
  }

  async resume(id: string): Promise<void> {
    await this.#run(['resume', checkId(id)]);
  }

  /** The container's status and init pid, or undefined if runc does not know it. */
  async state(id: string): Promise<RuncState | undefined> {
    let out: string;
    try {
      out = await this.#run(['state', checkId(id)]);
    } catch (err) {
      if (isRuncNotExist(err)) return undefined;
      throw err;
    }
    const v = parseJson(out, 'state');
    if (!isRecord(v) || typeof v.status !== 'string') throw systemError(`runc state: unexpected output`);
    return { status: v.status, pid: typeof v.pid === 'number' ? v.pid : 0 };
  }

  /** Host pids of every process in the container. */
  async ps(id: string): Promise<number[]> {
    const v = parseJson(await this.#run(['ps', '--format', 'json', checkId(id)]), 'ps');
    if (v === null) return [];
    if (!Array.isArray(v) || !v.every((p) => Number.isInteger(p))) throw systemError('runc ps: unexpected output');
    return v as number[];
  }

  /** `runc update --resources -`: new cgroup limits; runc leaves absent (or zero) fields as they are. */
  async update(id: string, resources: LinuxResourcesUpdate): Promise<void> {
    await this.#run(['update', '--resources', '-', checkId(id)], JSON.stringify(resources));
  }

  async list(): Promise<RuncContainer[]> {
    const v = parseJson(await this.#run(['list', '--format', 'json']), 'list');
    if (v === null) return [];
    if (!Array.isArray(v)) throw systemError('runc list: unexpected output');
    return v.filter(isRecord).map((c) => ({
      id: String(c.id),
      status: String(c.status),
      pid: typeof c.pid === 'number' ? c.pid : 0,
    }));
  }

  #run(args: string[], input?: string): Promise<string> {
    return runRuntime({ path: this.path, root: this.root }, args, { input });
  }
}

/** True for runc's "container does not exist" (and the like) errors. */
export function isRuncNotExist(err: unknown): boolean {
  return err instanceof BerthError && NOT_EXIST_RE.test(err.message);
}

/** runc's message from its stderr: the last error in --log-format json, else the last line. */
export function runcErrorMessage(stderr: string): string {
  let last = '';
  let lastLine = '';
  for (const line of stderr.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    lastLine = t;
    try {
      const v: unknown = JSON.parse(t);
      if (isRecord(v) && (v.level === 'error' || v.level === 'fatal') && typeof v.msg === 'string') last = v.msg;
    } catch {
      // not a json log line
    }
  }
  return last || lastLine;
}

function checkId(id: string): string {
  if (!ID_RE.test(id) || id.startsWith('-')) throw invalidParameter(`invalid container id: ${JSON.stringify(id)}`);
  return id;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw systemError(`runc ${what}: unexpected output`, err);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
