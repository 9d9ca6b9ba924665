// Implements the container and exec route backends on the container manager: request bodies
// in, Docker's response shapes out.
import type { Duplex } from 'node:stream';
import type { ContainersBackend, LogOptions, AttachOptions, StatsQuery } from '../api/routes/containers/backend.ts';
import { openStats, statsTargetOf } from './stats.ts';
import type { ExecBackend } from '../api/routes/exec/backend.ts';
import type { Filters } from '../api/request.ts';
import { conflict, invalidParameter, notImplemented } from '../common/errors.ts';
import { nowNs, parseRfc3339Nano } from '../common/time.ts';
import { muxFrame } from '../common/stdcopy.ts';
import { readLogs } from '../runtime/index.ts';
import type { ContainerManager, Container } from './containers/manager.ts';
import { filterContainers, statusText, type ContainerView } from './containers/list-filters.ts';
import { parsePsOutput, splitPsArgs, validatePsArgs } from './containers/top.ts';
import { DetachKeyScanner, parseDetachKeys, DEFAULT_DETACH_KEYS } from './containers/detach-keys.ts';
import { mergeImageConfig, normalizeCreateBody } from './containers/create-request.ts';
import { createWarnings, type HostConfig as EngineHostConfig } from './host-config/index.ts';
import type { ExecConfig } from './containers/spec-inputs.ts';
import type { StdioClient, StdioHub } from './containers/stdio-hub.ts';
import type { ImageResolver, RWLayers } from './containers/deps.ts';
import { ensureSettings, type EndpointSettings } from './containers/networking.ts';
import { listPorts } from '../network/index.ts';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface ContainerApiDeps {
  manager: ContainerManager;
  images: ImageResolver & { resolveId(ref: string): Promise<string | undefined> };
  layers: RWLayers & { rwGraphDriverData(id: string): Promise<{ Name: string; Data: Record<string, string> }> };
  /** The image's size: SizeRootFs is the writable layer plus it, as dockerd reports. */
  imageSize(imageId: string): Promise<number>;
}

export class ContainerApi implements ContainersBackend {
  private readonly m: ContainerManager;
  private readonly deps: ContainerApiDeps;

  constructor(deps: ContainerApiDeps) {
    this.m = deps.manager;
    this.deps = deps;
  }

  // ---- containers ---------------------------------------------------------------------

  async create(name: string | undefined, body: Record<string, unknown>, _version: string) {
    const { config, hostConfig } = normalizeCreateBody(body);
    const image = await this.deps.images.resolve(config.Image);
    const nc = body.NetworkingConfig;
    if (nc !== undefined && nc !== null && (typeof nc !== 'object' || Array.isArray(nc))) throw invalidParameter('NetworkingConfig must be an object');
    const eps = (nc as { EndpointsConfig?: unknown } | null | undefined)?.EndpointsConfig;
    if (eps !== undefined && eps !== null && (typeof eps !== 'object' || Array.isArray(eps))) throw invalidParameter('EndpointsConfig must be an object');
    const merged = mergeImageConfig(config, image);
    const created = await this.m.create(name, merged, hostConfig, (eps ?? undefined) as Record<string, Partial<EndpointSettings>> | undefined);
    // Docker's warnings, and berth's for what it accepts without doing all that Docker does.
    return { ...created, Warnings: [...createWarnings(hostConfig as EngineHostConfig, merged), ...created.Warnings] };
  }

  exists(ref: string): void {
    this.m.get(ref);
  }

  private view(c: Container): ContainerView {
    return {
      id: c.rec.ID, name: c.rec.Name.slice(1), created: BigInt(c.rec.CreatedNs), imageId: c.rec.Image, image: c.rec.Config.Image,
      status: c.rec.State.Status, exitCode: c.rec.State.ExitCode, labels: c.rec.Config.Labels ?? {},
      networks: Object.entries(ensureSettings(c.rec).Networks).map(([name, ep]) => ({ name, id: ep.NetworkID })),
      ports: listPorts(c.rec.State.Running ? ensureSettings(c.rec).PortMappings : [], c.rec.Config.ExposedPorts as never)
        .map((p) => ({ privatePort: p.PrivatePort, publicPort: p.PublicPort, type: p.Type })),
    };
  }

