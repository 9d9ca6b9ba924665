// The compose box: docker compose v2's behaviour as a library over the Engine API. The CLI's
// `berth compose` commands (src/cli/commands/compose/) call it with the CLI's API client; it
// never touches the data root.
//
// Parts: loader/ (files -> Project), convert/ (Project -> Engine API bodies, labels, hashes),
// engine/ (orchestration: up, down, and the lifecycle verbs). See types.ts for the model.
export type * from './types.ts';
export { ComposeError } from './errors.ts';
export { LABEL, COMPOSE_VERSION } from './labels.ts';
export { listProjectContainers, containerName, type ContainerSummary, type ListOptions } from './containers.ts';
export { loadProject, type LoadOptions } from './loader/load.ts';
export { serializeProject } from './loader/serialize.ts';
export { serviceConfigHash } from './convert/hash.ts';
// The convert part's Engine API bodies (the engine part imports the files directly; tests and the
// CLI use them from here).
export { containerPlan, type ContainerPlan } from './convert/container.ts';
export { runContainerPlan } from './convert/run.ts';
export { networkCreateBody, volumeCreateBody, checkExistingNetwork, checkExistingVolume } from './convert/resources.ts';
export { injectionTar } from './convert/file-injections.ts';
