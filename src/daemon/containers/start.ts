// docker start (moby daemon/start.go): the checks and the lock, then containerStart, which
// mounts the layer, sets up the network, writes the bundle, creates and starts the process
// under its shim, and on any failure undoes what it did and records Docker's exit code.
import { BerthError, conflict, invalidParameter, notModified, systemError } from '../../common/index.ts';
import { isLogInitError, logWriterOf } from '../logging/container-log.ts';
import { mkdir, readFile } from 'node:fs/promises';
import { RECURSIVE_READONLY, buildSpecFor, prepareEtcFiles } from './spec-inputs.ts';
import { MountSetupError, legacyMountPoints, setupMounts, unmountVolumes } from './mount-points.ts';
import { stageBind, unstageBind } from './subpath-staging.linux.ts';
import { dirname, join } from 'node:path';
import { NetworkStartError } from './networking.ts';
import { pathsOf, runtimeOf, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { etcNetworkOf, publishNetwork, refreshHostsFile, runningLookup } from './endpoints.ts';
import { linkEnvironment, parentsOf, withLinkEnv } from './links.ts';
import { removeLocked } from './delete.ts';
import { crashPoint } from '../fault-injection.ts';
import { containerProbe, initHealth, updateHealth } from './health-monitor.ts';

/** containerStart needs every box: the spec inputs read the daemon's settings. */
export type StartContext = ContainerContext;

export async function startContainer(ctx: StartContext, ref: string): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.locks.run(c.rec.ID, async () => {
    if (c.state.paused) throw conflict('cannot start a paused container, try unpause instead');
    if (c.state.running) throw notModified('container already started');
    if (c.state.removingOrDead) throw conflict(`container is marked for removal and cannot be started`);
    c.rec.HasBeenManuallyStopped = false;
    try {
      await containerStart(ctx, c);
    } catch (err) {
      // Docker removes an AutoRemove container whose start failed (the CLI waits for it).
      if (c.hostConfig.AutoRemove) await removeLocked(ctx, c, true).catch(() => {});
      throw err;
    }
  });
}

