// Fakes of the boxes the container verbs drive (runtime, layers, network, images), for unit
// tests that need no root: records go to a temporary directory, processes are simulated.
import type { DiffSource } from '../../layer/index.ts';
import { EventEmitter } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkSeccompProfile, defaultSeccompProfile, type ShimStdio, type ShimExit, type ShimHealth } from '../../runtime/index.ts';
import type { ContainerDeps, NetworkingBox, RuntimeBox, RWLayers, VolumesBox } from './deps.ts';
import { conflict, notFound } from '../../common/index.ts';
import type { StoredConfig, HostConfig } from './record.ts';
import type { NetworkSettingsRecord } from './networking.ts';
import { newContext } from './index.ts';
import type { ContainerContext } from './context.ts';
import { createContainer } from './create.ts';

class FakeShim extends EventEmitter {
  writeStdin(): void {}
  closeStdin(): void {}
  resize(): void {}
  close(): void {}
}

/** A container shim's health.sock: `runs` are the probes asked for; a test answers with emit('result', ...). */
export class FakeShimHealth extends EventEmitter {
  readonly runs: Array<{ seq: number; timeoutMs: number }> = [];
  closed = false;
  run(seq: number, timeoutMs: number): void {
    this.runs.push({ seq, timeoutMs });
  }
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}

/** A runtime whose processes live until kill() or exit() ends them. */
export class FakeRuntime implements RuntimeBox {
  readonly calls: string[] = [];
  /** Thrown by the next kill() (and the process is not signalled). */
  killError: string | undefined;
  /** A kill signals the process: it exits with 128+signal unless this is false. */
  exitOnKill = true;
  /** Exits written by "the shim" per state dir. */
  readonly exits = new Map<string, ShimExit>();
  /** The log options each container's shim was created with. */
  readonly logs = new Map<string, { path?: string; maxSize?: number; maxFile?: number } | undefined>();
  readonly #stateDirs = new Map<string, string>();
  readonly #shims = new Map<string, FakeShim>();
  readonly #alive = new Set<string>();
  readonly #exitWaiters = new Map<string, Array<(exit: ShimExit) => void>>();
  #nextPid = 1000;

  runtimeNames(): string[] {
    return ['runc'];
  }

