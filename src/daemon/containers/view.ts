// What the other backends (API, networks, system, images, stats, DNS) may read of the
// containers: a read-only view. They change containers only through the verbs.
import type { DeepReadonly } from '../../common/index.ts';
import type { PortMap } from '../../api/index.ts';
import type { ContainerRecord, HostConfig } from './record.ts';
import type { EndpointSettings, NetworkSettingsRecord } from './networking.ts';
import type { ExecConfig } from './spec-inputs.ts';
import type { StdioHub } from './stdio-hub.ts';
import type { ContainerStore } from './store.ts';
import type { ExecStore } from './exec.ts';
import type { NetworkingBox } from './deps.ts';
import { inspectLinks } from './links.ts';

export type { DeepReadonly };

export interface ReadonlyContainer {
  /** The saved record, State included, as it is now. */
  readonly rec: DeepReadonly<ContainerRecord>;
  readonly hostConfig: DeepReadonly<HostConfig>;
  readonly execIds: ReadonlySet<string>;
  /** The process's stdio, for attach. */
  readonly hub: StdioHub;
}

export interface ReadonlyExec {
  readonly id: string;
  readonly containerId: string;
  readonly config: DeepReadonly<ExecConfig>;
  readonly running: boolean;
  readonly exitCode: number | null;
  readonly pid: number;
  readonly canRemove: boolean;
  /** The process's stdio, for exec start. */
  readonly hub: StdioHub;
}

export interface ContainerReader {
  /** Docker's lookup order and errors (`No such container: x`). */
  get(ref: string): ReadonlyContainer;
  find(ref: string): ReadonlyContainer | undefined;
  all(): ReadonlyContainer[];
  /** False once the container is removed. */
  exists(c: ReadonlyContainer): boolean;
  /** Per image ID: a container using it, a running one if any. */
  usedImages(): Map<string, { containerId: string; running: boolean }>;
  /** Containers with an endpoint on a network (running or configured). */
  endpointsOn(networkId: string): Array<{ c: ReadonlyContainer; ep: DeepReadonly<EndpointSettings> }>;
  /** NetworkSettings.Ports for inspect. */
  ports(c: ReadonlyContainer): PortMap;
  /** `No such exec instance: x` when missing. */
  getExec(id: string): ReadonlyExec;
  /** Every name of the container, its link names ("/parent/alias") included, sorted (the list's Names). */
  namesOf(c: ReadonlyContainer): string[];
  /** HostConfig.Links as inspect shows them: the links in force, "/child:/parent/alias". */
  linksOf(c: ReadonlyContainer): string[] | null;
}

const NO_SETTINGS: DeepReadonly<NetworkSettingsRecord> = { Networks: {}, PortMappings: [], SandboxID: '', SandboxKey: '', HostVeths: {}, Ifnames: {} };

/** A record's network settings, for reading (records from before networks have none). */
export function settingsOf(rec: DeepReadonly<ContainerRecord>): DeepReadonly<NetworkSettingsRecord> {
  return rec.NetworkSettings ?? NO_SETTINGS;
}

export function containerReader(store: ContainerStore, execs: ExecStore, networking: Pick<NetworkingBox, 'ports'>): ContainerReader {
  return {
    get: (ref) => store.get(ref),
    find: (ref) => store.find(ref),
    all: () => store.all(),
    exists: (c) => store.find(c.rec.ID) === c,
    usedImages: () => {
      const out = new Map<string, { containerId: string; running: boolean }>();
      for (const c of store.all()) {
        const prev = out.get(c.rec.Image);
        if (!prev || (!prev.running && c.state.running)) out.set(c.rec.Image, { containerId: c.rec.ID, running: c.state.running });
      }
      return out;
    },
    endpointsOn: (networkId) => {
      const out: Array<{ c: ReadonlyContainer; ep: DeepReadonly<EndpointSettings> }> = [];
      for (const c of store.all()) {
        for (const ep of Object.values(settingsOf(c.rec).Networks)) if (ep.NetworkID === networkId) out.push({ c, ep });
      }
      return out;
    },
    ports: (c) => networking.ports(c.rec as ContainerRecord),
    getExec: (id) => execs.get(id),
    namesOf: (c) => store.namesOf(c.rec.ID),
    linksOf: (c) => inspectLinks(store, c.rec),
  };
}