  async list(opts: { all: boolean; limit: number; size: boolean; filters: Filters }) {
    const views = new Map(this.m.all().map((c) => [c.rec.ID, { c, v: this.view(c) }]));
    const ancestors = new Map<string, string | undefined>();
    for (const ref of opts.filters.get('ancestor') ?? []) ancestors.set(ref, await this.deps.images.resolveId(ref).catch(() => undefined));
    const picked = filterContainers([...views.values()].map((x) => x.v), opts.filters, {
      all: opts.all,
      limit: opts.limit,
      resolveContainer: (ref) => {
        const c = this.m.find(ref);
        return c ? views.get(c.rec.ID)?.v : undefined;
      },
      resolveImage: (ref) => ancestors.get(ref),
    });
    const now = nowNs();
    // Containers share images: size each image once per listing.
    const imageSizes = new Map<string, Promise<number>>();
    const imageSize = (id: string) => {
      if (!imageSizes.has(id)) imageSizes.set(id, this.deps.imageSize(id).catch(() => 0));
      return imageSizes.get(id)!;
    };
    const out = [];
    for (const v of picked) {
      const c = views.get(v.id)!.c;
      const summary: Record<string, unknown> = {
        Id: c.rec.ID,
        Names: [c.rec.Name],
        Image: c.rec.Config.Image,
        ImageID: c.rec.Image,
        Command: commandString(c.rec.Path, c.rec.Args),
        Created: Math.floor(Date.parse(c.rec.Created) / 1000),
        Ports: listPorts(c.rec.State.Running ? ensureSettings(c.rec).PortMappings : [], c.rec.Config.ExposedPorts as never),
        Labels: c.rec.Config.Labels ?? {},
        State: c.rec.State.Status,
        Status: statusText({ status: c.rec.State.Status, startedAt: c.rec.State.StartedAt, finishedAt: c.rec.State.FinishedAt, exitCode: c.rec.State.ExitCode }, now),
        HostConfig: { NetworkMode: c.hostConfig.NetworkMode ?? 'default' },
        NetworkSettings: { Networks: networksOf(c) },
        Mounts: [],
      };
      if (opts.size) {
        const rw = await this.deps.layers.rwSize(c.rec.ID).catch(() => 0);
        summary.SizeRw = rw;
        summary.SizeRootFs = rw + (await imageSize(c.rec.Image));
      }
      out.push(summary);
    }
    return out;
  }

  async inspect(ref: string, opts: { size: boolean }) {
    const c = this.m.get(ref);
    const r = c.rec;
    const out: Record<string, unknown> = {
      Id: r.ID,
      Created: r.Created,
      Path: r.Path,
      Args: r.Args,
      State: { ...r.State },
      Image: r.Image,
      ResolvConfPath: r.ResolvConfPath,
      HostnamePath: r.HostnamePath,
      HostsPath: r.HostsPath,
      LogPath: r.LogPath,
      Name: r.Name,
      RestartCount: r.RestartCount,
      Driver: r.Driver,
      Platform: r.Platform,
      MountLabel: '',
      ProcessLabel: '',
      AppArmorProfile: '',
      ExecIDs: c.execIds.size ? [...c.execIds] : null,
      HostConfig: c.hostConfig,
      GraphDriver: await this.deps.layers.rwGraphDriverData(r.ID).catch(() => ({ Name: r.Driver, Data: null })),
      Mounts: [],
      Config: r.Config,
      NetworkSettings: this.networkSettings(c),
    };
    if (opts.size) {
      const rw = await this.deps.layers.rwSize(r.ID).catch(() => 0);
      out.SizeRw = rw;
      out.SizeRootFs = rw + (await this.deps.imageSize(r.Image).catch(() => 0));
    }
    return out;
  }

  /** Docker's NetworkSettings: the per-network endpoints plus the legacy top-level fields of the default bridge. */
  private networkSettings(c: Container): Record<string, unknown> {
    const s = ensureSettings(c.rec);
    const legacy = s.Networks.bridge;
    return {
      Bridge: '', SandboxID: s.SandboxID, SandboxKey: s.SandboxKey, Ports: c.rec.State.Running ? this.m.networking.ports(c.rec) : {},
      HairpinMode: false, LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: legacy?.EndpointID ?? '', Gateway: legacy?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
      IPAddress: legacy?.IPAddress ?? '', IPPrefixLen: legacy?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: legacy?.MacAddress ?? '',
      Networks: networksOf(c),
    };
  }

  start(ref: string) {
    return this.m.start(ref);
  }

  stop(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.m.stop(ref, opts);
  }

  restart(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.m.restartContainer(ref, opts);
  }

  kill(ref: string, signal?: string) {
    return this.m.kill(ref, signal);
  }

  wait(ref: string, condition: string, signal: AbortSignal) {
    return this.m.wait(ref, condition, signal);
  }

