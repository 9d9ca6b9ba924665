// The container manager: one record per container, every state change saved atomically
// before it is reported, and the runtime driven through the runtime box.
import { mkdir, rm, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { conflict, invalidParameter, notFound, notModified, systemError, BerthError } from '../../common/errors.ts';
import { KeyedLock } from '../../common/keyed-lock.ts';
import { newId } from '../../common/ids.ts';
import { formatRfc3339Nano, nowNs } from '../../common/time.ts';
import type { Logger } from '../../api/server.ts';
import type { EventBus } from '../events.ts';
import { type ShimExit, cgroupOomKilled } from '../../runtime/index.ts';
import { commandOf } from '../host-config/index.ts';
import {
  containerDir, initialState, loadRecord, saveRecord, saveState,
  type ContainerConfig, type ContainerRecord, type HostConfig,
} from './record.ts';
import { StdioHub } from './stdio-hub.ts';
import { NameRegistry, generateName, validateContainerName } from './names.ts';
import { RestartManager, parseRestartPolicy } from './restart-policy.ts';
import { signalNumber } from './signals.ts';
import type { ContainerDeps } from './deps.ts';
import { prepareEtcFiles, buildSpecFor, type ExecConfig, buildExecProcess, type EtcNetwork } from './spec-inputs.ts';
import { NetworkStartError, ensureSettings, type ContainerNetworking, isContainerMode, type EndpointSettings, type RunningContainerLookup } from './networking.ts';
import type { NetworkRecord } from '../../network/index.ts';
import { updateContainer } from '../update.ts';

export interface Container {
  rec: ContainerRecord;
  hostConfig: HostConfig;
  hub: StdioHub;
  restart: RestartManager;
  /** Resolvers waiting for the next exit / removal. */
  exitWaiters: Array<(code: number) => void>;
  removeWaiters: Array<() => void>;
  execIds: Set<string>;
  /** True while a stop/kill from the API is in progress, so the exit is not treated as a crash. */
  stopping: boolean;
  restartTimer?: NodeJS.Timeout;
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  stateDir: string;
  hub: StdioHub;
  canRemove: boolean;
  started: boolean;
}

const DEFAULT_STOP_TIMEOUT = 10;

export class ContainerManager {
  private readonly deps: ContainerDeps;
  private readonly containers = new Map<string, Container>();
  private readonly execs = new Map<string, ExecInstance>();
  private readonly names = new NameRegistry();
  private readonly locks = new KeyedLock();
  private shuttingDown = false;

  constructor(deps: ContainerDeps) {
    this.deps = deps;
  }

  get networking(): ContainerNetworking {
    return this.deps.networking;
  }

  private get log(): Logger {
    return this.deps.log;
  }

  private get events(): EventBus {
    return this.deps.events;
  }

  // ---- lookup -------------------------------------------------------------------------

  /** Docker's order: full ID, exact name, then a unique ID prefix. */
  get(ref: string): Container {
    const c = this.find(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  }

  find(ref: string): Container | undefined {
    if (!ref) return undefined;
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const idByName = this.names.lookup(ref.startsWith('/') ? ref : `/${ref}`);
    if (idByName) return this.containers.get(idByName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.containers.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`Multiple IDs found with provided prefix: ${ref}`);
    return matches.length ? this.containers.get(matches[0]) : undefined;
  }

  all(): Container[] {
    return [...this.containers.values()];
  }

  usedImages(): Map<string, { containerId: string; running: boolean }> {
    const out = new Map<string, { containerId: string; running: boolean }>();
    for (const c of this.containers.values()) {
      const prev = out.get(c.rec.Image);
      if (!prev || (!prev.running && c.rec.State.Running)) out.set(c.rec.Image, { containerId: c.rec.ID, running: c.rec.State.Running });
    }
    return out;
  }

  private paths(id: string) {
    return {
      dir: containerDir(this.deps.dataRoot, id),
      stateDir: join(this.deps.execRoot, 'c', id),
      bundleDir: join(this.deps.execRoot, 'c', id, 'bundle'),
    };
  }

  private runtimeOf(c: Container): string {
    return (c.hostConfig.Runtime as string | undefined) || this.deps.defaultRuntime;
  }

  private publish(c: Container, action: string, extra: Record<string, string> = {}): void {
    const attrs: Record<string, string> = { ...(c.rec.Config.Labels ?? {}), image: c.rec.Config.Image, name: c.rec.Name.slice(1), ...extra };
    this.events.publish({ Type: 'container', Action: action, Actor: { ID: c.rec.ID, Attributes: attrs } });
  }

  // ---- create -------------------------------------------------------------------------

  async create(name: string | undefined, config: ContainerConfig, hostConfig: HostConfig, endpointsConfig?: Record<string, Partial<EndpointSettings>>): Promise<{ Id: string; Warnings: string[] }> {
    if (name) validateContainerName(name);
    if (!config.Image) throw invalidParameter('No command specified');
    const image = await this.deps.images.resolve(config.Image);
    this.deps.validateHostConfig(hostConfig, config);
    parseRestartPolicy(hostConfig.RestartPolicy ?? { Name: 'no' }, Boolean(hostConfig.AutoRemove));
    const runtime = (hostConfig.Runtime as string | undefined) || this.deps.defaultRuntime;
    if (!this.deps.runtime.runtimeNames().includes(runtime)) throw invalidParameter(`unknown or invalid runtime name: ${runtime}`);
    const [path, ...args] = commandOf(config as never);
    const warnings: string[] = [];
    const mode = hostConfig.NetworkMode || 'default';
    if (isContainerMode(mode)) {
      const other = this.get(mode.slice('container:'.length));
      hostConfig.NetworkMode = `container:${other.rec.ID}`;
    }
    if (mode === 'host' && hostConfig.PortBindings && Object.keys(hostConfig.PortBindings as object).length) {
      warnings.push('Published ports are discarded when using host network mode');
      hostConfig.PortBindings = {};
    }

    const id = newId();
    const fullName = name ? (name.startsWith('/') ? name : `/${name}`) : `/${generateName((n) => this.names.lookup(`/${n}`) !== undefined)}`;
    this.names.reserve(fullName, id);
    try {
      const createdNs = nowNs();
      const dir = containerDir(this.deps.dataRoot, id);
      const rec: ContainerRecord = {
        ID: id,
        Created: formatRfc3339Nano(createdNs),
        CreatedNs: createdNs.toString(),
        Path: path,
        Args: args,
        // Docker: a host-network container takes the host's name unless one is given.
        Config: { ...config, Hostname: config.Hostname || (hostConfig.NetworkMode === 'host' ? hostname() : id.slice(0, 12)), Labels: config.Labels ?? {} },
        Image: image.id,
        ImageChainId: image.chainId,
        Name: fullName,
        RestartCount: 0,
        Driver: this.deps.layers.driverName,
        Platform: 'linux',
        State: initialState(),
        HostnamePath: join(dir, 'hostname'),
        HostsPath: join(dir, 'hosts'),
        ResolvConfPath: join(dir, 'resolv.conf'),
        LogPath: join(dir, `${id}-json.log`),
        HasBeenStartedBefore: false,
        HasBeenManuallyStopped: false,
      };
      hostConfig.LogConfig ??= { Type: this.deps.logDriver, Config: { ...this.deps.logOpts } };
      if (!hostConfig.LogConfig.Type) hostConfig.LogConfig.Type = this.deps.logDriver;
      hostConfig.LogConfig.Config ??= {};
      if (!['json-file', 'none'].includes(hostConfig.LogConfig.Type)) {
        throw invalidParameter(`logger: no log driver named '${hostConfig.LogConfig.Type}' is registered`);
      }
      hostConfig.NetworkMode ||= 'default';
      // Docker's adaptContainerSettings: swap defaults to twice the memory, and inspect shows it.
      const memory = Number(hostConfig.Memory ?? 0);
      if (memory > 0 && !hostConfig.MemorySwap) hostConfig.MemorySwap = memory * 2;
      (rec as ContainerRecord & { NetworkSettings?: unknown }).NetworkSettings = this.deps.networking.initialSettings(hostConfig, endpointsConfig);
      await this.deps.layers.createRW(id, image.chainId);
      try {
        await mkdir(dir, { recursive: true, mode: 0o710 });
        await saveRecord(this.deps.dataRoot, rec, hostConfig);
      } catch (err) {
        await this.deps.layers.removeRW(id).catch(() => {});
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
      const c = this.adopt(rec, hostConfig);
      this.publish(c, 'create');
      return { Id: id, Warnings: warnings };
    } catch (err) {
      this.names.release(fullName);
      throw err;
    }
  }

  private adopt(rec: ContainerRecord, hostConfig: HostConfig): Container {
    const policy = parseRestartPolicy(hostConfig.RestartPolicy ?? { Name: 'no' }, Boolean(hostConfig.AutoRemove));
    const c: Container = {
      rec, hostConfig, hub: new StdioHub(), restart: new RestartManager(policy, rec.RestartCount),
      exitWaiters: [], removeWaiters: [], execIds: new Set(), stopping: false,
    };
    this.containers.set(rec.ID, c);
    if (!this.names.lookup(rec.Name)) this.names.reserve(rec.Name, rec.ID);
    return c;
  }

  // ---- networks -----------------------------------------------------------------------

  /** Docker's network connect / disconnect events when a container's endpoints come and go. */
  private publishNetwork(c: Container, action: 'connect' | 'disconnect'): void {
    for (const [name, ep] of Object.entries(ensureSettings(c.rec).Networks)) {
      if (!ep.EndpointID) continue;
      const type = this.deps.networking.controller.find(ep.NetworkID)?.Driver ?? 'bridge';
      this.events.publish({ Type: 'network', Action: action, Actor: { ID: ep.NetworkID, Attributes: { container: c.rec.ID, name, type } } });
    }
  }

  /** What the networking side needs to know about other containers. */
  private readonly lookup: RunningContainerLookup = {
    netnsPidOf: (ref) => {
      const other = this.find(ref);
      if (!other) throw notFound(`No such container: ${ref}`);
      if (!other.rec.State.Running || other.rec.State.Restarting) throw conflict(`cannot join network namespace of a non running container: ${other.rec.ID}`);
      return { id: other.rec.ID, pid: other.rec.State.Pid };
    },
    addressesOf: (ref, networkName) => this.find(ref) && ensureSettings(this.find(ref)!.rec).Networks[networkName]?.IPAddress,
  };

  /** The container's addresses, links and DNS server for its /etc files. */
  private etcNetwork(c: Container): EtcNetwork {
    const s = ensureSettings(c.rec);
    const ips = Object.values(s.Networks).map((ep) => ep.IPAddress).filter(Boolean);
    const links: Array<[string, string]> = [];
    for (const link of (c.hostConfig.Links as string[] | null | undefined) ?? []) {
      const [target, alias] = parseLink(link);
      const other = this.find(target);
      const ip = other && this.lookup.addressesOf(other.rec.ID, 'bridge');
      if (!other || !ip) continue;
      const names = [alias, other.rec.Name.slice(1), other.rec.Config.Hostname].filter((n, i, a) => n && a.indexOf(n) === i);
      links.push([ip, names.join(' ')]);
    }
    const userNet = Object.entries(s.Networks).find(([name, ep]) => ep.IPAddress && !['bridge'].includes(name) && this.deps.networking.controller.find(ep.NetworkID)?.Driver === 'bridge');
    return { ips, links, dnsServer: userNet && this.deps.dnsFor ? this.deps.dnsFor(userNet[1].NetworkID) : undefined };
  }

  /** Containers with an endpoint on a network (running or configured). */
  endpointsOn(networkId: string): Array<{ c: Container; ep: EndpointSettings }> {
    const out: Array<{ c: Container; ep: EndpointSettings }> = [];
    for (const c of this.containers.values()) {
      for (const ep of Object.values(ensureSettings(c.rec).Networks)) if (ep.NetworkID === networkId) out.push({ c, ep });
    }
    return out;
  }

  async connect(ref: string, net: NetworkRecord, cfg: Partial<EndpointSettings> | undefined): Promise<Container> {
    const c = this.get(ref);
    await this.locks.run(c.rec.ID, async () => {
      const mode = c.hostConfig.NetworkMode || 'default';
      if (mode === 'host' || mode === 'none' || isContainerMode(mode)) {
        throw new BerthError('Forbidden', `container sharing network namespace with another container or host cannot be connected to any other network`);
      }
      if (c.rec.State.Paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before connecting`);
      await this.deps.networking.connect(c.rec, net, cfg, c.rec.State.Running ? c.rec.State.Pid : undefined);
      await saveState(this.deps.dataRoot, c.rec);
    });
    return c;
  }

  async disconnect(ref: string, net: NetworkRecord, force: boolean): Promise<Container> {
    const c = force ? this.find(ref) : this.get(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    await this.locks.run(c.rec.ID, async () => {
      const mode = c.hostConfig.NetworkMode || 'default';
      if (mode === 'host' || isContainerMode(mode)) throw new BerthError('Forbidden', 'container cannot be disconnected from host network or connected to host network');
      await this.deps.networking.disconnect(c.rec, net, c.rec.State.Running ? c.rec.State.Pid : undefined);
      await saveState(this.deps.dataRoot, c.rec);
    });
    return c;
  }

  // ---- start --------------------------------------------------------------------------

  async start(ref: string): Promise<void> {
    const c = this.get(ref);
    await this.locks.run(c.rec.ID, async () => {
      if (c.rec.State.Paused) throw conflict('cannot start a paused container, try unpause instead');
      if (c.rec.State.Running) throw notModified('container already started');
      if (c.rec.State.Status === 'removing') throw conflict(`container is marked for removal and cannot be started`);
      if (c.rec.State.Dead) throw conflict(`container is marked for removal and cannot be started`);
      c.rec.HasBeenManuallyStopped = false;
      try {
        await this.startLocked(c);
      } catch (err) {
        // Docker removes an AutoRemove container whose start failed (the CLI waits for it).
        if (c.hostConfig.AutoRemove) await this.removeLocked(c, { force: true, volumes: true }).catch(() => {});
        throw err;
      }
    });
  }

  private async startLocked(c: Container): Promise<void> {
    const { stateDir, bundleDir } = this.paths(c.rec.ID);
    const runtime = this.runtimeOf(c);
    let created = false;
    let networked = false;
    const net = this.deps.networking;
    try {
      const asNetworkError = (e: unknown) => (e instanceof BerthError ? new NetworkStartError(e) : e);
      let netns;
      try {
        netns = net.netnsFor(c.hostConfig, this.lookup);
      } catch (e) {
        throw asNetworkError(e);
      }
      const rootfs = await this.deps.layers.mountRW(c.rec.ID);
      networked = true;
      await net.prepare(c.rec, c.hostConfig).catch((e) => {
        throw asNetworkError(e);
      });
      await prepareEtcFiles(c.rec, c.hostConfig, this.deps, this.etcNetwork(c));
      const spec = await buildSpecFor(c.rec, c.hostConfig, rootfs, this.deps, netns);
      const logConf = c.hostConfig.LogConfig!;
      const log = logConf.Type === 'json-file' ? { path: c.rec.LogPath, ...logLimits(logConf.Config) } : undefined;
      await this.deps.runtime.delete(c.rec.ID, runtime).catch(() => {});
      const { pid } = await this.deps.runtime.create(c.rec.ID, bundleDir, spec, {
        runtime, stateDir, tty: Boolean(c.rec.Config.Tty), stdin: Boolean(c.rec.Config.OpenStdin), log,
      });
      created = true;
      const netStart = performance.now();
      // The interfaces are plumbed while the stdio connection to the shim is made.
      // Both settle before going on, so a failure is cleaned up with the stdio already on the hub.
      const [plumbed, attached] = await Promise.allSettled([
        net.attach(c.rec, pid).then(() => this.log.debug('network attached', { id: c.rec.ID, ms: Math.round((performance.now() - netStart) * 10) / 10 })),
        this.deps.runtime.attach(stateDir).then((stdio) => c.hub.connect(stdio)),
      ]);
      if (attached.status === 'rejected') throw attached.reason;
      if (plumbed.status === 'rejected') {
        throw new NetworkStartError(systemError(`failed to set up container networking: ${(plumbed.reason as Error).message}`));
      }
      this.publishNetwork(c, 'connect');
      await this.deps.runtime.start(c.rec.ID, runtime);
      const s = c.rec.State;
      Object.assign(s, {
        Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
        Pid: pid, ExitCode: 0, Error: '', StartedAt: formatRfc3339Nano(nowNs()),
      });
      c.rec.HasBeenStartedBefore = true;
      await saveState(this.deps.dataRoot, c.rec);
      this.publish(c, 'start');
      void this.watchExit(c);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (created) await this.deps.runtime.delete(c.rec.ID, runtime).catch(() => {});
      if (networked) await net.detach(c.rec).catch(() => {});
      c.hub.finish();
      await this.deps.layers.unmountRW(c.rec.ID).catch(() => {});
      const { code, error } = err instanceof NetworkStartError ? { code: 128, error: err.cause } : translateStartError(message);
      Object.assign(c.rec.State, { Status: c.rec.HasBeenStartedBefore ? 'exited' : 'created', Running: false, Pid: 0, ExitCode: code, Error: message });
      if (code !== 0) {
        c.rec.State.Status = 'exited';
        c.rec.State.FinishedAt = formatRfc3339Nano(nowNs());
      }
      if (err instanceof NetworkStartError && !c.rec.HasBeenStartedBefore) c.rec.State.Status = 'created';
      await saveState(this.deps.dataRoot, c.rec).catch(() => {});
      if (err instanceof BerthError && err.kind !== 'System') throw err;
      throw error;
    }
  }

  /** Waits for the running init process to end, then records the exit. */
  private async watchExit(c: Container): Promise<void> {
    await c.hub.waitShimClosed();
    const { stateDir } = this.paths(c.rec.ID);
    const exit = (await this.deps.runtime.readExit(stateDir)) ?? { exitCode: 255, signal: 0, exitedAt: formatRfc3339Nano(nowNs()) };
    await this.locks.run(c.rec.ID, () => this.handleExit(c, exit));
  }

  private async handleExit(c: Container, exit: ShimExit): Promise<void> {
    const runtime = this.runtimeOf(c);
    const oom = exit.exitCode === 137 && (await cgroupOomKilled(`${this.deps.cgroupParent}/${c.rec.ID}`));
    await this.deps.runtime.delete(c.rec.ID, runtime).catch((err) => this.log.warn('runtime delete failed', { id: c.rec.ID, err: String(err) }));
    await this.deps.layers.unmountRW(c.rec.ID).catch((err) => this.log.warn('unmount failed', { id: c.rec.ID, err: String(err) }));
    this.publishNetwork(c, 'disconnect');
    await this.deps.networking.detach(c.rec).catch((err) => this.log.warn('network teardown failed', { id: c.rec.ID, err: String(err) }));
    const startedMs = Date.parse(c.rec.State.StartedAt);
    Object.assign(c.rec.State, {
      Status: 'exited', Running: false, Paused: false, Restarting: false, Pid: 0,
      ExitCode: exit.exitCode, OOMKilled: oom, FinishedAt: exit.exitedAt || formatRfc3339Nano(nowNs()),
    });
    await rm(this.paths(c.rec.ID).stateDir, { recursive: true, force: true });
    if (oom) this.publish(c, 'oom');
    this.publish(c, 'die', { exitCode: String(exit.exitCode) });
    c.hub.finish();
    for (const w of c.exitWaiters.splice(0)) w(exit.exitCode);
    // Execs die with their container.
    for (const execId of c.execIds) {
      const e = this.execs.get(execId);
      if (e?.running) e.hub.finish();
    }

    const decision = this.shuttingDown || c.stopping
      ? { restart: false, delayMs: 0 }
      : c.restart.shouldRestart(exit.exitCode, c.rec.HasBeenManuallyStopped, Date.now() - startedMs);
    if (decision.restart) {
      c.rec.State.Restarting = true;
      c.rec.State.Status = 'restarting';
      await saveState(this.deps.dataRoot, c.rec);
      c.restartTimer = setTimeout(() => void this.restartAfterBackoff(c), decision.delayMs);
      return;
    }
    await saveState(this.deps.dataRoot, c.rec);
    if (c.hostConfig.AutoRemove) {
      await this.removeLocked(c, { force: true, volumes: true }).catch((err) => this.log.warn('auto-remove failed', { id: c.rec.ID, err: String(err) }));
    }
  }

  private async restartAfterBackoff(c: Container): Promise<void> {
    c.restartTimer = undefined;
    if (!this.containers.has(c.rec.ID) || this.shuttingDown) return;
    await this.locks.run(c.rec.ID, async () => {
      if (!c.rec.State.Restarting) return;
      c.rec.RestartCount = c.restart.restartCount;
      try {
        await this.startLocked(c);
        this.publish(c, 'restart');
      } catch (err) {
        this.log.warn('restart failed', { id: c.rec.ID, err: String(err) });
        c.rec.State.Restarting = false;
        c.rec.State.Status = 'exited';
        await saveState(this.deps.dataRoot, c.rec);
      }
    });
  }

  private cancelRestart(c: Container): boolean {
    if (!c.restartTimer && !c.rec.State.Restarting) return false;
    if (c.restartTimer) clearTimeout(c.restartTimer);
    c.restartTimer = undefined;
    c.restart.cancel();
    c.rec.State.Restarting = false;
    c.rec.State.Status = 'exited';
    return true;
  }

  // ---- stop / kill / restart ----------------------------------------------------------

  async stop(ref: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.get(ref);
    await this.locks.run(c.rec.ID, async () => {
      c.rec.HasBeenManuallyStopped = true;
      if (this.cancelRestart(c)) {
        await saveState(this.deps.dataRoot, c.rec);
        return;
      }
      if (!c.rec.State.Running) throw notModified('container already stopped');
      await saveState(this.deps.dataRoot, c.rec);
    });
    await this.stopRunning(c, opts);
  }

  /** StopSignal, then SIGKILL after the timeout; resolves once the exit is recorded. */
  private async stopRunning(c: Container, opts: { timeout?: number; signal?: string }): Promise<void> {
    if (!c.rec.State.Running) return;
    const signal = opts.signal || c.rec.Config.StopSignal || 'SIGTERM';
    const timeout = opts.timeout ?? c.rec.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
    const exited = this.nextExit(c);
    c.stopping = true;
    try {
      if (c.rec.State.Paused) await this.deps.runtime.resume(c.rec.ID, this.runtimeOf(c)).catch(() => {});
      this.publish(c, 'kill', { signal: String(signalNumber(signal)) });
      if (timeout !== 0) {
        await this.signal(c, signalNumber(signal));
        if (timeout < 0) {
          await exited;
          return;
        }
        const done = await Promise.race([exited.then(() => true), sleep(timeout * 1000).then(() => false)]);
        if (done) return;
      }
      this.publish(c, 'kill', { signal: '9' });
      await this.signal(c, 9);
      await exited;
    } finally {
      c.stopping = false;
      this.publish(c, 'stop');
    }
  }

  private nextExit(c: Container): Promise<number> {
    return new Promise((resolve) => c.exitWaiters.push(resolve));
  }

  private async signal(c: Container, sig: number): Promise<void> {
    if (!c.rec.State.Running) return;
    await this.deps.runtime.kill(c.rec.ID, this.runtimeOf(c), sig, sig === 9).catch((err) => {
      if (c.rec.State.Running) throw systemError(`Cannot kill container: ${c.rec.ID}: ${(err as Error).message}`);
    });
  }

  async kill(ref: string, signal?: string): Promise<void> {
    const c = this.get(ref);
    const sig = signalNumber(signal || 'SIGKILL');
    if (!c.rec.State.Running) throw conflict(`Cannot kill container: ${ref}: Container ${c.rec.ID} is not running`);
    if (sig === 9) {
      c.rec.HasBeenManuallyStopped = true;
      c.stopping = true;
    }
    const exited = this.nextExit(c);
    this.publish(c, 'kill', { signal: String(sig) });
    try {
      await this.signal(c, sig);
      if (sig === 9) await exited;
    } finally {
      if (sig === 9) c.stopping = false;
    }
  }

  async restartContainer(ref: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    const c = this.get(ref);
    this.cancelRestart(c);
    c.rec.HasBeenManuallyStopped = true;
    await this.stopRunning(c, opts);
    await this.locks.run(c.rec.ID, async () => {
      c.rec.HasBeenManuallyStopped = false;
      if (!c.rec.State.Running) await this.startLocked(c);
      this.publish(c, 'restart');
    });
  }

  // ---- wait ---------------------------------------------------------------------------

  /** Docker's wait conditions: not-running (default), next-exit, removed. */
  async wait(ref: string, condition: string, signal: AbortSignal): Promise<{ StatusCode: number; Error?: { Message: string } }> {
    const c = this.get(ref);
    if (!['', 'not-running', 'next-exit', 'removed'].includes(condition)) {
      throw invalidParameter(`invalid condition: "${condition}"`);
    }
    const aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('client went away')), { once: true }));
    if (condition === 'removed') {
      if (!this.containers.has(c.rec.ID)) return { StatusCode: c.rec.State.ExitCode };
      await Promise.race([new Promise<void>((r) => c.removeWaiters.push(r)), aborted]);
      return { StatusCode: c.rec.State.ExitCode };
    }
    if (condition !== 'next-exit' && !c.rec.State.Running && !c.rec.State.Restarting) {
      return { StatusCode: c.rec.State.ExitCode };
    }
    const code = await Promise.race([this.nextExit(c), aborted]);
    return { StatusCode: code };
  }

  // ---- remove / rename ----------------------------------------------------------------

  async remove(ref: string, opts: { force: boolean; volumes: boolean }): Promise<void> {
    const c = this.get(ref);
    if (c.rec.State.Running && !opts.force) {
      if (c.rec.State.Paused) throw conflict(`cannot remove container "${c.rec.Name}": container is paused and must be unpaused first`);
      throw conflict(`cannot remove container "${c.rec.Name}": container is running: stop the container before removing or force remove`);
    }
    if (opts.force) {
      this.cancelRestart(c);
      c.rec.HasBeenManuallyStopped = true;
      if (c.rec.State.Running) {
        c.stopping = true;
        const exited = this.nextExit(c);
        await this.signal(c, 9);
        await exited;
        c.stopping = false;
      }
    }
    await this.locks.run(c.rec.ID, () => this.removeLocked(c, opts));
  }

  private async removeLocked(c: Container, _opts: { force: boolean; volumes: boolean }): Promise<void> {
    if (!this.containers.has(c.rec.ID)) return;
    if (c.rec.State.Running) throw conflict(`cannot remove container "${c.rec.Name}": container is running: stop the container before removing or force remove`);
    if (c.rec.State.Status === 'removing') throw conflict(`removal of container ${c.rec.ID} is already in progress`);
    c.rec.State.Status = 'removing';
    this.cancelRestart(c);
    try {
      await this.deps.runtime.delete(c.rec.ID, this.runtimeOf(c)).catch(() => {});
      await this.deps.layers.removeRW(c.rec.ID);
      await rm(this.paths(c.rec.ID).stateDir, { recursive: true, force: true });
      await rm(containerDir(this.deps.dataRoot, c.rec.ID), { recursive: true, force: true });
    } catch (err) {
      c.rec.State.Status = 'dead';
      c.rec.State.Dead = true;
      await saveState(this.deps.dataRoot, c.rec).catch(() => {});
      throw systemError(`unable to remove filesystem for ${c.rec.ID}: ${(err as Error).message}`);
    }
    for (const execId of c.execIds) this.execs.delete(execId);
    this.containers.delete(c.rec.ID);
    this.names.release(c.rec.Name);
    this.publish(c, 'destroy');
    for (const w of c.removeWaiters.splice(0)) w();
    for (const w of c.exitWaiters.splice(0)) w(c.rec.State.ExitCode);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const c = this.get(ref);
    if (!newName) throw invalidParameter('Neither old nor new names may be empty');
    validateContainerName(newName);
    const full = newName.startsWith('/') ? newName : `/${newName}`;
    if (full === c.rec.Name) throw invalidParameter(`Renaming a container with the same name as its current name`);
    await this.locks.run(c.rec.ID, async () => {
      const old = c.rec.Name;
      this.names.reserve(full, c.rec.ID);
      c.rec.Name = full;
      try {
        await saveState(this.deps.dataRoot, c.rec);
      } catch (err) {
        c.rec.Name = old;
        this.names.release(full);
        throw err;
      }
      this.names.release(old);
      this.publish(c, 'rename', { oldName: old });
    });
  }

  // ---- pause --------------------------------------------------------------------------

  async pause(ref: string): Promise<void> {
    const c = this.get(ref);
    await this.locks.run(c.rec.ID, async () => {
      if (!c.rec.State.Running) throw conflict(`Container ${c.rec.ID} is not running`);
      if (c.rec.State.Paused) throw conflict(`Container ${c.rec.ID} is already paused`);
      if (c.rec.State.Restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
      await this.deps.runtime.pause(c.rec.ID, this.runtimeOf(c));
      c.rec.State.Paused = true;
      c.rec.State.Status = 'paused';
      await saveState(this.deps.dataRoot, c.rec);
      this.publish(c, 'pause');
    });
  }

  async unpause(ref: string): Promise<void> {
    const c = this.get(ref);
    await this.locks.run(c.rec.ID, async () => {
      if (!c.rec.State.Paused) throw conflict(`Container ${c.rec.ID} is not paused`);
      await this.deps.runtime.resume(c.rec.ID, this.runtimeOf(c));
      c.rec.State.Paused = false;
      c.rec.State.Status = 'running';
      await saveState(this.deps.dataRoot, c.rec);
      this.publish(c, 'unpause');
    });
  }

  // ---- update -------------------------------------------------------------------------

  /** `docker update`: new limits and restart policy, saved, and applied now if it runs. */
  async update(ref: string, body: Record<string, unknown>, version: string): Promise<{ Warnings: string[] }> {
    const c = this.get(ref);
    return this.locks.run(c.rec.ID, async () => {
      const s = c.rec.State;
      const out = await updateContainer(
        { id: c.rec.ID, hostConfig: c.hostConfig, removing: s.Status === 'removing' || s.Dead, live: s.Running && !s.Restarting },
        body, version, {
          save: async (hc) => {
            await saveRecord(this.deps.dataRoot, c.rec, hc);
            c.hostConfig = hc;
          },
          setRestartPolicy: (p) => c.restart.setPolicy(p),
          applyResources: (r) => this.deps.runtime.updateResources(c.rec.ID, this.runtimeOf(c), r),
        });
      this.publish(c, 'update');
      return out;
    });
  }

  // ---- processes ----------------------------------------------------------------------

  async pids(ref: string): Promise<number[]> {
    const c = this.get(ref);
    if (!c.rec.State.Running) throw conflict(`Container ${c.rec.ID} is not running`);
    if (c.rec.State.Restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
    return this.deps.runtime.ps(c.rec.ID, this.runtimeOf(c));
  }

  resize(ref: string, rows: number, cols: number): void {
    const c = this.get(ref);
    if (!c.rec.State.Running) throw conflict(`Container ${c.rec.ID} is not running`);
    c.hub.resize(rows, cols);
  }

  // ---- exec ---------------------------------------------------------------------------

  execCreate(ref: string, config: ExecConfig): string {
    const c = this.get(ref);
    if (!c.rec.State.Running) throw conflict(`Container ${c.rec.ID} is not running`);
    if (c.rec.State.Paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before exec`);
    if (c.rec.State.Restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
    if (!config.Cmd?.length) throw invalidParameter('No exec command specified');
    const id = newId();
    this.execs.set(id, {
      id, containerId: c.rec.ID, config, running: false, exitCode: null, pid: 0,
      stateDir: join(this.deps.execRoot, 'x', id), hub: new StdioHub(), canRemove: false, started: false,
    });
    c.execIds.add(id);
    this.publish(c, `exec_create: ${config.Cmd.join(' ')}`, { execID: id });
    return id;
  }

  getExec(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  /** Starts an exec; resolves once it runs. Its hub ends when the process exits and the exit code is recorded. */
  async execStart(id: string): Promise<ExecInstance> {
    const e = this.getExec(id);
    if (e.started) throw conflict(`Error: Exec command ${id} has already run`);
    const c = this.get(e.containerId);
    if (!c.rec.State.Running) throw conflict(`Container ${c.rec.ID} is not running`);
    if (c.rec.State.Paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before exec`);
    e.started = true;
    const process = await buildExecProcess(c.rec, c.hostConfig, e.config, this.deps);
    try {
      const { pid } = await this.deps.runtime.exec(c.rec.ID, process, {
        runtime: this.runtimeOf(c), stateDir: e.stateDir, tty: Boolean(e.config.Tty), stdin: Boolean(e.config.AttachStdin),
      });
      e.pid = pid;
      e.running = true;
      e.hub.connect(await this.deps.runtime.attach(e.stateDir));
    } catch (err) {
      e.exitCode = translateStartError(String((err as Error).message)).code || 126;
      e.canRemove = true;
      await rm(e.stateDir, { recursive: true, force: true });
      throw translateStartError(String((err as Error).message)).error;
    }
    this.publish(c, `exec_start: ${(e.config.Cmd ?? []).join(' ')}`, { execID: id });
    void (async () => {
      await e.hub.waitShimClosed();
      const exit = await this.deps.runtime.readExit(e.stateDir);
      e.exitCode = exit?.exitCode ?? 126;
      e.running = false;
      e.pid = 0;
      e.canRemove = true;
      await rm(e.stateDir, { recursive: true, force: true });
      this.publish(c, 'exec_die', { execID: id, exitCode: String(e.exitCode) });
      e.hub.finish();
    })();
    return e;
  }

  execResize(id: string, rows: number, cols: number): void {
    const e = this.getExec(id);
    if (!e.running) throw conflict(`Exec ${id} is not running`);
    e.hub.resize(rows, cols);
  }

  // ---- prune --------------------------------------------------------------------------

  async prune(keep: (c: Container) => boolean): Promise<{ ContainersDeleted: string[]; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    let space = 0;
    for (const c of this.all()) {
      if (c.rec.State.Running || c.rec.State.Paused || c.rec.State.Restarting || !keep(c)) continue;
      const size = await this.deps.layers.rwSize(c.rec.ID).catch(() => 0);
      try {
        await this.locks.run(c.rec.ID, () => this.removeLocked(c, { force: false, volumes: false }));
        deleted.push(c.rec.ID);
        space += size;
      } catch (err) {
        this.log.warn('prune: remove failed', { id: c.rec.ID, err: String(err) });
      }
    }
    this.events.publish({ Type: 'container', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: String(space) } } });
    return { ContainersDeleted: deleted, SpaceReclaimed: space };
  }

  // ---- daemon start / stop ------------------------------------------------------------

  /**
   * Start-up reconciliation: load every record, re-adopt containers whose shim is alive
   * (live-restore) or kill them (without it), record exits that happened while the daemon
   * was down, remove half-made containers, then apply restart policies.
   */
  async restore(liveRestore: boolean): Promise<void> {
    const root = join(this.deps.dataRoot, 'containers');
    await mkdir(root, { recursive: true });
    const toStart: Container[] = [];
    const keepMounted = new Set<string>();
    for (const id of await readdir(root)) {
      const loaded = await loadRecord(this.deps.dataRoot, id).catch(() => undefined);
      if (!loaded) {
        this.log.warn('removing half-made container', { id });
        await this.deps.layers.removeRW(id).catch(() => {});
        await rm(join(root, id), { recursive: true, force: true });
        continue;
      }
      const c = this.adopt(loaded.rec, loaded.hostConfig);
      const s = c.rec.State;
      const { stateDir } = this.paths(id);
      if (s.Status === 'removing' || s.Dead) {
        // A removal that was interrupted: finish it.
        s.Status = 'dead';
        await this.removeLocked(c, { force: true, volumes: false }).catch(() => {});
        continue;
      }
      if (s.Running || s.Restarting) {
        if (s.Running && (await this.deps.runtime.isAlive(stateDir))) {
          if (liveRestore) {
            try {
              c.hub.connect(await this.deps.runtime.attach(stateDir));
              keepMounted.add(id);
              await this.deps.networking.readopt(c.rec).catch((err) => this.log.warn('cannot re-adopt network endpoints', { id, err: String(err) }));
              void this.watchExit(c);
              this.log.info('re-adopted running container', { id });
              continue;
            } catch (err) {
              this.log.warn('cannot re-attach to container', { id, err: String(err) });
            }
          }
          // Not live-restoring: the container is killed, then its restart policy decides.
          await this.deps.runtime.kill(id, this.runtimeOf(c), 9, true).catch(() => {});
          await waitUntil(async () => !(await this.deps.runtime.isAlive(stateDir)), 10_000);
        }
        const exit = (await this.deps.runtime.readExit(stateDir)) ?? { exitCode: s.Restarting ? s.ExitCode : 255, signal: 0, exitedAt: formatRfc3339Nano(nowNs()) };
        await this.deps.runtime.delete(id, this.runtimeOf(c)).catch(() => {});
        await this.deps.networking.detach(c.rec).catch(() => {});
        Object.assign(s, { Status: 'exited', Running: false, Paused: false, Restarting: false, Pid: 0, ExitCode: exit.exitCode, FinishedAt: exit.exitedAt });
        await rm(stateDir, { recursive: true, force: true });
        await saveState(this.deps.dataRoot, c.rec);
        this.publish(c, 'die', { exitCode: String(exit.exitCode) });
        const policy = c.restart.policy.Name;
        if (policy === 'always' || (policy === 'unless-stopped' && !c.rec.HasBeenManuallyStopped) || (policy === 'on-failure' && exit.exitCode !== 0)) {
          toStart.push(c);
        } else if (c.hostConfig.AutoRemove) {
          await this.removeLocked(c, { force: true, volumes: true }).catch(() => {});
        }
      } else if (c.restart.policy.Name === 'always' && c.rec.HasBeenStartedBefore && !c.rec.HasBeenManuallyStopped) {
        // Docker restarts `always` containers at daemon start unless they were stopped by hand.
        toStart.push(c);
      }
    }
    await this.deps.layers.reconcile(keepMounted);
    for (const c of toStart) {
      await this.locks.run(c.rec.ID, () => this.startLocked(c)).catch((err) => this.log.warn('restart at boot failed', { id: c.rec.ID, err: String(err) }));
    }
  }

  /** Daemon shutdown: without live-restore every running container is stopped. */
  async shutdown(liveRestore: boolean, timeoutSeconds: number): Promise<void> {
    this.shuttingDown = true;
    for (const c of this.containers.values()) if (c.restartTimer) clearTimeout(c.restartTimer);
    if (liveRestore) return;
    await Promise.all(
      this.all().filter((c) => c.rec.State.Running).map((c) =>
        this.stopRunning(c, { timeout: Math.min(c.rec.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT, timeoutSeconds) }).catch((err) =>
          this.log.warn('stop at shutdown failed', { id: c.rec.ID, err: String(err) }))),
    );
  }
}

/** HostConfig.Links entries: "/target:/me/alias" (API) or "target:alias" (CLI). */
function parseLink(link: string): [string, string] {
  const [target, alias = target] = link.split(':', 2);
  return [target.replace(/^\//, ''), alias.split('/').pop()!];
}

function logLimits(conf: Record<string, string>): { maxSize?: number; maxFile?: number } {
  const out: { maxSize?: number; maxFile?: number } = {};
  if (conf['max-size']) out.maxSize = parseByteSize(conf['max-size']);
  if (conf['max-file']) out.maxFile = Number.parseInt(conf['max-file'], 10);
  return out;
}

/** go-units RAMInBytes: "10m", "1g", "512k", "100". */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(text.trim());
  if (!m) throw invalidParameter(`invalid size: '${text}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2].toLowerCase() as '' | 'k'];
  return Math.floor(Number(m[1]) * mult);
}

/** Docker's mapping of runtime start errors to exit codes and API errors (moby translateContainerdStartErr). */
export function translateStartError(message: string): { code: number; error: BerthError } {
  const detail = message.replace(/^runc create failed: /, "");
  const msg = `failed to create task for container: OCI runtime create failed: runc create failed: ${detail}: unknown`;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) {
    return { code: 127, error: invalidParameter(msg) };
  }
  if (/permission denied|is a directory/.test(message)) {
    return { code: 126, error: invalidParameter(msg) };
  }
  return { code: 128, error: systemError(msg) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(50);
  }
}

