// The API version is data: parsed once per request, compared only here, through named gates.
import { compareApiVersions } from '../common/index.ts';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

/**
 * Behaviour that changed between API versions (the swagger's CHANGELOG), named for what it is;
 * each value is the first version that has it.
 */
export const API_FEATURES = {
  /** HostConfig.AutoRemove is the daemon's to do (before, the client removed the container and the daemon ignored it). */
  autoRemoveByDaemon: '1.25',
  /** A container's default IPC mode is the daemon's (`private`); older clients get `shareable`. */
  privateIpcDefault: '1.40',
  /** HostConfig.KernelMemory is ignored on create. */
  kernelMemoryIgnored: '1.42',
  /** POST /networks/prune exists. */
  networkPrune: '1.25',
  /** POST /volumes/prune exists. */
  volumePrune: '1.25',
  /** Websocket attach sends binary frames (text before). */
  webSocketBinaryFrames: '1.28',
  /** `/containers/{id}/wait` accepts `condition`. */
  waitCondition: '1.30',
  /** POST /containers/{id}/update takes PidsLimit. */
  updatePidsLimit: '1.40',
  /** Stats take `one-shot`. */
  statsOneShot: '1.41',
  /** Hijacked attach/exec streams and logs without a TTY say `application/vnd.docker.multiplexed-stream`. */
  multiplexedStreamContentType: '1.42',
  /** GET /system/df takes `type` (older clients get every kind, whatever they send). */
  diskUsageTypes: '1.42',
  /** Cluster volumes: PUT /volumes/{name}, ClusterVolumeSpec on create. */
  clusterVolumes: '1.42',
  /** POST /volumes/prune removes only anonymous volumes unless the `all` filter says otherwise. */
  pruneAnonymousVolumesOnly: '1.42',
  /** Untagged images list with empty RepoTags/RepoDigests instead of `<none>:<none>`. */
  imageListWithoutNonePlaceholders: '1.43',
  /** Image list and inspect no longer carry VirtualSize; inspect omits a zero Created. */
  imageWithoutVirtualSize: '1.44',
  /** Config.Healthcheck takes StartInterval (older requests' value is ignored, as dockerd does). */
  healthStartInterval: '1.44',
  /** The MAC address is per endpoint (EndpointSettings.MacAddress); Config.MacAddress is deprecated. */
  endpointMacAddress: '1.44',
  /** Endpoint settings carry DNSNames. */
  endpointDnsNames: '1.44',
  /** Container inspect no longer adds the short ID and hostname to user-defined networks' Aliases. */
  inspectAliasesWithoutShortId: '1.45',
  /** Image inspect no longer carries Container and ContainerConfig. */
  imageInspectWithoutContainerConfig: '1.45',
  /** POST /images/{name}/push takes `platform`. */
  pushPlatform: '1.46',
  /** Image inspect's Config leaves out the empty legacy container fields. */
  imageConfigWithoutLegacyFields: '1.50',
  /** POST /build sends the image ID as an `aux` message. */
  buildAux: '1.30',
  /** POST /build takes `platform`. */
  buildPlatform: '1.32',
  /** POST /build takes `outputs`. */
  buildOutputs: '1.40',
  /** POST /build/prune takes `reserved-space`, `max-used-space` and `min-free-space` (before, `keep-storage` only). */
  buildPruneSpaces: '1.48',
} as const;

export type ApiFeature = keyof typeof API_FEATURES;

/** Whether a client speaking `version` gets `feature`. */
export function hasFeature(version: string, feature: ApiFeature): boolean {
  return compareApiVersions(version, API_FEATURES[feature]) >= 0;
}

/** Outside MIN_API_VERSION..API_VERSION: the server refuses the request. */
export function versionTooNew(version: string): boolean {
  return compareApiVersions(version, API_VERSION) > 0;
}

export function versionTooOld(version: string): boolean {
  return compareApiVersions(version, MIN_API_VERSION) < 0;
}