  remove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }) {
    if (opts.link) throw notImplemented('links are not supported by berth yet');
    return this.m.remove(ref, opts);
  }

  rename(ref: string, name: string) {
    return this.m.rename(ref, name);
  }

  pause(ref: string) {
    return this.m.pause(ref);
  }

  unpause(ref: string) {
    return this.m.unpause(ref);
  }

  async top(ref: string, psArgs: string) {
    validatePsArgs(psArgs);
    const pids = await this.m.pids(ref);
    const args = splitPsArgs(psArgs);
    let stdout: string;
    try {
      ({ stdout } = await execFileP('ps', args, { maxBuffer: 64 * 1024 * 1024 }));
    } catch (err) {
      throw invalidParameter(`Error running ps: ${(err as Error).message}`);
    }
    return parsePsOutput(stdout, pids);
  }

  async logs(ref: string, opts: LogOptions) {
    const c = this.m.get(ref);
    const logType = c.hostConfig.LogConfig?.Type ?? 'json-file';
    if (logType !== 'json-file') throw notImplemented(`configured logging driver does not support reading`);
    const tty = Boolean(c.rec.Config.Tty);
    const maxFile = Number.parseInt(c.hostConfig.LogConfig?.Config?.['max-file'] ?? '1', 10) || 1;
    const stopWhen = () => !c.rec.State.Running && !c.rec.State.Restarting;
    const source = readLogs(c.rec.LogPath, {
      since: opts.since, until: opts.until, tail: opts.tail, follow: opts.follow && !stopWhen(), signal: opts.signal, maxFile, stopWhen,
    });
    async function* lines(): AsyncIterable<{ stream: 1 | 2; data: Buffer }> {
      for await (const entry of source) {
        const stream = entry.stream === 'stderr' ? 2 : 1;
        if ((stream === 1 && !opts.stdout) || (stream === 2 && !opts.stderr)) continue;
        const data = opts.timestamps ? Buffer.concat([Buffer.from(`${entry.time} `), entry.line]) : entry.line;
        yield { stream, data };
      }
    }
    return { tty, lines: lines() };
  }

  async attach(ref: string, opts: AttachOptions) {
    const c = this.m.get(ref);
    const keys = parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS);
    if (opts.stream && !c.rec.State.Running && c.rec.State.Status !== 'created' && !c.rec.State.Restarting) {
      throw conflict('You cannot attach to a stopped container, start it first');
    }
    if (c.rec.State.Paused) throw conflict('You cannot attach to a paused container, unpause it first');
    const tty = Boolean(c.rec.Config.Tty);
    const run = async (socket: Duplex) => {
      if (opts.logs && c.hostConfig.LogConfig?.Type === 'json-file') {
        for await (const entry of readLogs(c.rec.LogPath, { tail: -1, follow: false })) {
          const stream = entry.stream === 'stderr' ? 2 : 1;
          if ((stream === 1 && opts.stdout) || (stream === 2 && opts.stderr)) socket.write(tty ? entry.line : muxFrame(stream, entry.line));
        }
      }
      if (!opts.stream) {
        socket.end();
        return;
      }
      await serveStdio(socket, c.hub, {
        tty, stdout: opts.stdout, stderr: opts.stderr, stdin: opts.stdin && Boolean(c.rec.Config.OpenStdin), keys,
        onStdinEnd: () => {
          // moby: a TTY's stdin stays open when one client leaves (docker's ctrl-p ctrl-q detach).
          if (c.rec.Config.StdinOnce && !c.rec.Config.Tty) c.hub.closeStdin();
        },
      });
    };
    return { tty, run };
  }

  async stats(ref: string, opts: StatsQuery) {
    const c = this.m.get(ref);
    return openStats(statsTargetOf(c, () => this.m.find(c.rec.ID) !== c), opts);
  }

  update(ref: string, body: Record<string, unknown>, version: string) {
    return this.m.update(ref, body, version);
  }

  async resize(ref: string, height: number, width: number) {
    this.m.resize(ref, height, width);
  }

  async prune(filters: Filters) {
    const until = filters.get('until')?.[0];
    const untilNs = until ? parseRfc3339Nano(until) ?? BigInt(Math.floor(Number(until) * 1e9)) : undefined;
    const labels = filters.get('label') ?? [];
    const notLabels = filters.get('label!') ?? [];
    const hasLabel = (c: Container, spec: string) => {
      const [k, v] = spec.split('=', 2);
      const have = c.rec.Config.Labels?.[k];
      return have !== undefined && (v === undefined || have === v);
    };
    const result = await this.m.prune((c) =>
      (untilNs === undefined || BigInt(c.rec.CreatedNs) < untilNs) && labels.every((l) => hasLabel(c, l)) && !notLabels.some((l) => hasLabel(c, l)));
    return { ContainersDeleted: result.ContainersDeleted.length ? result.ContainersDeleted : null, SpaceReclaimed: result.SpaceReclaimed };
  }

  // ---- exec ---------------------------------------------------------------------------

  async createExec(containerRef: string, body: Record<string, unknown>) {
    return { Id: this.m.execCreate(containerRef, parseExecConfig(body)) };
  }

  async inspectExec(id: string) {
    const e = this.m.getExec(id);
    const cmd = e.config.Cmd ?? [];
    return {
      CanRemove: e.canRemove,
      ContainerID: e.containerId,
      DetachKeys: e.config.DetachKeys ?? '',
      ExitCode: e.exitCode,
      ID: e.id,
      OpenStderr: Boolean(e.config.AttachStderr),
      OpenStdin: Boolean(e.config.AttachStdin),
      OpenStdout: Boolean(e.config.AttachStdout),
      ProcessConfig: { arguments: cmd.slice(1), entrypoint: cmd[0] ?? '', privileged: Boolean(e.config.Privileged), tty: Boolean(e.config.Tty), user: e.config.User ?? '' },
      Running: e.running,
      Pid: e.pid,
    };
  }

  async startExec(id: string, opts: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }) {
    const e = this.m.getExec(id);
    const tty = Boolean(e.config.Tty);
    if (opts.detach) {
      await this.m.execStart(id);
      return { tty };
    }
    const keys = parseDetachKeys(e.config.DetachKeys || DEFAULT_DETACH_KEYS);
    const run = async (socket: Duplex) => {
      // The client is attached before the process starts, so no output is missed.
      const served = serveStdio(socket, e.hub, {
        tty, stdout: Boolean(e.config.AttachStdout), stderr: Boolean(e.config.AttachStderr), stdin: Boolean(e.config.AttachStdin), keys,
        onStdinEnd: () => e.hub.closeStdin(),
      });
      try {
        await this.m.execStart(id);
        if (opts.consoleSize && opts.consoleSize[0] > 0) e.hub.resize(opts.consoleSize[0], opts.consoleSize[1]);
      } catch (err) {
        socket.end(tty ? `${(err as Error).message}\r\n` : muxFrame(1, Buffer.from(`${(err as Error).message}\r\n`)));
        e.hub.finish();
        return;
      }
      await served;
    };
    return { tty, run };
  }

  async resizeExec(id: string, height: number, width: number) {
    this.m.execResize(id, height, width);
  }
}

