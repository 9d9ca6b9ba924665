import type { Duplex } from 'node:stream';
import type { DeepReadonly } from '../../../common/index.ts';
import type { ExecEntry } from '../../shapes/containers.ts';
import type { ExecConfig, IDResponse } from '../../types/engine-api.generated.ts';

export interface ExecBackend {
  create(containerRef: string, body: ExecConfig): Promise<IDResponse>;
  /** The exec instance; the route turns it into ExecInspectResponse. */
  inspect(id: string): Promise<DeepReadonly<ExecEntry>>;
  /** Detached: starts and returns. Otherwise returns whether output is raw (tty) and the stream to serve. */
  start(id: string, opts: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }): Promise<{ tty: boolean; run?: (socket: Duplex) => Promise<void> }>;
  resize(id: string, height: number, width: number): Promise<void>;
}
