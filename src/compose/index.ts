// The compose box: docker compose v2's behaviour as a library over the Engine API. The CLI's
// `berth compose` commands (src/cli/commands/compose/) call it with the CLI's API client; it
// never touches the data root.
//
// Parts: loader/ (files -> Project), convert/ (Project -> Engine API bodies, labels, hashes),
// engine/ (orchestration: up, down, and the lifecycle verbs). See types.ts for the model.
export type * from './types.ts';
export { ComposeError } from './errors.ts';
export { LABEL, COMPOSE_VERSION } from './labels.ts';
export { listProjectContainers, containerName, type ContainerSummary } from './containers.ts';
export { loadProject, type LoadOptions } from './loader/load.ts';
export { serializeProject, serviceNames, volumeNames, imageNames, serviceHashes } from './loader/serialize.ts';
export { withServicesEnabled, allProfiles } from './loader/profiles.ts';
export { LogConsumer, WATCH_LOGGER } from './logs/log-consumer.ts';
export { containerDisplayName, streamContainerLogs } from './logs/container-logs.ts';
export { runContainerPlan, type RunOverrides } from './convert/run.ts';
export { networkCreateBody, volumeCreateBody } from './convert/resources.ts';
// engine/: the orchestration (cmp-engine).
export { Compose, type UpOptions } from './engine/compose.ts';
export type { BuildFn, EngineContext } from './engine/context.ts';
export type { ProjectRef } from './engine/stop.ts';
export { progressWriter, type ProgressWriter } from './engine/progress.ts';
// More of the convert part (cmp-convert): the container plan, the existing-resource checks, the
// archive of a secret/config file.
export { containerPlan, type ContainerPlan } from './convert/container.ts';
export { checkExistingNetwork, checkExistingVolume } from './convert/resources.ts';
export { injectionTar } from './convert/file-injections.ts';
export { watchProject, watchTriggers } from './watch/watch.ts';
