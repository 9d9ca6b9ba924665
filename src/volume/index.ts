// The volume box: named and anonymous volumes of the local driver, their metadata, references
// and mounts (DESIGN.md data root: volumes/<name>/_data). The contract is types.ts (VolumeStore);
// openVolumeStore opens the local driver's store on a data root.
export type { VolumeStore } from './types.ts';
export { openVolumeStore } from './local-store.ts';
export { copyUp } from './copy-up.ts';
