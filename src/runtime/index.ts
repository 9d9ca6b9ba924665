// The runtime box: OCI specs, the OCI runtime (runc) and the per-process shim. Other boxes
// import only from here.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Runc, runtimeVersion, type LinuxResourcesUpdate } from './runc.ts';
import { startShim, readShimExit, isShimAlive, waitShimExit, type ShimExit, type LogTarget } from './shim-client.ts';
import { ShimStdio } from './shim-stdio.ts';
import { ShimHealth, writeHealthProcess } from './shim-health.ts';

export { buildOciSpec, type ContainerSpecInput } from './spec/build.ts';
export { checkExecStrings } from './spec/process.ts';
export type { Spec, SpecProcess } from './spec/types.ts';
export type { NetworkNamespace } from './spec/namespaces.ts';
export type { MountSpec } from './spec/mounts.ts';
export type { EtcFiles } from './spec/etc-files.ts';
export type { DeviceInput } from './spec/devices.ts';
export { processEnv } from './spec/env.ts';
export { normalizeCapabilities, tweakCapabilities } from './spec/capabilities.ts';
export { validateSysctls } from './spec/sysctls.ts';
export { checkDeviceAccess, parseDeviceCgroupRule, splitDevNumber } from './spec/devices.ts';
export { resolveUser, type ReadRootfsFile, type ResolvedUser } from './user.ts';
export { supportsRecursiveReadonly } from './mount-features.ts';
export {
  ALL_CAPABILITIES, DEFAULT_CAPABILITIES, DEFAULT_INIT_PATH, DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, DEFAULT_SHM_SIZE, MIN_MEMORY, ULIMIT_NAMES,
  capabilitiesFromMask, capabilitiesUpTo,
} from './defaults.ts';
export { checkSeccompProfile, loadSeccompProfile, parseSeccompProfile, type SeccompProfile } from './seccomp.ts';
// Docker's default seccomp profile, as shipped (the daemon checks it with checkSeccompProfile).
export { default as defaultSeccompProfile } from './seccomp-default.json' with { type: 'json' };
export type { ShimExit, LogTarget } from './shim-client.ts';
export type { ShimStdio } from './shim-stdio.ts';
export type { ShimHealth, ShimProbeResult } from './shim-health.ts';
export { readLogs, readLogBatches, type LogEntry, type LogFormat } from './json-file-log.ts';
export type { LinuxResourcesUpdate } from './runc.ts';
export { BLKIO_FIELDS, type FsRoots, type CgroupStats } from './cgroup-stats.ts';
// Linux adapters: the daemon's logic reaches /proc, /sys and host processes only through these.
export { sampleContainer, type ContainerSample } from './container-sample.linux.ts';
export { hostCapabilities, cgroupV2Only } from './host.linux.ts';
export { runPs } from './ps.linux.ts';

export interface RuntimeOptions {
  /** Path of the OCI runtime binary per runtime name (daemon.json `runtimes`). */
  runtimes: Record<string, { path: string }>;
  /** Where runc keeps its state (`--root`), under the exec root. */
  runtimeRoot: string;
  shimPath: string;
}


export interface ProcessStart {
  runtime: string;
  /** Shim state dir: attach.sock, exit, pid. Short path: unix socket names are limited to 108 bytes. */
  stateDir: string;
  tty: boolean;
  stdin: boolean;
  log?: LogTarget;
  /** The container's shim serves health.sock for its healthcheck probes. */
  health?: boolean;
}

export class ContainerRuntime {
  private readonly opts: RuntimeOptions;
  private readonly runcs = new Map<string, Runc>();

  constructor(opts: RuntimeOptions) {
    this.opts = opts;
  }

  runtimeNames(): string[] {
    return Object.keys(this.opts.runtimes);
  }

  private runc(runtime: string): Runc {
    let r = this.runcs.get(runtime);
    if (!r) {
      const conf = this.opts.runtimes[runtime];
      if (!conf) throw new Error(`unknown or invalid runtime name: ${runtime}`);
      r = new Runc({ path: conf.path, root: join(this.opts.runtimeRoot, runtime) });
      this.runcs.set(runtime, r);
    }
    return r;
  }

