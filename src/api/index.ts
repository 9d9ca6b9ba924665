// The API box: the Engine API server, its route tables, and the backend interfaces that daemon/
// implements (with the types in their signatures). Other boxes import it only through this
// file; api/ never depends on daemon/.
export { ApiServer, type ListenerTls } from './server.ts';
export { API_VERSION, MIN_API_VERSION, hasFeature } from './version.ts';
export { containerRoutes } from './routes/containers/routes.ts';
export { execRoutes } from './routes/exec/routes.ts';
export { imageRoutes } from './routes/images/routes.ts';
export { distributionRoutes } from './routes/distribution/routes.ts';
export { networkRoutes } from './routes/networks/routes.ts';
export { pluginRoutes } from './routes/plugins/routes.ts';
export { systemRoutes } from './routes/system/routes.ts';
export { volumeRoutes } from './routes/volumes/routes.ts';
export { registryRoutes } from './routes/registry/routes.ts';
export { buildRoutes } from './routes/build/routes.ts';
export { unimplementedRoutes } from './routes/unimplemented.ts';
export type { AttachOptions, CommitQuery, ContainersBackend, LogOptions, StatsQuery } from './routes/containers/backend.ts';
export type { ExecBackend } from './routes/exec/backend.ts';
export type { BuildBackend, BuildPruneRequest, BuildRequest } from './routes/build/backend.ts';
export type { ImagesBackend } from './routes/images/backend.ts';
export type { DistributionBackend } from './routes/distribution/backend.ts';
export type { NetworksBackend } from './routes/networks/backend.ts';
export type { SystemBackend } from './routes/system/backend.ts';
export type { VolumesBackend } from './routes/volumes/backend.ts';
export type { PushRequest, RegistryBackend, RegistryCredentials, SearchResultItem } from './routes/registry/backend.ts';
export type { Filters } from './request.ts';
export type { JsonMessage } from './streams/json-stream.ts';
export type {
  BuildCache, ContainerConfig, HostConfig, ImageConfig, PortMap,
  ContainerCreateRequest, ContainerUpdateRequest, EndpointSettings, ExecConfig, Network, NetworkConnectRequest, NetworkCreateRequest,
  NetworkDisconnectRequest, Volume, VolumeCreateOptions, VolumeListResponse, VolumePruneResponse,
} from './types/engine-api.generated.ts';
export { toImageHistory, toImageInspect, toImageSummary } from './shapes/images.ts';
export { networkResource, type NetworkEndpointView } from './shapes/networks.ts';
export { toVolume } from './shapes/volumes.ts';
export { toContainerDiskUsage, toContainerSummary, type ContainerInspectEntry, type ContainerListEntry, type ContainerSizes } from './shapes/containers.ts';
