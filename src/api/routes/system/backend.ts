import type { SystemDataUsageResponse, SystemInfo, SystemVersion } from '../../types/engine-api.generated.ts';

export interface SystemBackend {
  version(): Promise<SystemVersion>;
  info(): Promise<SystemInfo>;
  df(types: string[]): Promise<SystemDataUsageResponse>;
  events(opts: { since?: bigint; until?: bigint; filters: Map<string, string[]>; signal: AbortSignal }): AsyncIterable<string>;
  eventFilterKeys: readonly string[];
}
