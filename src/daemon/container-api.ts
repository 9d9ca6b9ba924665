// Implements the container and exec route backends on the containers box (its read-only view
// and its verbs): request bodies in; out, the records that api/shapes/containers.ts turns into
// Docker's response shapes.
import type { Duplex } from 'node:stream';
import type {
  ContainersBackend,
  LogOptions,
  AttachOptions,
  StatsQuery,
  ExecBackend,
  Filters,
  ContainerCreateRequest,
  ContainerUpdateRequest,
  ExecConfig as ApiExecConfig,
  ContainerInspectEntry,
  ContainerListEntry,
  ContainerSizes,
  CommitQuery,
} from '../api/index.ts';
import { openStats, statsTargetOf } from './stats.ts';
import {
  conflict,
  type DeepReadonly,
  invalidParameter,
  notImplemented,
  parseRfc3339Nano,
  muxFrame,
} from '../common/index.ts';
import { readLogBatches, readLogs, runPs } from '../runtime/index.ts';
import { containerLogSource, logFrames } from './logging/container-log.ts';
import { settingsOf, type ContainerReader, type ContainerVerbs, type ReadonlyContainer as Container } from './containers/index.ts';
import { filterContainers, type ContainerView } from './containers/list-filters.ts';
import { topOf, validatePsArgs } from './containers/top.ts';
import { DetachKeyScanner, parseDetachKeys, DEFAULT_DETACH_KEYS } from './containers/detach-keys.ts';
import { mergeImageConfig, normalizeCreateBody } from './containers/create-request.ts';
import { createWarnings } from './host-config/index.ts';
import { migrateMacAddress } from './mac-address-compat.ts';
import type { ExecConfig } from './containers/spec-inputs.ts';
import type { StdioClient, StdioHub } from './containers/stdio-hub.ts';
import type { ImageResolver, RWLayers } from './containers/deps.ts';
import { listPorts, type PortMapping } from '../network/index.ts';

/**
 * A container's ports for the list. A key that does not parse (stored before create checked
 * them) is left out: one bad record must never fail the list for everyone.
 */
function listablePorts(c: Container): ReturnType<typeof listPorts> {
  const mappings: PortMapping[] = c.rec.State.Running ? [...settingsOf(c.rec).PortMappings] : [];
  const exposed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(c.rec.Config.ExposedPorts ?? {})) {
    try {
      listPorts([], { [key]: value });
      exposed[key] = value;
    } catch {
      // skipped: see above
    }
  }
  return listPorts(mappings, exposed);
}

export interface ContainerApiDeps {
  containers: ContainerReader;
  verbs: ContainerVerbs;
  images: ImageResolver & { resolveId(ref: string): Promise<string | undefined> };
  layers: RWLayers & { rwGraphDriverData(id: string): Promise<{ Name: string; Data: Record<string, string> }> };
  /** The image's size: SizeRootFs is the writable layer plus it, as dockerd reports. */
  imageSize(imageId: string): Promise<number>;
}

export class ContainerApi implements ContainersBackend {
  private readonly m: ContainerReader;
  private readonly v: ContainerVerbs;
  private readonly deps: ContainerApiDeps;
  private readonly graphDrivers = new WeakMap<Container, Promise<DeepReadonly<ContainerInspectEntry['graphDriver']>>>();

  constructor(deps: ContainerApiDeps) {
    this.m = deps.containers;
    this.v = deps.verbs;
    this.deps = deps;
  }

  // ---- containers ---------------------------------------------------------------------

  async create(name: string | undefined, body: ContainerCreateRequest, version: string) {
    const { config, hostConfig } = normalizeCreateBody(body);
    const image = await this.deps.images.resolve(config.Image);
    const nc = body.NetworkingConfig;
    if (nc !== undefined && nc !== null && (typeof nc !== 'object' || Array.isArray(nc))) throw invalidParameter('NetworkingConfig must be an object');
    const eps = nc?.EndpointsConfig;
    if (eps !== undefined && eps !== null && (typeof eps !== 'object' || Array.isArray(eps))) throw invalidParameter('EndpointsConfig must be an object');
    const mac = migrateMacAddress(body.MacAddress, hostConfig.NetworkMode ?? undefined, (eps ?? undefined) as Parameters<typeof migrateMacAddress>[2], version);
    const merged = mergeImageConfig(config, image);
    const created = await this.v.create(name, merged, hostConfig, mac.endpoints as typeof eps ?? undefined);
    // Docker's warnings, and berth's for what it accepts without doing all that Docker does.
    return { ...created, Warnings: [...createWarnings(hostConfig, merged), ...created.Warnings, ...(mac.warning ? [mac.warning] : [])] };
  }

