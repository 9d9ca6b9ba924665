// Fans one process's output (from its shim's attach socket) out to any number of attached
// clients, and feeds their stdin to it. Clients may attach before the process starts.
import type { EventEmitter } from 'node:events';

/** The daemon side of a shim's stdio (src/runtime ShimStdio): 'close' once the process is done. */
export interface ShimStdio extends EventEmitter {
  writeStdin(data: Buffer): void;
  closeStdin(): void;
  resize(rows: number, cols: number): void;
  close(): void;
}

export interface StdioClient {
  wantStdout: boolean;
  wantStderr: boolean;
  write(stream: 1 | 2, data: Buffer): void;
  /** The process ended (or the hub closed): finish the client's stream. */
  end(): void;
}

export class StdioHub {
  private shim: ShimStdio | undefined;
  private readonly clients = new Set<StdioClient>();
  private closed = false;
  /** The shim closed the connection (the process is gone); waiters may come later. */
  private shimClosed = false;
  private pendingResize: [number, number] | undefined;
  private readonly endWaiters: Array<() => void> = [];
  /** Stdin that arrived before the process started (the CLI attaches, then starts). */
  private pendingStdin: Buffer[] = [];
  private pendingCloseStdin = false;

  /** Connects the running process; clients attached so far start receiving its output. */
  connect(shim: ShimStdio): void {
    this.shim = shim;
    this.closed = false;
    this.shimClosed = false;
    shim.on('stdout', (d: Buffer) => this.broadcast(1, d));
    shim.on('stderr', (d: Buffer) => this.broadcast(2, d));
    shim.once('close', () => {
      this.shimClosed = true;
      for (const w of this.endWaiters.splice(0)) w();
    });
    if (this.pendingResize) shim.resize(...this.pendingResize);
    for (const chunk of this.pendingStdin.splice(0)) shim.writeStdin(chunk);
    if (this.pendingCloseStdin) shim.closeStdin();
    this.pendingCloseStdin = false;
  }

  get connected(): boolean {
    return this.shim !== undefined && !this.closed;
  }

  add(client: StdioClient): () => void {
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  writeStdin(data: Buffer): void {
    if (!data.length) return;
    if (this.connected) this.shim!.writeStdin(data);
    else this.pendingStdin.push(data);
  }

  closeStdin(): void {
    if (this.connected) this.shim!.closeStdin();
    else this.pendingCloseStdin = true;
  }

  resize(rows: number, cols: number): void {
    this.pendingResize = [rows, cols];
    this.shim?.resize(rows, cols);
  }

  /**
   * Resolves when the shim closed the connection: the process exited and all its output has
   * been delivered. The caller records the exit, then calls finish() to end the clients.
   */
  waitShimClosed(): Promise<void> {
    if (!this.connected || this.shimClosed) return Promise.resolve();
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  private broadcast(stream: 1 | 2, data: Buffer): void {
    for (const c of this.clients) {
      if ((stream === 1 && c.wantStdout) || (stream === 2 && c.wantStderr)) c.write(stream, data);
    }
  }

  /** The process is gone: every attached client's stream ends. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.shim?.close();
    this.shim = undefined;
    for (const c of [...this.clients]) c.end();
    this.clients.clear();
  }
}
