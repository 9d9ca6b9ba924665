// The parts of the Engine API's create request that shape a container's OCI spec: the
// request's Config (ContainerConfig), the image's config and the HostConfig. Wire names, as
// the API sends them; src/daemon/host-config/spec-input.ts maps them to the runtime's input.
import type { ContainerConfig as EngineContainerConfig, HostConfig as EngineHostConfig, ImageConfig as EngineImageConfig } from '../../api/index.ts';

/** The `config` of an image config JSON: the fields a container's process takes from it. */
export type ImageConfig = Pick<EngineImageConfig, 'Env' | 'Cmd' | 'Entrypoint' | 'WorkingDir' | 'User' | 'StopSignal'>;

/** The create request's `Config`, as the Engine API declares it. */
export type ContainerConfig = EngineContainerConfig;

/**
 * The create request's `HostConfig`, as the Engine API declares it; a container's
 * hostconfig.json keeps fields beyond the swagger as the client sent them.
 */
export type HostConfig = EngineHostConfig & Record<string, unknown>;

/** One element of a HostConfig list field. */
type ItemOf<T> = NonNullable<T> extends ReadonlyArray<infer U> ? NonNullable<U> : never;

export type Ulimit = ItemOf<HostConfig['Ulimits']>;
export type WeightDevice = ItemOf<HostConfig['BlkioWeightDevice']>;
export type ThrottleDevice = ItemOf<HostConfig['BlkioDeviceReadBps']>;
/** HostConfig.Mounts[] (`--mount`). */
export type EngineMount = ItemOf<HostConfig['Mounts']>;
/** HostConfig.Devices[] (`--device`). */
export type DeviceMapping = ItemOf<HostConfig['Devices']>;
