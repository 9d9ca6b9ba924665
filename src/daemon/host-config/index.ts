// The Engine API's container settings on the daemon side: Docker's checks of a HostConfig,
// the image config merge, and the mapping to the runtime's spec input.
export type { ContainerConfig, HostConfig } from './types.ts';
export { validateHostConfig } from './validate.ts';
export { createWarnings } from './warnings.ts';
export { anonymousVolumePaths } from './mounts.ts';
export { mergeImageConfig, commandOf } from './merge-image-config.ts';
export { generateContainerSpec, bindSourcesToCreate } from './spec-input.ts';
