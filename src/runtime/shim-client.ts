// The daemon's side of berth-shim (native/shim/berth-shim.c): start one, talk to its attach
// socket, learn how its process ended. A shim outlives the daemon that started it, so
// everything here also works from a later daemon that only knows the state dir.
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { openSync, closeSync } from 'node:fs';
import { readFile, readlink, realpath } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { basename, join } from 'node:path';
import { invalidParameter, isErrno, systemError, formatRfc3339Nano, nowNs } from '../common/index.ts';

export interface ShimStartOptions {
  shimPath: string;
  runtimePath: string;
  runtimeRoot?: string;
  id: string;
  stateDir: string;
  /** Container mode: `runtime create --bundle`; the caller runs `runtime start` afterwards. */
  bundle?: string;
  /** Exec mode: `runtime exec --detach --process FILE` (the process starts at once). */
  exec?: { processFile: string };
  tty: boolean;
  stdin: boolean;
  log?: LogTarget;
  /** Container mode: serve health.sock, running the healthcheck probe on request (shim-health.ts). */
  health?: boolean;
}

/** How the shim writes the container's log (native/shim/log-writer.c); absent: no log. */
export interface LogTarget {
  /** json-file when absent (the file drivers need `path`). */
  driver?: 'json-file' | 'local' | 'syslog';
  path?: string;
  maxSize?: number;
  maxFile?: number;
  /** Rotated files gzip-compressed (FILE.1.gz ...). */
  compress?: boolean;
  /** json-file: the `attrs` object, already encoded. */
  attrs?: string;
  /** syslog: the tag. */
  tag?: string;
  /** syslog: ADDRESS is "" (the local syslog), unix:PATH, unixgram:PATH, udp:IP:PORT or tcp:IP:PORT. */
  syslog?: { address: string; facility: number; format: string };
  /** A local-format copy for `docker logs` of a driver that cannot be read (dockerd's dual logging). */
  cache?: { path: string; maxSize: number; maxFile: number; compress: boolean };
}

export interface ShimStarted {
  pid: number;
  shimPid: number;
}

export interface ShimExit {
  exitCode: number;
  signal: number;
  exitedAt: string;
}

/** Frame types of the attach socket: 1 byte type, 4 bytes big-endian length, payload. */
const FRAME_STDIN = 0;
const FRAME_STDOUT = 1;
const FRAME_STDERR = 2;
const FRAME_CLOSE_STDIN = 3;
const FRAME_RESIZE = 4;

const SHIM_NAME = 'berth-shim';
const HANDSHAKE_MAX = 64 * 1024;
const STDIN_FRAME_MAX = 64 * 1024;
const SUN_PATH_MAX = 107; // sockaddr_un.sun_path minus the NUL

/** The shim's command line (exported for tests and for logging what was run). */
export function shimArgs(o: ShimStartOptions): string[] {
  if ((o.bundle === undefined) === (o.exec === undefined)) {
    throw invalidParameter('exactly one of bundle or exec must be given');
  }
  const args = ['--id', o.id, '--state-dir', o.stateDir, '--runtime', o.runtimePath];
  if (o.runtimeRoot !== undefined) args.push('--runtime-root', o.runtimeRoot);
  if (o.bundle !== undefined) args.push('--bundle', o.bundle);
  // An exec runs before anyone can attach: the shim holds its output for the first client.
  else if (o.exec !== undefined) args.push('--exec', '--process', o.exec.processFile, '--hold');
  if (o.tty) args.push('--tty');
  if (o.stdin) args.push('--stdin');
  if (o.health && o.bundle !== undefined) args.push('--health');
  if (o.log) {
    const l = o.log;
    args.push('--log-driver', l.driver ?? 'json-file');
    if (l.path !== undefined) args.push('--log-path', l.path);
    if (l.maxSize !== undefined) args.push('--log-max-size', String(Math.max(0, Math.trunc(l.maxSize))));
    if (l.maxFile !== undefined) args.push('--log-max-file', String(Math.max(1, Math.trunc(l.maxFile))));
    if (l.compress) args.push('--log-compress');
    if (l.attrs) args.push('--log-attrs', l.attrs);
    if (l.tag !== undefined) args.push('--log-tag', l.tag);
    if (l.syslog) {
      args.push('--log-syslog-address', l.syslog.address, '--log-syslog-facility', String(l.syslog.facility));
      args.push('--log-syslog-format', l.syslog.format);
    }
    if (l.cache) {
      args.push('--log-cache-path', l.cache.path, '--log-cache-max-size', String(Math.max(0, Math.trunc(l.cache.maxSize))));
      args.push('--log-cache-max-file', String(Math.max(1, Math.trunc(l.cache.maxFile))));
      if (!l.cache.compress) args.push('--log-cache-no-compress');
    }
  }
  return args;
}

