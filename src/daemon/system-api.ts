// /version, /info, /system/df and /events.
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import {
  type BuildCache, type ContainerListEntry, type SystemBackend, API_VERSION, MIN_API_VERSION, toContainerDiskUsage, toContainerSummary, toVolume,
} from '../api/index.ts';
import type { DeepReadonly } from '../common/index.ts';
import type { VolumeStore } from '../volume/index.ts';
import type { DaemonConfig } from './config.ts';
import type { ContainerReader } from './containers/index.ts';
import { encodeEvent, parseEventFilterKeys, type EventBus } from './events.ts';
import { formatRfc3339Nano, nowNs } from '../common/index.ts';
import { DEFAULT_POOLS, forwardingSettings } from '../network/index.ts';
import { cgroupV2Only } from '../runtime/index.ts';
import { INDEX_SERVER, type RegistryInfo } from '../distribution/index.ts';

export const BERTH_VERSION = '0.1.0';

export interface SystemApiDeps {
  config: () => DaemonConfig;
  containers: Pick<ContainerReader, 'all'>;
  events: EventBus;
  driverName: string;
  runtimeVersion: string;
  images: {
    count(): Promise<number>;
    dfImages(usage: Map<string, number>): Promise<{ images: unknown[]; layersSize: number }>;
  };
  rwSize(id: string): Promise<number>;
  daemonId: string;
  /** /system/df's containers as `docker ps -a -s` lists them (moby: daemon.Containers with Size). */
  listContainers?(): Promise<DeepReadonly<ContainerListEntry>[]>;
  /** /system/df's volumes: the local ones without driver options, with their usage (moby LocalVolumesSize). */
  volumes?: Pick<VolumeStore, 'list' | 'usage'>;
  /** /info RegistryConfig from the registry settings in force (IndexConfigs, CIDRs, Mirrors). */
  registryInfo?: () => RegistryInfo;
  /** /system/df's Build Cache rows (the builder's cache records and cache mounts). */
  buildCache?: () => Promise<BuildCache[]>;
}

export class SystemApi implements SystemBackend {
  private readonly deps: SystemApiDeps;
  readonly eventFilterKeys = parseEventFilterKeys;

  constructor(deps: SystemApiDeps) {
    this.deps = deps;
  }