  exists(ref: string): void {
    this.m.get(ref);
  }

  private view(c: Container): ContainerView {
    return {
      id: c.rec.ID, name: c.rec.Name.slice(1), created: BigInt(c.rec.CreatedNs), imageId: c.rec.Image, image: c.rec.Config.Image,
      status: c.rec.State.Status, exitCode: c.rec.State.ExitCode, labels: c.rec.Config.Labels ?? {}, health: c.rec.State.Health?.Status,
      networks: Object.entries(settingsOf(c.rec).Networks).map(([name, ep]) => ({ name, id: ep.NetworkID })),
      mounts: Object.values(c.rec.MountPoints ?? {}).map((m) => ({ name: m.Name || undefined, source: m.Source, destination: m.Destination })),
      ports: listablePorts(c)
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
    // Containers share images: size each image once per listing.
    const imageSizes = new Map<string, Promise<number>>();
    const imageSize = (id: string) => {
      if (!imageSizes.has(id)) imageSizes.set(id, this.deps.imageSize(id).catch(() => 0));
      return imageSizes.get(id)!;
    };
    const out: DeepReadonly<ContainerListEntry>[] = [];
    for (const v of picked) {
      const c = views.get(v.id)!.c;
      out.push({
        record: c.rec, names: this.m.namesOf(c), hostConfig: c.hostConfig, ports: listablePorts(c), networks: settingsOf(c.rec).Networks,
        size: opts.size ? await this.sizes(c.rec.ID, imageSize(c.rec.Image)) : undefined,
      });
    }
    return out;
  }

  /** SizeRw is the writable layer; SizeRootFs adds the image, as dockerd reports. */
  private async sizes(id: string, imageSize: Promise<number>): Promise<ContainerSizes> {
    const rw = await this.deps.layers.rwSize(id).catch(() => 0);
    return { rw, rootFs: rw + (await imageSize) };
  }

  async inspect(ref: string, opts: { size: boolean }): Promise<DeepReadonly<ContainerInspectEntry>> {
    const c = this.m.get(ref);
    const r = c.rec;
    const s = settingsOf(r);
    // dockerd 28 shows the MAC asked for on NetworkMode's network as Config.MacAddress (omitted when none).
    const mode = !c.hostConfig.NetworkMode || c.hostConfig.NetworkMode === 'default' ? 'bridge' : c.hostConfig.NetworkMode;
    const desiredMac = s.DesiredMacAddresses?.[mode];
    return {
      record: desiredMac ? { ...r, Config: { ...r.Config, MacAddress: desiredMac } } : r,
      hostConfig: { ...c.hostConfig, Links: this.m.linksOf(c) }, execIds: [...c.execIds],
      graphDriver: await this.graphDriverOf(c),
      sandboxId: s.SandboxID, sandboxKey: s.SandboxKey, ports: r.State.Running ? this.m.ports(c) : undefined, networks: s.Networks,
      size: opts.size ? await this.sizes(r.ID, this.deps.imageSize(r.Image).catch(() => 0)) : undefined,
    };
  }

  /**
   * A container's layer paths never change while it exists: read once (inspect is on the path of
   * every `docker exec`, which asks whether the container runs), kept with the container object.
   */
  private graphDriverOf(c: Container): Promise<DeepReadonly<ContainerInspectEntry['graphDriver']>> {
    let p = this.graphDrivers.get(c);
    if (!p) {
      p = this.deps.layers.rwGraphDriverData(c.rec.ID).catch(() => {
        this.graphDrivers.delete(c);
        return { Name: c.rec.Driver, Data: null };
      });
      this.graphDrivers.set(c, p);
    }
    return p;
  }

  start(ref: string) {
    return this.v.start(ref);
  }

  stop(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.v.stop(ref, opts);
  }

  restart(ref: string, opts: { timeout?: number; signal?: string }) {
    return this.v.restart(ref, opts);
  }

  kill(ref: string, signal?: string) {
    return this.v.kill(ref, signal);
  }

  wait(ref: string, condition: string, signal: AbortSignal) {
    return this.v.wait(ref, condition, signal);
  }

  remove(ref: string, opts: { force: boolean; volumes: boolean; link: boolean }) {
    // The CLI sends "/containers//parent/alias"; dockerd sees the cleaned path.
    if (opts.link) return this.v.removeLink(ref.replace(/^\/+/, ''));
    return this.v.remove(ref, opts);
  }

  rename(ref: string, name: string) {
    return this.v.rename(ref, name);
  }

  pause(ref: string) {
    return this.v.pause(ref);
  }

  unpause(ref: string) {
    return this.v.unpause(ref);
  }

  // ---- docker cp (containers/archive.ts) ----------------------------------------------

  archiveStat(ref: string, path: string) {
    return this.v.statPath(ref, path);
  }

  archiveGet(ref: string, path: string) {
    return this.v.archivePath(ref, path);
  }

  archivePut(ref: string, path: string, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }, body: AsyncIterable<Uint8Array>) {
    return this.v.extractToDir(ref, path, opts, body);
  }

