// The daemon's stdio connection to a shim, kept across drops. The shim drops any attach client
// that falls more than 1 MiB behind, the daemon included when it stalls (a burst of output, a
// paused or busy event loop); the container runs on, so the connection is made again and later
// attach clients still get its output. What was written while disconnected is in the log only.
import { EventEmitter } from 'node:events';
import { ShimAttach, isShimAlive, readShimExit } from './shim-client.ts';

const RETRY_MS = 100;

/**
 * Emits 'stdout' and 'stderr' (Buffer), and 'close' only once the process is done: its exit is
 * recorded or its shim is gone (or close() was called).
 */
export class ShimStdio extends EventEmitter {
  readonly #stateDir: string;
  #conn: ShimAttach | undefined;
  #ended = false;
  #closed = false;
  /** Kept while disconnected, replayed on the next connection. */
  #pendingStdin: Buffer[] = [];
  #stdinClosed = false;
  #size: [number, number] | undefined;
  /** How many times the shim dropped us (for tests and diagnostics). */
  reconnects = 0;

  private constructor(stateDir: string, conn: ShimAttach) {
    super();
    this.#stateDir = stateDir;
    this.#use(conn);
  }

  /** Connects to the shim of a state dir; rejects if nobody serves it. */
  static async open(stateDir: string): Promise<ShimStdio> {
    return new ShimStdio(stateDir, await ShimAttach.connect(stateDir));
  }

  writeStdin(data: Buffer): void {
    if (this.#ended || this.#stdinClosed) return;
    if (this.#conn) this.#conn.writeStdin(data);
    else this.#pendingStdin.push(data);
  }

  closeStdin(): void {
    if (this.#ended || this.#stdinClosed) return;
    this.#stdinClosed = true;
    this.#conn?.closeStdin();
  }

  resize(rows: number, cols: number): void {
    this.#size = [rows, cols];
    this.#conn?.resize(rows, cols);
  }

  /** Sends what is queued, then closes; no more output events, 'close' follows. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.removeAllListeners('stdout');
    this.removeAllListeners('stderr');
    if (this.#conn) this.#conn.close();
    else this.#finish();
  }

  #use(conn: ShimAttach): void {
    this.#conn = conn;
    conn.on('stdout', (d: Buffer) => this.emit('stdout', d));
    conn.on('stderr', (d: Buffer) => this.emit('stderr', d));
    conn.once('close', () => void this.#onClose());
  }

  async #onClose(): Promise<void> {
    this.#conn = undefined;
    for (;;) {
      if (this.#ended || (await this.#processDone())) return this.#finish();
      let conn: ShimAttach;
      try {
        conn = await ShimAttach.connect(this.#stateDir);
      } catch {
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      if (this.#ended) {
        conn.close();
        return this.#finish();
      }
      this.reconnects++;
      this.#use(conn);
      for (const chunk of this.#pendingStdin.splice(0)) conn.writeStdin(chunk);
      if (this.#stdinClosed) conn.closeStdin();
      if (this.#size) conn.resize(...this.#size);
      return;
    }
  }

  async #processDone(): Promise<boolean> {
    if ((await readShimExit(this.#stateDir).catch(() => undefined)) !== undefined) return true;
    return !(await isShimAlive(this.#stateDir));
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#pendingStdin = [];
    this.emit('close');
  }
}