  async version() {
    const kernel = os.release();
    return {
      Platform: { Name: 'berth' },
      Components: [
        { Name: 'Engine', Version: BERTH_VERSION, Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: kernel, NodeVersion: process.version } },
        { Name: 'runc', Version: this.deps.runtimeVersion, Details: {} },
      ],
      Version: BERTH_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: `node${process.versions.node}`,
      Os: 'linux',
      Arch: goArch(),
      KernelVersion: kernel,
      BuildTime: '',
    };
  }

  async info() {
    const cfg = this.deps.config();
    const all = this.deps.containers.all();
    const running = all.filter((c) => c.rec.State.Running && !c.rec.State.Paused).length;
    const paused = all.filter((c) => c.rec.State.Paused).length;
    const cgroupVersion = await cgroupV2Only() ? '2' : '1';
    const fwd = await forwardingSettings();
    return {
      ID: this.deps.daemonId,
      Containers: all.length,
      ContainersRunning: running,
      ContainersPaused: paused,
      ContainersStopped: all.length - running - paused,
      Images: await this.deps.images.count(),
      Driver: this.deps.driverName,
      DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'macvlan', 'null'], Authorization: null, Log: ['json-file', 'none'] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: fwd.ipv4Forwarding,
      BridgeNfIptables: fwd.bridgeNfIptables,
      BridgeNfIp6tables: fwd.bridgeNfIp6tables,
      DefaultAddressPools: (cfg.defaultAddressPools ?? DEFAULT_POOLS).map((p) => ({ Base: p.base, Size: p.size })),
      Debug: cfg.debug,
      NFd: 0,
      OomKillDisable: cgroupVersion === '1',
      NGoroutines: 0,
      SystemTime: formatRfc3339Nano(nowNs()),
      LoggingDriver: cfg.logDriver,
      CgroupDriver: 'cgroupfs',
      CgroupVersion: cgroupVersion,
      NEventsListener: 0,
      KernelVersion: os.release(),
      OperatingSystem: await osName(),
      OSVersion: '',
      OSType: 'linux',
      Architecture: os.machine(),
      IndexServerAddress: INDEX_SERVER,
      RegistryConfig: this.deps.registryInfo?.() ?? {
        InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
        IndexConfigs: {},
        Mirrors: cfg.registryMirrors,
      },
      NCPU: os.availableParallelism(),
      MemTotal: os.totalmem(),
      DockerRootDir: cfg.dataRoot,
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: os.hostname(),
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: BERTH_VERSION,
      Runtimes: Object.fromEntries(Object.entries(cfg.runtimes).map(([k, v]) => [k, { path: v.path }])),
      DefaultRuntime: cfg.defaultRuntime,
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: cfg.liveRestore,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '' },
      RuncCommit: { ID: this.deps.runtimeVersion },
      InitCommit: { ID: '' },
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'].slice(0, 1),
      Warnings: apiWarnings(cfg),
    };
  }

  async df(types: string[]) {
    const want = (t: string) => types.length === 0 || types.includes(t);
    const usage = new Map<string, number>();
    for (const c of this.deps.containers.all()) usage.set(c.rec.Image, (usage.get(c.rec.Image) ?? 0) + 1);
    const out: Record<string, unknown> = {};
    if (want('image')) {
      const { images, layersSize } = await this.deps.images.dfImages(usage);
      out.LayersSize = layersSize;
      out.Images = images;
    }
    if (want('container')) {
      if (this.deps.listContainers) {
        const now = nowNs();
        out.Containers = (await this.deps.listContainers()).map((e) => toContainerSummary(e, now));
      } else {
        out.Containers = await Promise.all(this.deps.containers.all().map(async (c) => toContainerDiskUsage({
          record: c.rec, hostConfig: c.hostConfig, sizeRw: await this.deps.rwSize(c.rec.ID).catch(() => 0),
        })));
      }
    }
    if (want('volume')) {
      const store = this.deps.volumes;
      const local = store ? (await store.list({ driver: ['local'] })).filter((v) => Object.keys(v.options).length === 0) : [];
      out.Volumes = await Promise.all(local.map(async (v) => toVolume(v, await store!.usage(v.name).catch(() => ({ size: -1, refCount: 0 })))));
    }
    if (want('build-cache')) out.BuildCache = this.deps.buildCache ? await this.deps.buildCache() : [];
    return out;
  }

  async *events(opts: { since?: bigint; until?: bigint; filters: Map<string, string[]>; signal: AbortSignal }): AsyncIterable<string> {
    for await (const ev of this.deps.events.subscribe(opts)) yield encodeEvent(ev);
  }
}

function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text)?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

/** dockerd's fillAPIInfo: each TCP listener without TLS, or without client verification, is a warning. */
function apiWarnings(cfg: DaemonConfig): string[] | null {
  const warn = `
         Access to the remote API is equivalent to root access on the host. Refer
         to the 'Docker daemon attack surface' section in the documentation for
         more information: https://docs.docker.com/go/attack-surface/`;
  const removal = 'In future versions this will be a hard failure preventing the daemon from starting! Learn more at: https://docs.docker.com/go/api-security/';
  const out: string[] = [];
  for (const host of cfg.hosts) {
    if (!host.startsWith('tcp://')) continue;
    const addr = host.slice('tcp://'.length);
    if (!cfg.tls.tls) out.push(`[DEPRECATION NOTICE]: API is accessible on http://${addr} without encryption.${warn}\n${removal}`);
    else if (!cfg.tls.verify) out.push(`[DEPRECATION NOTICE]: API is accessible on https://${addr} without TLS client verification.${warn}\n${removal}`);
  }
  return out.length ? out : null;
}
