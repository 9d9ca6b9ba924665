// What the network routes need from the daemon: one method per route.
import type { Filters } from '../../request.ts';
import type {
  NetworkConnectRequest, NetworkCreateRequest, NetworkCreateResponse, NetworkDisconnectRequest, Network, NetworkPruneResponse,
} from '../../types/engine-api.generated.ts';

export interface NetworksBackend {
  list(filters: Filters): Promise<Network[]>;
  inspect(idOrName: string, opts: { verbose: boolean; scope: string }): Promise<Network>;
  create(body: NetworkCreateRequest): Promise<NetworkCreateResponse>;
  remove(idOrName: string): Promise<void>;
  connect(idOrName: string, body: NetworkConnectRequest): Promise<void>;
  disconnect(idOrName: string, body: NetworkDisconnectRequest): Promise<void>;
  prune(filters: Filters): Promise<NetworkPruneResponse>;
}

export const NETWORK_LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'] as const;
export const NETWORK_PRUNE_FILTERS = ['until', 'label', 'label!'] as const;
