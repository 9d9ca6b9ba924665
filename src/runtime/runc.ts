// A thin adapter over the runc binary (or any runtime with runc's command line). No shell:
// execFile with an argument vector. Errors carry runc's own message.
import { execFile } from 'node:child_process';
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

  /** Removes the container; deleting one that does not exist is a no-op. */
  async delete(id: string, force = false): Promise<void> {
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

  #run(args: string[]): Promise<string> {
    const argv = [...(this.root !== undefined ? ['--root', this.root] : []), '--log-format', 'json', ...args];
    return new Promise((resolve, reject) => {
      execFile(this.path, argv, { maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const msg = runcErrorMessage(stderr) || err.message;
        reject(systemError(msg, err));
      });
    });
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