/** Adapts ContainerApi to the ExecBackend names. */
export function execBackend(api: ContainerApi): ExecBackend {
  return {
    create: (ref, body) => api.createExec(ref, body),
    inspect: (id) => api.inspectExec(id),
    start: (id, opts) => api.startExec(id, opts),
    resize: (id, h, w) => api.resizeExec(id, h, w),
  };
}

/** Serves a hijacked connection from a stdio hub until the process ends or the client detaches. */
function serveStdio(socket: Duplex, hub: StdioHub, o: { tty: boolean; stdout: boolean; stderr: boolean; stdin: boolean; keys: Buffer; onStdinEnd: () => void }): Promise<void> {
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      remove();
      socket.end();
      resolve();
    };
    const client: StdioClient = {
      wantStdout: o.stdout,
      wantStderr: o.stderr,
      write: (stream, data) => {
        if (!socket.writableEnded) socket.write(o.tty ? data : muxFrame(stream, data));
      },
      end: finish,
    };
    const remove = hub.add(client);
    socket.on('close', () => {
      done = true;
      remove();
      resolve();
    });
    socket.on('error', () => {});
    if (o.stdin) {
      const scanner = new DetachKeyScanner(o.keys);
      socket.on('data', (chunk: Buffer) => {
        const { data, detach } = scanner.push(chunk);
        hub.writeStdin(data);
        if (detach) finish();
      });
      socket.on('end', () => {
        if (!done) o.onStdinEnd();
      });
    } else {
      socket.resume();
    }
  });
}

function parseExecConfig(body: Record<string, unknown>): ExecConfig {
  const strArr = (v: unknown, field: string): string[] | undefined => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalidParameter(`${field} must be an array of strings`);
    return v as string[];
  };
  return {
    Cmd: strArr(body.Cmd, 'Cmd'),
    Env: strArr(body.Env, 'Env'),
    User: typeof body.User === 'string' ? body.User : '',
    WorkingDir: typeof body.WorkingDir === 'string' ? body.WorkingDir : '',
    Tty: body.Tty === true,
    Privileged: body.Privileged === true,
    AttachStdin: body.AttachStdin === true,
    AttachStdout: body.AttachStdout === true,
    AttachStderr: body.AttachStderr === true,
    DetachKeys: typeof body.DetachKeys === 'string' ? body.DetachKeys : '',
  };
}

function commandString(path: string, args: string[]): string {
  if (!args.length) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

function networksOf(c: Container): Record<string, unknown> {
  return ensureSettings(c.rec).Networks;
}

