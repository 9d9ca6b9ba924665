// The volume box: named and anonymous volumes of the local driver, their metadata, references
// and mounts (DESIGN.md data root: volumes/<name>/_data).
export type { VolumeInfo, VolumeCreateOptions, VolumeListFilters, VolumeUsage, VolumeStore } from './types.ts';
export { openVolumeStore, LOCAL_DRIVER, type VolumeStoreOptions, type VolumeEventAction } from './local-store.ts';
export { ANONYMOUS_LABEL } from './names.ts';