/**
 * Starts a shim and waits for its verdict: the process exists (created, or started for an
 * exec) or the runtime's own error message, thrown as a systemError word for word.
 */
export async function startShim(o: ShimStartOptions): Promise<ShimStarted> {
  const args = shimArgs(o);
  const child = spawn(o.shimPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = Buffer.alloc(0);
  let err = Buffer.alloc(0);
  child.stdout.on('data', (b: Buffer) => {
    if (out.length < HANDSHAKE_MAX) out = Buffer.concat([out, b]);
  });
  child.stderr.on('data', (b: Buffer) => {
    if (err.length < HANDSHAKE_MAX) err = Buffer.concat([err, b]);
  });
  // 'close' comes once the original process has exited and the detached worker has
  // closed its copy of our pipe, i.e. after the verdict line.
  const status = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', (e) => reject(systemError(`starting ${SHIM_NAME}: ${e.message}`, e)));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const line = out.toString('utf8').split('\n', 1)[0].trim();
  let verdict: unknown;
  try {
    verdict = line ? JSON.parse(line) : undefined;
  } catch {
    verdict = undefined;
  }
  if (isRecord(verdict)) {
    if (typeof verdict.error === 'string') throw systemError(verdict.error);
    if (isPid(verdict.pid) && isPid(verdict.shimPid)) return { pid: verdict.pid, shimPid: verdict.shimPid };
  }
  const how = status.signal ? `was killed by ${status.signal}` : `exited with status ${status.code}`;
  const detail = err.toString('utf8').trim() || line;
  throw systemError(`${SHIM_NAME} ${how}${detail ? `: ${detail}` : ''}`);
}

/** The exit record the shim wrote, or undefined if there is none (yet). */
export async function readShimExit(stateDir: string): Promise<ShimExit | undefined> {
  let text: string;
  try {
    text = await readFile(join(stateDir, 'exit'), 'utf8');
  } catch (e) {
    if (isErrno(e, 'ENOENT')) return undefined;
    throw e;
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw systemError(`malformed exit file in ${stateDir}`, e);
  }
  if (
    !isRecord(v) ||
    !Number.isInteger(v.exitCode) ||
    !Number.isInteger(v.signal) ||
    typeof v.exitedAt !== 'string'
  ) {
    throw systemError(`malformed exit file in ${stateDir}`);
  }
  return { exitCode: v.exitCode as number, signal: v.signal as number, exitedAt: v.exitedAt };
}

/** The shim's pid if shim.pid names a live berth-shim that is serving this state dir. */
export async function shimPidIfAlive(stateDir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(join(stateDir, 'shim.pid'), 'utf8')).trim(), 10);
  } catch {
    return undefined;
  }
  if (!isPid(pid)) return undefined;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    if (basename(cmdline[0] ?? '') !== SHIM_NAME) return undefined;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return undefined;
    // The shim chdirs into its state dir before writing shim.pid: pid reuse by another
    // shim shows up as a different cwd.
    const [cwd, want] = await Promise.all([readlink(`/proc/${pid}/cwd`), realpath(stateDir)]);
    return cwd === want ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** shim.pid exists and that process is alive and is the berth-shim of this state dir. */
export async function isShimAlive(stateDir: string): Promise<boolean> {
  return (await shimPidIfAlive(stateDir)) !== undefined;
}

/** One connection to a shim's attach socket. Emits 'stdout' (Buffer), 'stderr' (Buffer), 'close'. */
export class ShimAttach extends EventEmitter {
  #sock: Socket;
  #pending: Buffer = Buffer.alloc(0);
  #closed = false;
  #ended = false;

