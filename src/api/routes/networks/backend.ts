// What the network routes need from the daemon: one method per route.
import type { Filters } from '../../request.ts';

export interface NetworksBackend {
  list(filters: Filters): Promise<unknown[]>;
  inspect(idOrName: string, opts: { verbose: boolean; scope: string }): Promise<unknown>;
  create(body: Record<string, unknown>): Promise<{ Id: string; Warning: string }>;
  remove(idOrName: string): Promise<void>;
  connect(idOrName: string, body: Record<string, unknown>): Promise<void>;
  disconnect(idOrName: string, body: Record<string, unknown>): Promise<void>;
  prune(filters: Filters): Promise<{ NetworksDeleted: string[] | null }>;
}

export const NETWORK_LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;
export const NETWORK_PRUNE_FILTERS = ['until', 'label', 'label!'] as const;
