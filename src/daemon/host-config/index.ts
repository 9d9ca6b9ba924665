// The Engine API's container settings on the daemon side: Docker's checks of a HostConfig,
// the image config merge, and the mapping to the runtime's spec input.
export type { ContainerConfig, HostConfig } from './types.ts';
export { validateHostConfig } from './validate.ts';
export { createWarnings } from './warnings.ts';
export {
  anonymousVolumePaths, containerMounts, parseVolumesFrom, toMountSpec, DEFAULT_PROPAGATION,
  type ContainerMount, type ResolvedMount,
} from './mounts.ts';
export { tmpfsDataOf } from './tmpfs-options.ts';
export { mergeImageConfig, commandOf } from './merge-image-config.ts';
export { generateContainerSpec } from './spec-input.ts';
