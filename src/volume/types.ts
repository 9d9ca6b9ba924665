// The volume box's contract (DESIGN.md: volume/ — the local driver and mounts). The daemon's
// container verbs and volume API backend use only this; the local driver implements it.

/** One volume as the store keeps it (the Engine API's Volume is built from this in api/shapes). */
export interface VolumeInfo {
  name: string;
  /** Always 'local' for now; other drivers are refused at create. */
  driver: string;
  /** Host path of the data: <data-root>/volumes/<name>/_data. */
  mountpoint: string;
  /** RFC 3339, second precision, as Docker shows it. */
  createdAt: string;
  labels: Record<string, string>;
  /** Driver options (type, device, o) as given at create. */
  options: Record<string, string>;
  /** Made for an image VOLUME or `-v /path` (label com.docker.volume.anonymous, as Docker 23+). */
  anonymous: boolean;
}

export interface VolumeCreateOptions {
  /** '' or undefined: a random 64-hex name (an anonymous volume). */
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  anonymous?: boolean;
  /** A container that references the volume from the moment it exists: set under the volume's lock, so no remove or prune slips in between. */
  refBy?: string;
}

export interface VolumeListFilters {
  name?: string[];
  /** "key" or "key=value". */
  label?: string[];
  driver?: string[];
  /** true: only volumes no container references. */
  dangling?: boolean;
}

export interface VolumeUsage {
  /** Bytes used under _data (-1 when not computed). */
  size: number;
  /** Containers that reference the volume. */
  refCount: number;
}

export interface VolumeStore {
  /**
   * Docker: creating an existing name returns the existing volume, whatever options were asked.
   * Publishes 'create' (through the store's onEvent) every time, for an existing volume too, as dockerd does.
   */
  create(opts: VolumeCreateOptions): Promise<VolumeInfo>;
  /** notFound(`get ${name}: no such volume`) when missing. */
  get(name: string): Promise<VolumeInfo>;
  list(filters?: VolumeListFilters): Promise<VolumeInfo[]>;
  /**
   * conflict(`remove ${name}: volume is in use - [ids]`) while referenced or mounted, even with
   * force (as Docker); force makes a missing volume no error. notFound(`get ${name}: no such volume`).
   */
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  /** Anonymous unreferenced volumes by default; all unreferenced with all=true; label filters. */
  prune(filters?: { all?: boolean; label?: string[]; labelNot?: string[] }): Promise<{ deleted: string[]; spaceReclaimed: number }>;
  usage(name: string): Promise<VolumeUsage>;
  /** The containers that reference the volume: in-memory, rebuilt by the daemon at start via ref(). */
  ref(name: string, containerId: string): void;
  unref(name: string, containerId: string): void;
  refs(name: string): string[];
  /**
   * Makes the volume's data available for a container and returns the host path to bind:
   * mounts the driver options (tmpfs, bind, nfs-style) on first use. Counted per container.
   */
  mount(name: string, containerId: string): Promise<string>;
  /** Undoes mount(); unmounts driver options when the last container lets go. Idempotent. */
  unmount(name: string, containerId: string): Promise<void>;
  /**
   * Start-up, once, before the API serves: `mountedBy` maps a volume name to the running
   * containers using it; each is ref()'d and counted as mounted (a driver mount still in place
   * is kept, a missing one is mounted again). Driver mounts nobody uses (left by a daemon that
   * died) are unmounted; half-made and half-removed volumes (volumes/.tmp-*, .rm-*) deleted.
   * Stopped containers' references are the daemon's to ref() (before or after).
   */
  reconcile(mountedBy: Map<string, string[]>): Promise<void>;
}
