// Engine API shapes for containers (swagger ContainerSummary, ContainerInspectResponse,
// ExecInspectResponse, and the container rows of /system/df) as dockerd 28 produces them,
// gated by API version. The daemon hands over its records in the shapes declared here; only
// api/ knows the wire.
import { toHostConfigWire } from './host-config.ts';
import type { DeepReadonly } from '../../common/index.ts';
import type {
  ExecConfig,
  ContainerConfig, ContainerInspectResponse, ContainerState, ContainerSummary, DriverData, EndpointSettings, ExecInspectResponse,
  HostConfig, MountPoint, Port, PortMap,
} from '../types/engine-api.generated.ts';
import { API_VERSION, hasFeature } from '../version.ts';
import { statusText, type ContainerStatus } from './container-status.ts';

/** A container as the daemon keeps it (its config.v2.json record fits). */
export interface ContainerRecordView {
  ID: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  Path: string;
  Args: string[];
  /** The image ID (sha256:...). */
  Image: string;
  /** With the leading `/`. */
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  State: NonNullable<ContainerState> & { Status: ContainerStatus; Running: boolean; StartedAt: string; FinishedAt: string; ExitCode: number };
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  /** False until the first start: dockerd's file paths are empty until then. */
  HasBeenStartedBefore?: boolean;
  Config: ContainerConfig;
  /** The container's mounts keyed by destination (moby's MountPoints); absent in records from before volumes. */
  MountPoints?: Record<string, MountPointRecord>;
}

/** One mount as the daemon records it (moby volume/mounts.MountPoint: Mode is stored as Relabel). */
export interface MountPointRecord {
  Type: string;
  Name: string;
  Source: string;
  Destination: string;
  Driver: string;
  Relabel: string;
  RW: boolean;
  Propagation: string;
}

/**
 * Inspect's and the list's Mounts (moby types.MountPoint: Name and Driver are omitted when
 * empty), in destination order.
 */
function mountsOf(r: Entry<ContainerRecordView>): Wire<MountPoint[]> {
  return Object.values(r.MountPoints ?? {})
    .sort((a, b) => (a.Destination < b.Destination ? -1 : a.Destination > b.Destination ? 1 : 0))
    .map((m) => ({
      Type: m.Type,
      ...(m.Name ? { Name: m.Name } : {}),
      Source: m.Source,
      Destination: m.Destination,
      ...(m.Driver ? { Driver: m.Driver } : {}),
      Mode: m.Relabel,
      RW: m.RW,
      Propagation: m.Propagation,
    }));
}

/** The writable layer's size, and it plus the image's. */
export interface ContainerSizes {
  rw: number;
  rootFs: number;
}

/** One container for GET /containers/json. */
export interface ContainerListEntry {
  record: ContainerRecordView;
  /** Every name, link names ("/parent/alias") included; the record's name when absent. */
  names?: string[];
  hostConfig: Pick<HostConfig, 'NetworkMode'>;
  ports: Port[];
  /** Keyed by network name. */
  networks: Record<string, EndpointSettings>;
  size?: ContainerSizes;
}

/** One container for GET /containers/{id}/json. */
export interface ContainerInspectEntry {
  record: ContainerRecordView;
  hostConfig: HostConfig;
  execIds: string[];
  graphDriver: DriverData;
  sandboxId: string;
  sandboxKey: string;
  /** NetworkSettings.Ports; absent while the container does not run. */
  ports?: PortMap;
  /** Keyed by network name. */
  networks: Record<string, EndpointSettings>;
  size?: ContainerSizes;
}

/** One exec instance for GET /exec/{id}/json. */
export interface ExecEntry {
  id: string;
  containerId: string;
  running: boolean;
  exitCode: number | null;
  pid: number;
  canRemove: boolean;
  config: Pick<ExecConfig, 'Cmd' | 'User' | 'Tty' | 'Privileged' | 'AttachStdin' | 'AttachStdout' | 'AttachStderr' | 'DetachKeys'>;
}

type Entry<T> = DeepReadonly<T>;
/** What a shape returns: serialised at once, never changed. */
type Wire<T> = DeepReadonly<T>;

const createdSeconds = (rec: Entry<ContainerRecordView>) => Math.floor(Date.parse(rec.Created) / 1000);

