import type { Duplex } from 'node:stream';

export interface ExecBackend {
  create(containerRef: string, body: Record<string, unknown>): Promise<{ Id: string }>;
  inspect(id: string): Promise<unknown>;
  /** Detached: starts and returns. Otherwise returns whether output is raw (tty) and the stream to serve. */
  start(id: string, opts: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }): Promise<{ tty: boolean; run?: (socket: Duplex) => Promise<void> }>;
  resize(id: string, height: number, width: number): Promise<void>;
}
