// RUN (moby builder/dockerfile/internals.go create + containerManager.Run + commitContainer):
// a build container made and started through the daemon's own container verbs, so the default
// security profile, cgroups and networking apply and `docker ps -a` shows it while it runs; its
// output streamed to the step; its RW layer registered as the step's layer; then removed (rm),
// or kept (rm=false), and a failed one removed only with forcerm, as moby does. A build that is
// cancelled (client gone, /build/cancel) kills the container and removes it with its volumes.
import type { ContainerCreateRequest } from '../../api/index.ts';
import { chainIds } from '../../image/index.ts';
import { BuildRunError, SCRATCH, type RunRequest, type StepImage, type StepLayer } from '../../builder/index.ts';
import type { ContainerReader, ContainerVerbs } from '../containers/index.ts';
import type { HostConfig } from '../host-config/types.ts';
import { commitRwLayer, type ScratchDeps, type ScratchLayers } from './scratch-layer.ts';
import { missingComponents, removeStubs } from './mount-stubs.ts';
import { prepareRunMounts, type RunMountDeps } from './run-mounts.ts';

/** The build's options that shape its containers (the POST /build query). */
export interface BuildRunOptions {
  memory?: number;
  memswap?: number;
  cpushares?: number;
  cpusetcpus?: string;
  cpuperiod?: number;
  cpuquota?: number;
  shmsize?: number;
  ulimits?: { Name: string; Soft: number; Hard: number }[];
  extrahosts?: string[];
  networkmode?: string;
}

export interface RunStepDeps {
  createContainer(body: ContainerCreateRequest): Promise<{ Id: string; Warnings: string[] | null }>;
  verbs: Pick<ContainerVerbs, 'start' | 'wait' | 'kill' | 'remove'>;
  containers: Pick<ContainerReader, 'find'>;
  layers: ScratchLayers;
  images: ScratchDeps['images'];
  mounts: RunMountDeps;
}

export class BuildCancelled extends Error {
  constructor() {
    super('Build cancelled');
  }
}

export function chainOf(image: StepImage): string | null {
  return chainIds(image.config.rootfs.diff_ids).at(-1) ?? null;
}

/** moby hostConfigFromOptions: the build's resources, its log config `none`, its network. */
function hostConfigFor(opts: BuildRunOptions, network: string | undefined): HostConfig {
  const hc: HostConfig = {
    LogConfig: { Type: 'none', Config: {} },
    NetworkMode: network && network !== 'default' ? network : opts.networkmode || 'default',
  };
  if (opts.memory) hc.Memory = opts.memory;
  if (opts.memswap) hc.MemorySwap = opts.memswap;
  if (opts.cpushares) hc.CpuShares = opts.cpushares;
  if (opts.cpusetcpus) hc.CpusetCpus = opts.cpusetcpus;
  if (opts.cpuperiod) hc.CpuPeriod = opts.cpuperiod;
  if (opts.cpuquota) hc.CpuQuota = opts.cpuquota;
  if (opts.shmsize) hc.ShmSize = opts.shmsize;
  if (opts.ulimits?.length) hc.Ulimits = opts.ulimits;
  if (opts.extrahosts?.length) hc.ExtraHosts = opts.extrahosts;
  return hc;
}

/** `env=` of a secret: the command runs under a shell that reads the variable from the mounted file (never from the container's stored config). */
function withSecretEnv(cmd: string[], env: { name: string; path: string }[]): string[] {
  if (env.length === 0) return cmd;
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const exports = env.map((e) => `${e.name}="$(cat ${q(e.path)})"; export ${e.name}`).join('; ');
  return ['/bin/sh', '-c', `${exports}; exec "$@"`, 'sh', ...cmd];
}

export async function runStep(deps: RunStepDeps, opts: BuildRunOptions, req: RunRequest): Promise<StepLayer | undefined> {
  if (req.signal.aborted) throw new BuildCancelled();
  const parent = req.parent;
  if (parent === SCRATCH) throw new BuildRunError(`The command '${(req.config.Cmd ?? []).join(' ')}' returned a non-zero code: 127`, 127);
  for (const m of req.mounts) {
    if (m.env && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(m.env)) throw new Error(`invalid secret env name ${JSON.stringify(m.env)}`);
  }
  const prepared = await prepareRunMounts(deps.mounts, req.mounts);
  let id: string | undefined;
  let cancelled = false;
  let succeeded = false;
  const cancel = () => {
    cancelled = true;
    if (id) void deps.verbs.kill(id, 'SIGKILL').catch(() => {});
  };
  req.signal.addEventListener('abort', cancel, { once: true });
  try {
    const cmd = req.config.Cmd ?? [];
    const hc = hostConfigFor(opts, req.network);
    if (prepared.mounts.length) hc.Mounts = prepared.mounts;
    const stdin = req.stdin !== undefined;
    const body: ContainerCreateRequest = {
      ...(req.config as ContainerCreateRequest),
      Image: parent.id,
      Cmd: withSecretEnv(cmd, prepared.secretEnv),
      // moby withEntrypointOverride(cmd, [""]): a RUN never goes through the image's ENTRYPOINT.
      Entrypoint: cmd.length ? [''] : req.config.Entrypoint ?? null,
      Healthcheck: null,
      OnBuild: null,
      Tty: false,
      AttachStdin: stdin,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: stdin,
      StdinOnce: stdin,
      HostConfig: hc,
    } as ContainerCreateRequest;
    const created = await deps.createContainer(body);
    id = created.Id;
    for (const w of created.Warnings ?? []) req.onOutput(Buffer.from(` ---> [Warning] ${w}\n`));
    req.onContainer(id);
    if (cancelled) throw new BuildCancelled();
    const c = deps.containers.find(id);
    if (!c) throw new BuildCancelled();
    // The mount points the runtime will make for the targets, to leave them out of the layer.
    const rootfs = await deps.layers.mountRW(id);
    const stubs = prepared.targets.flatMap((t) => missingComponents(rootfs, t));
    let removeClient = () => {};
    const outputDone = new Promise<void>((resolve) => {
      removeClient = c.hub.add({ wantStdout: true, wantStderr: true, write: (stream, data) => (stream === 2 && req.onStderr ? req.onStderr(data) : req.onOutput(data)), end: resolve });
    });
    if (stdin) {
      c.hub.writeStdin(Buffer.from(req.stdin!));
      c.hub.closeStdin();
    }
    try {
      await deps.verbs.start(id);
      if (cancelled) await deps.verbs.kill(id, 'SIGKILL').catch(() => {});
      const never = new AbortController().signal;
      const res = await deps.verbs.wait(id, 'not-running', never);
      // The exit is recorded once the last output was delivered; don't hang on a lost stream.
      await Promise.race([outputDone, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (cancelled) throw new BuildCancelled();
      if (res.StatusCode !== 0) {
        throw new BuildRunError(`The command '${cmd.join(' ')}' returned a non-zero code: ${res.StatusCode}`, res.StatusCode);
      }
    } finally {
      removeClient();
    }
    await deps.layers.unmountRW(id);
    const src = await deps.layers.rwDiffSource(id);
    removeStubs(src.kind === 'overlay' ? src.upper : src.dir, stubs);
    const layer = await commitRwLayer(deps, id, chainOf(parent));
    succeeded = true;
    return layer;
  } finally {
    req.signal.removeEventListener('abort', cancel);
    await prepared.release();
    if (id && (cancelled || req.remove === 'always' || (succeeded && req.remove === 'on-success'))) {
      await deps.verbs.remove(id, { force: true, volumes: true }).catch(() => {});
    }
  }
}
