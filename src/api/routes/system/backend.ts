export interface SystemBackend {
  version(): Promise<unknown>;
  info(): Promise<unknown>;
  df(types: string[]): Promise<unknown>;
  events(opts: { since?: bigint; until?: bigint; filters: Map<string, string[]>; signal: AbortSignal }): AsyncIterable<string>;
  eventFilterKeys: readonly string[];
}
