// What the volume routes need from the daemon: one method per route.
import type { Filters } from '../../request.ts';
import type { Volume, VolumeCreateOptions, VolumeListResponse, VolumePruneResponse } from '../../types/engine-api.generated.ts';

export interface VolumesBackend {
  list(filters: Filters): Promise<VolumeListResponse>;
  inspect(name: string): Promise<Volume>;
  create(body: VolumeCreateOptions): Promise<Volume>;
  /** force: a missing volume is no error (Docker's purge-on-error). */
  remove(name: string, opts: { force: boolean }): Promise<void>;
  prune(filters: Filters): Promise<VolumePruneResponse>;
}

/** moby volume/service acceptedListFilters and acceptedPruneFilters. */
export const VOLUME_LIST_FILTERS = ['dangling', 'name', 'driver', 'label'] as const;
export const VOLUME_PRUNE_FILTERS = ['label', 'label!', 'all'] as const;