  async create(id: string, bundle: string, spec: unknown, p: { stateDir: string; log?: { path?: string; maxSize?: number; maxFile?: number } }): Promise<{ pid: number }> {
    this.calls.push(`create ${id}`);
    // As the real runtime: the bundle's config.json is there for execs (and health probes) to read.
    await mkdir(bundle, { recursive: true });
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    this.logs.set(id, p.log);
    this.#stateDirs.set(id, p.stateDir);
    this.exits.delete(p.stateDir);
    this.#alive.add(p.stateDir);
    return { pid: this.#nextPid++ };
  }

  /** Health probe processes written per state dir; connectHealth hands out `healthConns`. */
  readonly healthProcesses = new Map<string, unknown>();
  readonly healthConns: FakeShimHealth[] = [];

  async writeHealthProcess(stateDir: string, process: unknown): Promise<void> {
    this.healthProcesses.set(stateDir, process);
  }

  async connectHealth(_stateDir: string): Promise<ShimHealth> {
    const conn = new FakeShimHealth();
    this.healthConns.push(conn);
    return conn as unknown as ShimHealth;
  }

  async start(id: string): Promise<void> {
    this.calls.push(`start ${id}`);
  }

  async exec(id: string, _process: unknown, p: { stateDir: string }): Promise<{ pid: number }> {
    this.calls.push(`exec ${id}`);
    this.#alive.add(p.stateDir);
    return { pid: this.#nextPid++ };
  }

  async kill(id: string, _runtime: string, signal: string | number): Promise<void> {
    this.calls.push(`kill ${id} ${signal}`);
    if (this.killError) {
      const message = this.killError;
      this.killError = undefined;
      throw new Error(message);
    }
    if (this.exitOnKill) this.exit(id, 128 + Number(signal));
  }

  /** The container's init exits with `code`: the shim writes the exit and closes. */
  exit(id: string, code: number): void {
    const stateDir = this.#stateDirs.get(id);
    if (!stateDir || !this.#alive.has(stateDir)) return;
    this.#alive.delete(stateDir);
    const exit = { exitCode: code, signal: 0, exitedAt: new Date().toISOString() };
    this.exits.set(stateDir, exit);
    for (const w of this.#exitWaiters.get(stateDir) ?? []) w(exit);
    this.#exitWaiters.delete(stateDir);
    const shim = this.#shims.get(stateDir);
    this.#shims.delete(stateDir);
    shim?.emit('close');
  }

  async delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
  }

  async pause(id: string): Promise<void> {
    this.calls.push(`pause ${id}`);
  }

  async resume(id: string): Promise<void> {
    this.calls.push(`resume ${id}`);
  }

  async updateResources(id: string): Promise<void> {
    this.calls.push(`update ${id}`);
  }

  async ps(): Promise<number[]> {
    return [1, 2];
  }

  async attach(stateDir: string): Promise<ShimStdio> {
    const shim = new FakeShim();
    this.#shims.set(stateDir, shim);
    // The daemon side of a shim connection, as far as the hub uses it.
    return shim as unknown as ShimStdio;
  }

  async readExit(stateDir: string): Promise<ShimExit | undefined> {
    return this.exits.get(stateDir);
  }

  /** The shim's exit watch: resolves once "the shim" recorded the exit. */
  waitExit(stateDir: string): Promise<ShimExit> {
    const recorded = this.exits.get(stateDir);
    if (recorded || !this.#alive.has(stateDir)) return Promise.resolve(recorded ?? { exitCode: 255, signal: 0, exitedAt: new Date().toISOString() });
    return new Promise((resolve) => this.#exitWaiters.set(stateDir, [...(this.#exitWaiters.get(stateDir) ?? []), resolve]));
  }

  async isAlive(stateDir: string): Promise<boolean> {
    return this.#alive.has(stateDir);
  }

  /** A shim that survived a daemon restart (for restore tests). */
  setAlive(id: string, stateDir: string): void {
    this.#stateDirs.set(id, stateDir);
    this.#alive.add(stateDir);
  }
}

export class FakeLayers implements RWLayers {
  readonly driverName = 'fake';
  readonly rw = new Set<string>();
  readonly mounted = new Set<string>();
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async createRW(id: string): Promise<void> {
    this.rw.add(id);
  }

  async mountRW(id: string): Promise<string> {
    const dir = join(this.#root, 'rootfs', id);
    await mkdir(dir, { recursive: true });
    this.mounted.add(id);
    return dir;
  }

  async unmountRW(id: string): Promise<void> {
    this.mounted.delete(id);
  }

  async removeRW(id: string): Promise<void> {
    this.rw.delete(id);
  }

  async rwSize(): Promise<number> {
    return 10;
  }

  /** A vfs-like layer: the container's rootfs dir against no parent (everything is an add). */
  async rwDiffSource(id: string): Promise<DiffSource> {
    const dir = join(this.#root, 'rootfs', id);
    await mkdir(dir, { recursive: true });
    return { kind: 'naive', dir, parentDir: null };
  }

  async reconcile(): Promise<void> {}
}

type FakeVolume = Awaited<ReturnType<VolumesBox['get']>>;

/** An in-memory volume store: data directories under the test's directory, references and mounts counted. */
export class FakeVolumes implements VolumesBox {
  readonly volumes = new Map<string, FakeVolume>();
  readonly #refs = new Map<string, Set<string>>();
  readonly mounted = new Map<string, Set<string>>();
  readonly calls: string[] = [];
  /** Decides whether a create() fails (and with what). */
  createError: ((o: Parameters<VolumesBox['create']>[0]) => Error | undefined) | undefined;
  #next = 0;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  async create(o: Parameters<VolumesBox['create']>[0]): Promise<FakeVolume> {
    const err = this.createError?.(o);
    if (err) throw err;
    const name = o.name || `anon${String(this.#next++).padStart(60, '0')}`;
    const existing = this.volumes.get(name);
    if (existing) {
      if (o.refBy) this.ref(name, o.refBy);
      return existing;
    }
    const mountpoint = join(this.#root, 'volumes', name, '_data');
    await mkdir(mountpoint, { recursive: true });
    const v: FakeVolume = {
      name, driver: o.driver || 'local', mountpoint, createdAt: '2026-01-01T00:00:00Z', labels: { ...(o.labels ?? {}) },
      options: { ...(o.driverOpts ?? {}) }, anonymous: o.anonymous === true || !o.name,
    };
    this.volumes.set(name, v);
    if (o.refBy) this.ref(name, o.refBy);
    this.calls.push(`create ${name}`);
    return v;
  }

  async get(name: string): Promise<FakeVolume> {
    const v = this.volumes.get(name);
    if (!v) throw notFound(`get ${name}: no such volume`);
    return v;
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    if (!opts.force && this.refs(name).length) throw conflict(`remove ${name}: volume is in use - [${this.refs(name).join(', ')}]`);
    this.volumes.delete(name);
    this.calls.push(`remove ${name}`);
  }

  ref(name: string, id: string): void {
    if (!this.#refs.has(name)) this.#refs.set(name, new Set());
    this.#refs.get(name)!.add(id);
  }

  unref(name: string, id: string): void {
    this.#refs.get(name)?.delete(id);
  }

  refs(name: string): string[] {
    return [...(this.#refs.get(name) ?? [])];
  }

  async mount(name: string, id: string): Promise<string> {
    const v = await this.get(name);
    if (!this.mounted.has(name)) this.mounted.set(name, new Set());
    this.mounted.get(name)!.add(id);
    this.calls.push(`mount ${name} ${id}`);
    return v.mountpoint;
  }

  async unmount(name: string, id: string): Promise<void> {
    this.mounted.get(name)?.delete(id);
    if (this.mounted.get(name)?.size === 0) this.mounted.delete(name);
    this.calls.push(`unmount ${name} ${id}`);
  }

  async reconcile(mountedBy: Map<string, string[]>): Promise<void> {
    this.calls.push(`reconcile ${JSON.stringify([...mountedBy])}`);
    for (const [name, ids] of mountedBy) {
      this.mounted.set(name, new Set(ids));
      for (const id of ids) this.ref(name, id);
    }
    for (const name of [...this.mounted.keys()]) if (!mountedBy.has(name)) this.mounted.delete(name);
  }
}

function fakeNetworking(): NetworkingBox {
  const empty = (): NetworkSettingsRecord => ({ Networks: {}, PortMappings: [], SandboxID: '', SandboxKey: '', HostVeths: {}, Ifnames: {} });
  return {
    initialSettings: () => empty(),
    netnsFor: () => 'new',
    prepare: async () => {},
    attach: async () => {},
    detach: async () => {},
    readopt: async () => {},
    connect: async () => {},
    disconnect: async () => {},
    ports: () => ({}),
    controller: { find: () => undefined },
  };
}

export interface Harness {
  ctx: ContainerContext;
  runtime: FakeRuntime;
  layers: FakeLayers;
  volumes: FakeVolumes;
  events: Array<{ Type: string; Action: string; Actor: { ID: string; Attributes: Record<string, string> } }>;
  warnings: string[];
  /** Creates a container from busybox-like defaults; returns its ID. */
  create(name?: string, host?: Partial<HostConfig>, config?: Partial<StoredConfig>): Promise<string>;
  actions(id: string): string[];
  cleanup(): Promise<void>;
}

export async function harness(opts: { dataRoot?: string; oomKilled?: boolean; volumes?: FakeVolumes } = {}): Promise<Harness> {
  const dir = opts.dataRoot ?? (await mkdtemp(join(tmpdir(), 'berth-verbs-')));
  const runtime = new FakeRuntime();
  const layers = new FakeLayers(dir);
  const volumes = opts.volumes ?? new FakeVolumes(dir);
  const events: Harness['events'] = [];
  const warnings: string[] = [];
  const deps: ContainerDeps = {
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    cgroupParent: '/berth-unit',
    defaultRuntime: 'runc',
    logDriver: 'json-file',
    logOpts: {},
    initPath: '/nonexistent/tini',
    seccompProfile: checkSeccompProfile(defaultSeccompProfile),
    knownCapabilities: [],
    images: { resolve: async () => ({ id: 'sha256:image', chainId: null, config: { Cmd: ['true'] } }) },
    layers,
    runtime,
    events: {
      publish: (e) => {
        events.push(e as Harness['events'][number]);
        return { ...e, time: 0, timeNano: 0 } as unknown as ReturnType<ContainerDeps['events']['publish']>;
      },
    },
    log: { debug: () => {}, info: () => {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m) },
    validateHostConfig: () => {},
    networking: fakeNetworking(),
    volumes,
    oomKilled: async () => Boolean(opts.oomKilled),
  };
  const ctx = newContext(deps);
  return {
    ctx, runtime, layers, volumes, events, warnings,
    create: async (name, host = {}, config = {}) => {
      const full = { Image: 'busybox', Cmd: ['true'], Env: null, Entrypoint: null, Labels: {}, ...config } as StoredConfig;
      return (await createContainer(ctx, name, full, { ...host })).Id;
    },
    actions: (id) => events.filter((e) => e.Actor.ID === id && e.Type === 'container').map((e) => e.Action),
    cleanup: async () => {
      for (const c of ctx.store.all()) if (c.restartTimer) clearTimeout(c.restartTimer);
      if (!opts.dataRoot) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` on a fresh harness and cleans it up whatever happens. */
export async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness();
  try {
    await fn(h);
  } finally {
    await h.cleanup();
  }
}

/** Lets the exit monitor (shim close, readExit, lock) run to completion. */
export const settle = () => new Promise((r) => setTimeout(r, 20));