  async top(ref: string, psArgs: string) {
    validatePsArgs(psArgs);
    const pids = await this.v.pids(ref);
    return topOf(pids, psArgs, runPs);
  }

  async logs(ref: string, opts: LogOptions) {
    const c = this.m.get(ref);
    const source = containerLogSource(c);
    if (!source) throw notImplemented(`configured logging driver does not support reading`);
    const tty = Boolean(c.rec.Config.Tty);
    const stopWhen = () => !c.rec.State.Running && !c.rec.State.Restarting;
    const batches = readLogBatches(source.path, {
      format: source.format, since: opts.since, until: opts.until, tail: opts.tail, follow: opts.follow && !stopWhen(), signal: opts.signal,
      maxFile: source.maxFile, stopWhen, recycle: true, // logFrames and the route copy what they send
    });
    return { tty, lines: logFrames(batches, opts) };
  }

  async attach(ref: string, opts: AttachOptions) {
    const c = this.m.get(ref);
    const keys = parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS, 'attach');
    // moby ContainerAttach: a stopped container may be attached to, and its output comes when it
    // is started again (docker-compose 1.x attaches to its services, then starts them); the
    // docker CLI refuses a stopped container itself, before it calls the API.
    if (c.rec.State.Paused) throw conflict(`container ${ref} is paused, unpause the container before attach`);
    if (c.rec.State.Restarting) throw conflict(`container ${ref} is restarting, wait until the container is running`);
    const tty = Boolean(c.rec.Config.Tty);
    // Websocket attach never multiplexes (moby MuxStreams: false).
    const mux = !tty && !opts.raw;
    const run = async (socket: Duplex) => {
      const source = opts.logs ? containerLogSource(c) : undefined;
      if (source) {
        for await (const entry of readLogs(source.path, { format: source.format, maxFile: source.maxFile, tail: -1, follow: false })) {
          const stream = entry.stream === 'stderr' ? 2 : 1;
          if ((stream === 1 && opts.stdout) || (stream === 2 && opts.stderr)) socket.write(mux ? muxFrame(stream, entry.line) : entry.line);
        }
      }
      // moby containerAttach: the attach event after the logs, stream or not; detach when the detach keys end it.
      this.v.attachEvent(c.rec.ID, 'attach');
      if (!opts.stream) {
        socket.end();
        return;
      }
      const detached = await serveStdio(socket, c.hub, {
        tty, raw: !mux, stdout: opts.stdout, stderr: opts.stderr, stdin: opts.stdin && Boolean(c.rec.Config.OpenStdin), keys,
        onStdinEnd: () => {
          // moby: a TTY's stdin stays open when one client leaves (docker's ctrl-p ctrl-q detach).
          if (c.rec.Config.StdinOnce && !c.rec.Config.Tty) c.hub.closeStdin();
        },
      });
      if (detached && this.m.exists(c)) this.v.attachEvent(c.rec.ID, 'detach');
    };
    return { tty, run };
  }

  async stats(ref: string, opts: StatsQuery) {
    const c = this.m.get(ref);
    return openStats(statsTargetOf(c, () => !this.m.exists(c)), opts);
  }

  update(ref: string, body: ContainerUpdateRequest, version: string) {
    return this.v.update(ref, body, version);
  }

  async resize(ref: string, height: number, width: number) {
    this.v.resize(ref, height, width);
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
    const result = await this.v.prune((c) =>
      (untilNs === undefined || BigInt(c.rec.CreatedNs) < untilNs) && labels.every((l) => hasLabel(c, l)) && !notLabels.some((l) => hasLabel(c, l)));
    return { ContainersDeleted: result.ContainersDeleted.length ? result.ContainersDeleted : null, SpaceReclaimed: result.SpaceReclaimed };
  }

  // ---- filesystem: export, diff, commit ----------------------------------------------

  export(ref: string) {
    return this.v.export(ref);
  }

  async changes(ref: string) {
    const changes = await this.v.changes(ref);
    // moby writes a nil slice: `null` when nothing changed.
    return changes.length > 0 ? changes : null;
  }

  async commit(ref: string, q: CommitQuery) {
    // moby GetContainer(""): an empty ref is no prefix of every ID.
    if (ref === '') throw invalidParameter('invalid name or ID supplied: ""');
    return this.v.commit(ref, {
      config: q.config === undefined ? undefined : JSON.parse(JSON.stringify(q.config)),
      changes: q.changes, author: q.author, comment: q.comment, pause: q.pause, repo: q.repo || undefined, tag: q.tag || undefined,
    });
  }

  // ---- exec ---------------------------------------------------------------------------

  async createExec(containerRef: string, body: ApiExecConfig) {
    return { Id: this.v.execCreate(containerRef, parseExecConfig(body)) };
  }

  async inspectExec(id: string) {
    return this.m.getExec(id);
  }

  async startExec(id: string, opts: { detach: boolean; tty?: boolean; consoleSize?: [number, number] }) {
    const e = this.m.getExec(id);
    const tty = Boolean(e.config.Tty);
    if (opts.detach) {
      await this.v.execStart(id);
      return { tty };
    }
    const keys = parseDetachKeys(e.config.DetachKeys || DEFAULT_DETACH_KEYS, 'exec');
    const run = async (socket: Duplex) => {
      // The client is attached before the process starts, so no output is missed.
      const served = serveStdio(socket, e.hub, {
        tty, stdout: Boolean(e.config.AttachStdout), stderr: Boolean(e.config.AttachStderr), stdin: Boolean(e.config.AttachStdin), keys,
        // dockerd closes the exec's stdin when the client's ends; on a TTY that reaches the
        // process as nothing (containerd closes its copy into the pty), so a client that goes
        // (the docker CLI detaching on its own) leaves the shell running.
        onStdinEnd: () => {
          if (!tty) e.hub.closeStdin();
        },
      });
      try {
        await this.v.execStart(id);
        if (opts.consoleSize && opts.consoleSize[0] > 0) e.hub.resize(opts.consoleSize[0], opts.consoleSize[1]);
      } catch (err) {
        socket.end(tty ? `${(err as Error).message}\r\n` : muxFrame(1, Buffer.from(`${(err as Error).message}\r\n`)));
        e.hub.finish();
        return;
      }
      if (await served) this.v.attachEvent(e.containerId, 'exec_detach', id);
    };
    return { tty, run };
  }

  async resizeExec(id: string, height: number, width: number) {
    this.v.execResize(id, height, width);
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
/** Resolves true when the client left with the detach keys. */
function serveStdio(socket: Duplex, hub: StdioHub, o: { tty: boolean; raw?: boolean; stdout: boolean; stderr: boolean; stdin: boolean; keys: Buffer; onStdinEnd: () => void }): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = (detached = false) => {
      if (done) return;
      done = true;
      remove();
      socket.end();
      resolve(detached);
    };
    const client: StdioClient = {
      wantStdout: o.stdout,
      wantStderr: o.stderr,
      write: (stream, data) => {
        if (!socket.writableEnded) socket.write(o.tty || o.raw ? data : muxFrame(stream, data));
      },
      end: () => finish(),
    };
    const remove = hub.add(client);
    socket.on('close', () => {
      done = true;
      remove();
      resolve(false);
    });
    socket.on('error', () => {});
    if (o.stdin) {
      // Detach keys apply only with a TTY (moby's CopyStreams): on a pipe every byte is data.
      const scanner = o.tty ? new DetachKeyScanner(o.keys) : undefined;
      socket.on('data', (chunk: Buffer) => {
        if (!scanner) {
          hub.writeStdin(chunk);
          return;
        }
        const { data, detach } = scanner.push(chunk);
        hub.writeStdin(data);
        if (detach) finish(true);
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