/** Starts a stopped container; call it under the container's lock. */
export async function containerStart(ctx: StartContext, c: Container): Promise<void> {
  const { stateDir, bundleDir } = pathsOf(ctx, c.rec.ID);
  const runtime = runtimeOf(c, ctx.defaultRuntime);
  let created = false;
  let networked = false;
  const mountedVolumes = new Set<string>();
  let releaseMounts = () => {};
  const net = ctx.networking;
  try {
    const asNetworkError = (e: unknown) => (e instanceof BerthError ? new NetworkStartError(e) : e);
    let netns;
    try {
      netns = net.netnsFor(c.hostConfig, runningLookup(ctx.store));
    } catch (e) {
      throw asNetworkError(e);
    }
    const rootfs = await ctx.layers.mountRW(c.rec.ID);
    networked = true;
    await net.prepare(c.rec, c.hostConfig).catch((e) => {
      throw asNetworkError(e);
    });
    let linkEnv: string[];
    try {
      linkEnv = linkEnvironment(ctx.store, c.rec);
    } catch (e) {
      throw asNetworkError(e);
    }
    await prepareEtcFiles(c.rec, c.hostConfig, ctx, etcNetworkOf(ctx, c));
    c.rec.MountPoints ??= legacyMountPoints(c.hostConfig);
    const mounts = await setupMounts(ctx, c, rootfs, {
      copyUp: !c.rec.HasBeenStartedBefore, recursiveReadonly: RECURSIVE_READONLY, mounted: mountedVolumes,
      readMountinfo: () => readFile('/proc/self/mountinfo', 'utf8'),
      stage: (fd, name) => stageBind(fd, join(ctx.execRoot, 'subpaths'), name),
      unstage: (path) => unstageBind(path),
    }).catch((e) => {
      throw e instanceof BerthError ? new MountSetupError(e) : e;
    });
    releaseMounts = mounts.release;
    const spec = await buildSpecFor(withLinkEnv(c.rec, linkEnv), c.hostConfig, rootfs, ctx, mounts, netns);
    // The log driver's settings where dockerd makes its logger (with the task's stdio, after the
    // mounts): a bad option fails the start and what was set up is undone below.
    const log = logWriterOf(c, pathsOf(ctx, c.rec.ID).dir);
    // dockerd sets LogPath when the json-file logger starts (and never shows the local driver's file).
    c.rec.LogPath = log?.driver === 'json-file' && log.path ? log.path : '';
    if (log?.driver === 'local' && log.path) await mkdir(dirname(log.path), { recursive: true, mode: 0o700 });
    await ctx.runtime.delete(c.rec.ID, runtime).catch(() => {});
    const { pid } = await ctx.runtime.create(c.rec.ID, bundleDir, spec, {
      runtime, stateDir, tty: Boolean(c.rec.Config.Tty), stdin: Boolean(c.rec.Config.OpenStdin), log,
      health: containerProbe(c) !== undefined,
    });
    created = true;
    releaseMounts();
    crashPoint('runtime-create');
    const netStart = performance.now();
    // The interfaces are plumbed while the stdio connection to the shim is made.
    // Both settle before going on, so a failure is cleaned up with the stdio already on the hub.
    const [plumbed, attached] = await Promise.allSettled([
      net.attach(c.rec, pid).then(() => ctx.log.debug('network attached', { id: c.rec.ID, ms: Math.round((performance.now() - netStart) * 10) / 10 })),
      ctx.runtime.attach(stateDir).then((stdio) => c.hub.connect(stdio)),
    ]);
    if (attached.status === 'rejected') throw attached.reason;
    if (plumbed.status === 'rejected') {
      throw new NetworkStartError(systemError(`failed to set up container networking: ${(plumbed.reason as Error).message}`));
    }
    publishNetwork(ctx, c, 'connect');
    await ctx.runtime.start(c.rec.ID, runtime);
    c.state.setRunning(pid);
    c.rec.HasBeenStartedBefore = true;
    await initHealth(ctx, c);
    await save(ctx, c);
    publish(ctx, c, 'start');
    updateHealth(ctx, c);
    ctx.watchExit(c);
    // Containers linked to this one follow its new address (moby OptionParentUpdate).
    for (const parent of parentsOf(ctx.store, c.rec.ID)) await refreshHostsFile(ctx, parent).catch(() => {});
  } catch (err) {
    releaseMounts();
    const message = err instanceof Error ? err.message : String(err);
    if (created) await ctx.runtime.delete(c.rec.ID, runtime).catch(() => {});
    if (networked) await net.detach(c.rec).catch(() => {});
    c.hub.finish();
    if (mountedVolumes.size) await unmountVolumes(ctx, c, [...mountedVolumes]);
    await ctx.layers.unmountRW(c.rec.ID).catch(() => {});
    const early = err instanceof NetworkStartError || err instanceof MountSetupError || isLogInitError(err);
    const { code, error } = early ? { code: 128, error: isLogInitError(err) ? err : (err as NetworkStartError).cause } : translateStartError(message);
    c.state.setStartFailed(code, message, { everStarted: c.rec.HasBeenStartedBefore, beforeRun: early });
    await save(ctx, c).catch(() => {});
    if (err instanceof BerthError && err.kind !== 'System') throw err;
    throw error;
  }
}

/** Docker's mapping of runtime start errors to exit codes and API errors (moby translateContainerdStartErr). */
export function translateStartError(message: string): { code: number; error: BerthError } {
  const detail = message.replace(/^runc create failed: /, '');
  const msg = `failed to create task for container: OCI runtime create failed: runc create failed: ${detail}: unknown`;
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) {
    return { code: 127, error: invalidParameter(msg) };
  }
  if (/permission denied|is a directory/.test(message)) {
    return { code: 126, error: invalidParameter(msg) };
  }
  return { code: 128, error: systemError(msg) };
}