/** The Command column: the args quoted where they hold a space, as dockerd's list shows them. */
function commandString(path: string, args: readonly string[]): string {
  if (!args.length) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

export function toContainerSummary(entry: Entry<ContainerListEntry>, nowNs: bigint): Wire<ContainerSummary> {
  const { record: r } = entry;
  const summary: Wire<ContainerSummary> = {
    Id: r.ID,
    Names: entry.names?.length ? entry.names : [r.Name],
    Image: r.Config.Image,
    ImageID: r.Image,
    Command: commandString(r.Path, r.Args),
    Created: createdSeconds(r),
    Ports: entry.ports,
    Labels: r.Config.Labels ?? {},
    State: r.State.Status,
    Status: statusText({ status: r.State.Status, startedAt: r.State.StartedAt, finishedAt: r.State.FinishedAt, exitCode: r.State.ExitCode, health: r.State.Health?.Status ?? undefined }, nowNs),
    HostConfig: { NetworkMode: entry.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: entry.networks },
    Mounts: mountsOf(r),
  };
  return entry.size ? { ...summary, SizeRw: entry.size.rw, SizeRootFs: entry.size.rootFs } : summary;
}

/** A /system/df container row: dockerd leaves out the ports and networks there, and shows the state as the status. */
export function toContainerDiskUsage(entry: Entry<{ record: ContainerRecordView; hostConfig: Pick<HostConfig, 'NetworkMode'>; sizeRw: number }>): Wire<ContainerSummary> {
  const { record: r } = entry;
  return {
    Id: r.ID, Names: [r.Name], Image: r.Config.Image, ImageID: r.Image,
    Command: [r.Path, ...r.Args].join(' '), Created: createdSeconds(r),
    Ports: [], SizeRw: entry.sizeRw, SizeRootFs: 0, Labels: r.Config.Labels ?? {},
    State: r.State.Status, Status: r.State.Status, HostConfig: { NetworkMode: entry.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: {} }, Mounts: mountsOf(r),
  };
}

/** Networks a user made (not the predefined ones): those whose Aliases older clients see extended. */
function isUserDefined(network: string): boolean {
  return !['bridge', 'host', 'none', 'default'].includes(network) && !network.startsWith('container:');
}

/**
 * Before API 1.45 dockerd added the short ID and the hostname to the Aliases of every
 * user-defined network (moby router/container/inspect.go).
 */
function inspectNetworks(entry: Entry<ContainerInspectEntry>, version: string): Wire<Record<string, EndpointSettings>> {
  if (hasFeature(version, 'inspectAliasesWithoutShortId')) return entry.networks;
  const extra = [entry.record.ID.slice(0, 12), entry.record.Config.Hostname ?? ''];
  return Object.fromEntries(Object.entries(entry.networks).map(([name, ep]) => [
    name, isUserDefined(name) ? { ...ep, Aliases: [...new Set([...(ep.Aliases ?? []), ...extra])] } : ep,
  ]));
}

export function toContainerInspect(entry: Entry<ContainerInspectEntry>, version: string = API_VERSION): Wire<ContainerInspectResponse> {
  const { record: r } = entry;
  const legacy = entry.networks.bridge;
  // dockerd makes hostname, hosts, resolv.conf and the log at the first start: '' before it.
  const path = (p: string) => (r.HasBeenStartedBefore === false ? '' : p);
  const out: Wire<ContainerInspectResponse> = {
    Id: r.ID,
    Created: r.Created,
    Path: r.Path,
    Args: r.Args,
    State: { ...r.State },
    Image: r.Image,
    ResolvConfPath: path(r.ResolvConfPath),
    HostnamePath: path(r.HostnamePath),
    HostsPath: path(r.HostsPath),
    LogPath: path(r.LogPath),
    Name: r.Name,
    RestartCount: r.RestartCount,
    Driver: r.Driver,
    Platform: r.Platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: entry.execIds.length ? entry.execIds : null,
    HostConfig: toHostConfigWire(entry.hostConfig),
    GraphDriver: entry.graphDriver,
    Mounts: mountsOf(r),
    Config: r.Config,
    // The per-network endpoints, plus the legacy top-level fields of the default bridge.
    NetworkSettings: {
      Bridge: '', SandboxID: entry.sandboxId, SandboxKey: entry.sandboxKey, Ports: entry.ports ?? {},
      HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: legacy?.EndpointID ?? '', Gateway: legacy?.Gateway ?? '', GlobalIPv6Address: legacy?.GlobalIPv6Address ?? '', GlobalIPv6PrefixLen: legacy?.GlobalIPv6PrefixLen ?? 0,
      IPAddress: legacy?.IPAddress ?? '', IPPrefixLen: legacy?.IPPrefixLen ?? 0, IPv6Gateway: legacy?.IPv6Gateway ?? '', MacAddress: legacy?.MacAddress ?? '',
      Networks: inspectNetworks(entry, version),
    },
  };
  return entry.size ? { ...out, SizeRw: entry.size.rw, SizeRootFs: entry.size.rootFs } : out;
}

export function toExecInspect(e: Entry<ExecEntry>): Wire<ExecInspectResponse> {
  const cmd = e.config.Cmd ?? [];
  // moby's ExecInspect, field for field and in its order; ProcessConfig.user is omitempty.
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: {
      tty: Boolean(e.config.Tty), entrypoint: cmd[0] ?? '', arguments: cmd.slice(1), privileged: Boolean(e.config.Privileged),
      ...(e.config.User ? { user: e.config.User } : {}),
    },
    OpenStdin: Boolean(e.config.AttachStdin),
    OpenStderr: Boolean(e.config.AttachStderr),
    OpenStdout: Boolean(e.config.AttachStdout),
    CanRemove: e.canRemove,
    ContainerID: e.containerId,
    DetachKeys: e.config.DetachKeys ?? '',
    Pid: e.pid,
  };
}
