// The volume box: named and anonymous volumes of the local driver, their metadata, references
// and mounts (DESIGN.md data root: volumes/<name>/_data).
export type { VolumeInfo, VolumeCreateOptions, VolumeListFilters, VolumeUsage, VolumeStore } from './types.ts';
export { copyUp, type CopyUpResult } from './copy-up.ts';
