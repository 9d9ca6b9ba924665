// The daemon's side of a container shim's health.sock (native/shim/berth-shim-health.c): ask
// for one run of the healthcheck probe, get its result. The shim runs the probe (runc exec of
// <state-dir>/health.json), captures its first 4096 bytes of output, kills it at its timeout;
// the daemon keeps the schedule and the state machine (daemon/containers/health*.ts).
import { EventEmitter } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { connectSocket } from './shim-client.ts';

/** One probe run as the shim reports it. */
export interface ShimProbeResult {
  seq: number;
  /** RFC 3339 (UTC, nanoseconds). */
  start: string;
  end: string;
  /** The runtime could not start the probe: its message (no exit code then). */
  error?: string;
  exitCode?: number;
  timedOut?: boolean;
  /** More output than the shim keeps was written. */
  truncated?: boolean;
  output?: string;
}

const LINE_MAX = 64 * 1024;

/** The probe's OCI process, where the shim's `runc exec --process` reads it. */
export async function writeHealthProcess(stateDir: string, process: unknown): Promise<void> {
  // The exec root is ephemeral and the file is read by runc only: a plain write is enough.
  await writeFile(join(stateDir, 'health.json'), JSON.stringify(process), { mode: 0o600 });
}

/** Emits 'result' (ShimProbeResult) and 'close' (once). */
export class ShimHealth extends EventEmitter {
  readonly #sock: Socket;
  #pending = '';
  #closed = false;

  private constructor(sock: Socket) {
    super();
    this.#sock = sock;
    sock.setEncoding('utf8');
    sock.on('data', (s: string) => this.#onData(s));
    sock.on('error', () => {}); // 'close' follows
    sock.on('close', () => {
      if (this.#closed) return;
      this.#closed = true;
      this.emit('close');
    });
  }

  /** Connects to DIR/health.sock; rejects if the shim does not serve one. */
  static async connect(stateDir: string): Promise<ShimHealth> {
    return new ShimHealth(await connectSocket(stateDir, 'health.sock'));
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs the probe once (after any probe still running); its result carries `seq`. */
  run(seq: number, timeoutMs: number): void {
    if (this.#closed) return;
    this.#sock.write(`run ${Math.trunc(seq)} ${Math.max(1, Math.ceil(timeoutMs))}\n`);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.removeAllListeners('result');
    this.#sock.destroy();
    this.emit('close');
  }

  #onData(s: string): void {
    this.#pending += s;
    let nl: number;
    while ((nl = this.#pending.indexOf('\n')) !== -1) {
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      const r = parseResult(line);
      if (r) this.emit('result', r);
    }
    if (this.#pending.length > LINE_MAX) this.#pending = '';
  }
}

/** A result line, or undefined when it is not one (never throws). */
export function parseResult(line: string): ShimProbeResult | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || typeof o.start !== 'string' || typeof o.end !== 'string') return undefined;
  const r: ShimProbeResult = { seq: o.seq as number, start: o.start, end: o.end };
  if (typeof o.error === 'string') return { ...r, error: o.error };
  if (!Number.isInteger(o.exitCode) || typeof o.output !== 'string') return undefined;
  return { ...r, exitCode: o.exitCode as number, timedOut: o.timedOut === true, truncated: o.truncated === true, output: o.output };
}
