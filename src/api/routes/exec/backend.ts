import type { Duplex } from 'node:stream';
import type { ExecConfig, ExecInspectResponse, IDResponse } from '../../types/engine-api.generated.ts';

export interface ExecBackend {
  create(containerRef: string, body: ExecConfig): Promise<IDResponse>;
  inspect(id: string): Promise<ExecInspectResponse>;
  /** Detached: starts and returns. Otherwise returns whether output is raw (tty) and the stream to serve. */
  start(id: string, opts: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }): Promise<{ tty: boolean; run?: (socket: Duplex) => Promise<void> }>;
  resize(id: string, height: number, width: number): Promise<void>;
}