  private constructor(sock: Socket) {
    super();
    this.#sock = sock;
    sock.on('data', (b: Buffer) => this.#onData(b));
    sock.on('error', () => {}); // a reset is just the end of the conversation: 'close' follows
    sock.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.emit('close');
    });
  }

  /** Connects to DIR/attach.sock; rejects if there is no socket or nobody listens. */
  static async connect(stateDir: string): Promise<ShimAttach> {
    return new ShimAttach(await connectSocket(stateDir, 'attach.sock'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  writeStdin(data: Buffer): void {
    for (let off = 0; off < data.length; off += STDIN_FRAME_MAX) {
      this.#send(FRAME_STDIN, data.subarray(off, Math.min(data.length, off + STDIN_FRAME_MAX)));
    }
  }

  /** EOF to the container's stdin (a pipe is closed; a tty gets its EOF character). */
  closeStdin(): void {
    this.#send(FRAME_CLOSE_STDIN, Buffer.alloc(0));
  }

  resize(rows: number, cols: number): void {
    const payload = Buffer.alloc(4);
    payload.writeUInt16BE(clampU16(rows), 0);
    payload.writeUInt16BE(clampU16(cols), 2);
    this.#send(FRAME_RESIZE, payload);
  }

  /** Sends what is queued, then closes; no more events except 'close'. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.removeAllListeners('stdout');
    this.removeAllListeners('stderr');
    this.#sock.end(() => this.#sock.destroy());
    // If the shim never reads (it is gone), end() may never complete.
    setTimeout(() => this.#sock.destroy(), 5000).unref();
  }

  #send(type: number, payload: Buffer): void {
    if (this.#ended || this.#closed) return;
    const hdr = Buffer.alloc(5);
    hdr.writeUInt8(type, 0);
    hdr.writeUInt32BE(payload.length, 1);
    this.#sock.write(payload.length ? Buffer.concat([hdr, payload]) : hdr);
  }

  #onData(b: Buffer): void {
    let buf = this.#pending.length ? Buffer.concat([this.#pending, b]) : b;
    while (buf.length >= 5) {
      const len = buf.readUInt32BE(1);
      if (buf.length < 5 + len) break;
      const type = buf[0];
      const payload = buf.subarray(5, 5 + len);
      buf = buf.subarray(5 + len);
      if (this.#ended) continue;
      if (type === FRAME_STDOUT) this.emit('stdout', payload);
      else if (type === FRAME_STDERR) this.emit('stderr', payload);
    }
    this.#pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

/**
 * Resolves with the exit once the shim has recorded it. The watch goes through the shim's
 * wait.sock, whose connections get no output and so are never dropped for being slow; a
 * closed connection is only believed once the exit record is there or the shim is gone, so a
 * live shim is never taken for an exited one. Works for a shim started by an earlier daemon
 * (one without wait.sock is polled). A shim gone without an exit record (killed) reports 255,
 * like a lost process.
 */
export async function waitShimExit(stateDir: string): Promise<ShimExit> {
  for (;;) {
    const exit = await readShimExit(stateDir).catch(() => undefined);
    if (exit) return exit;
    // Dead shim: read again, it may have written the record just before exiting.
    if (!(await isShimAlive(stateDir))) return exitOrLost(stateDir);
    let sock: Socket;
    try {
      sock = await connectSocket(stateDir, 'wait.sock');
    } catch {
      // No wait socket (an older shim, or it is just closing) or its backlog is full: poll.
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    await new Promise<void>((resolve) => {
      sock.on('error', () => {}); // a reset is a close too
      sock.once('close', () => resolve());
      sock.resume();
    });
  }
}

async function exitOrLost(stateDir: string): Promise<ShimExit> {
  const exit = await readShimExit(stateDir).catch(() => undefined);
  return exit ?? { exitCode: 255, signal: 0, exitedAt: formatRfc3339Nano(nowNs()) };
}

/** Connects to one of the shim's sockets in its state dir. */
export function connectSocket(stateDir: string, name: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const { path, release } = socketPath(stateDir, name);
    const sock = createConnection({ path });
    const fail = (e: Error) => {
      release();
      sock.destroy();
      reject(e);
    };
    sock.once('error', fail);
    sock.once('connect', () => {
      release();
      sock.off('error', fail);
      resolve(sock);
    });
  });
}

/**
 * A unix socket path short enough for sun_path: long state dirs are reached through
 * /proc/self/fd/N of an open directory fd, released once connected.
 */
function socketPath(dir: string, name: string): { path: string; release: () => void } {
  const full = join(dir, name);
  if (Buffer.byteLength(full) <= SUN_PATH_MAX) return { path: full, release: () => {} };
  let fd: number | undefined = openSync(dir, 'r');
  return {
    path: `/proc/self/fd/${fd}/${name}`,
    release: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

function clampU16(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.min(0xffff, Math.max(0, Math.trunc(n)));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPid(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}