  /** Writes the bundle and creates the container (runc create under a shim); not yet started. */
  async create(id: string, bundleDir: string, spec: unknown, p: ProcessStart): Promise<{ pid: number }> {
    await mkdir(bundleDir, { recursive: true });
    await mkdir(p.stateDir, { recursive: true });
    await rm(join(p.stateDir, 'exit'), { force: true });
    // The exec root is ephemeral (tmpfs, gone at reboot) and read once by the runtime: a plain
    // write is whole once it returns, so no fsync is spent on the start path.
    await writeFile(join(bundleDir, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
    const conf = this.opts.runtimes[p.runtime];
    const started = await startShim({
      shimPath: this.opts.shimPath,
      runtimePath: conf.path,
      runtimeRoot: join(this.opts.runtimeRoot, p.runtime),
      id,
      stateDir: p.stateDir,
      bundle: bundleDir,
      tty: p.tty,
      stdin: p.stdin,
      log: p.log,
      health: p.health,
    });
    return { pid: started.pid };
  }

  start(id: string, runtime: string): Promise<void> {
    return this.runc(runtime).start(id);
  }

  /** Runs a process in a running container under its own shim. */
  async exec(containerId: string, process: unknown, p: ProcessStart): Promise<{ pid: number }> {
    await mkdir(p.stateDir, { recursive: true });
    const processFile = join(p.stateDir, 'process.json');
    await writeFile(processFile, JSON.stringify(process), { mode: 0o600 });
    const conf = this.opts.runtimes[p.runtime];
    const started = await startShim({
      shimPath: this.opts.shimPath,
      runtimePath: conf.path,
      runtimeRoot: join(this.opts.runtimeRoot, p.runtime),
      id: containerId,
      stateDir: p.stateDir,
      exec: { processFile },
      tty: p.tty,
      stdin: p.stdin,
    });
    return { pid: started.pid };
  }

  kill(id: string, runtime: string, signal: string | number, all = false): Promise<void> {
    return this.runc(runtime).kill(id, signal, all);
  }

  delete(id: string, runtime: string): Promise<void> {
    return this.runc(runtime).delete(id, true);
  }

  pause(id: string, runtime: string): Promise<void> {
    return this.runc(runtime).pause(id);
  }

  resume(id: string, runtime: string): Promise<void> {
    return this.runc(runtime).resume(id);
  }

  /** `docker update` of a running container: its new cgroup limits through the runtime. */
  updateResources(id: string, runtime: string, resources: LinuxResourcesUpdate): Promise<void> {
    return this.runc(runtime).update(id, resources);
  }

  /** The runtime binary's version ('' when it cannot tell), for /info and /version. */
  version(runtime: string): Promise<string> {
    const conf = this.opts.runtimes[runtime];
    return conf ? runtimeVersion(conf.path) : Promise.resolve('');
  }

  ps(id: string, runtime: string): Promise<number[]> {
    return this.runc(runtime).ps(id);
  }

  async list(runtime: string): Promise<Array<{ id: string; status: string; pid: number }>> {
    return this.runc(runtime).list();
  }

  /** The process's stdio: reconnected when the shim drops it, closed once the process is done. */
  attach(stateDir: string): Promise<ShimStdio> {
    return ShimStdio.open(stateDir);
  }

  /**
   * Resolves with the process's exit once its shim has recorded it, through a watch the shim
   * never drops; 255 only when the shim is gone without a record. Never resolves while the
   * shim runs without a record, so a live container is never taken for an exited one.
   */
  waitExit(stateDir: string): Promise<ShimExit> {
    return waitShimExit(stateDir);
  }

  /** The healthcheck probe's process, for the container shim's health.sock. */
  writeHealthProcess(stateDir: string, process: unknown): Promise<void> {
    return writeHealthProcess(stateDir, process);
  }

  /** The container shim's health.sock (started with `health`). */
  connectHealth(stateDir: string): Promise<ShimHealth> {
    return ShimHealth.connect(stateDir);
  }

  readExit(stateDir: string): Promise<ShimExit | undefined> {
    return readShimExit(stateDir);
  }

  isAlive(stateDir: string): Promise<boolean> {
    return isShimAlive(stateDir);
  }
}

/**
 * Whether the kernel OOM-killed a process of this cgroup (v1 memory.oom_control's oom_kill
 * counter, or v2 memory.events' oom_kill).
 */
export async function cgroupOomKilled(cgroupsPath: string): Promise<boolean> {
  const candidates = [
    [`/sys/fs/cgroup/memory${cgroupsPath}/memory.oom_control`, /oom_kill (\d+)/],
    [`/sys/fs/cgroup${cgroupsPath}/memory.events`, /oom_kill (\d+)/],
  ] as const;
  for (const [file, re] of candidates) {
    try {
      const m = re.exec(await readFile(file, 'utf8'));
      if (m) return Number(m[1]) > 0;
    } catch {
      // not this cgroup version
    }
  }
  return false;
}
