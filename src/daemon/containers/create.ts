// docker create (moby daemon/create.go): the request checked, a name reserved, the writable
// layer made, the record saved, and only then the container known to the store.
import { mkdir, rm } from 'node:fs/promises';
import { mergeLogConfig } from '../logging/log-config.ts';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { invalidParameter, newId, formatRfc3339Nano, nowNs } from '../../common/index.ts';
import { commandOf } from '../host-config/index.ts';
import { containerDir, initialState, saveRecord, type StoredConfig, type ContainerRecord, type HostConfig } from './record.ts';
import { validateContainerName } from './names.ts';
import { parseRestartPolicy } from './restart-policy.ts';
import { isContainerMode, type EndpointsConfig } from './networking.ts';
import { newContainer } from './container.ts';
import { publish, type ContainerContext } from './context.ts';
import { registerMountPoints } from './mount-points.ts';
import { resolveLinks } from './links.ts';
import { applyHostConfigDefaults, hostIsCgroupV2 } from './host-config-defaults.ts';

type Ctx = Pick<ContainerContext,
  'store' | 'images' | 'validateHostConfig' | 'runtime' | 'defaultRuntime' | 'networking' | 'layers' | 'dataRoot' | 'logDriver' | 'logOpts' | 'events'
  | 'volumes' | 'log'>;

export async function createContainer(
  ctx: Ctx, name: string | undefined, config: StoredConfig, hostConfig: HostConfig, endpointsConfig?: EndpointsConfig,
): Promise<{ Id: string; Warnings: string[] }> {
  if (name) validateContainerName(name);
  if (!config.Image) throw invalidParameter('No command specified');
  const image = await ctx.images.resolve(config.Image);
  ctx.validateHostConfig(hostConfig, config);
  parseRestartPolicy(hostConfig.RestartPolicy ?? { Name: 'no' }, Boolean(hostConfig.AutoRemove));
  const runtime = hostConfig.Runtime || ctx.defaultRuntime;
  if (!ctx.runtime.runtimeNames().includes(runtime)) throw invalidParameter(`unknown or invalid runtime name: ${runtime}`);
  const [path, ...args] = commandOf(config);
  const warnings: string[] = [];
  const mode = hostConfig.NetworkMode || 'default';
  if (isContainerMode(mode)) {
    const other = ctx.store.get(mode.slice('container:'.length));
    hostConfig.NetworkMode = `container:${other.rec.ID}`;
  }
  if (mode === 'host' && hostConfig.PortBindings && Object.keys(hostConfig.PortBindings as object).length) {
    warnings.push('Published ports are discarded when using host network mode');
    hostConfig.PortBindings = {};
  }

  const id = newId();
  const fullName = ctx.store.reserveName(name || ctx.store.freeName(), id);
  const linkNames: string[] = [];
  try {
    const links = resolveLinks(ctx.store, fullName, hostConfig);
    for (const link of links) linkNames.push(ctx.store.reserveName(link.Name, link.ID));
    const createdNs = nowNs();
    const dir = containerDir(ctx.dataRoot, id);
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
      Driver: ctx.layers.driverName,
      Platform: 'linux',
      State: initialState(),
      HostnamePath: join(dir, 'hostname'),
      HostsPath: join(dir, 'hosts'),
      ResolvConfPath: join(dir, 'resolv.conf'),
      LogPath: '', // dockerd sets it when the json-file logger starts
      HasBeenStartedBefore: false,
      HasBeenManuallyStopped: false,
      ...(links.length ? { Links: links } : {}),
    };
    // dockerd's mergeAndVerifyLogConfig: the daemon's default driver and options fill in.
    hostConfig.LogConfig = mergeLogConfig(hostConfig.LogConfig, { Type: ctx.logDriver, Config: ctx.logOpts });
    hostConfig.NetworkMode ||= 'default';
    applyHostConfigDefaults(hostConfig, { defaultRuntime: ctx.defaultRuntime, cgroupV2: await hostIsCgroupV2() });
    // Docker's adaptContainerSettings: swap defaults to twice the memory, and inspect shows it.
    const memory = Number(hostConfig.Memory ?? 0);
    if (memory > 0 && !hostConfig.MemorySwap) hostConfig.MemorySwap = memory * 2;
    rec.NetworkSettings = ctx.networking.initialSettings(hostConfig, endpointsConfig);
    // Volumes are made (or found) and referenced before anything else, and undone if the rest fails.
    const mounts = await registerMountPoints(ctx, id, hostConfig, config);
    rec.MountPoints = mounts.mountPoints;
    try {
      await ctx.layers.createRW(id, image.chainId);
    } catch (err) {
      await mounts.undo();
      throw err;
    }
    try {
      await mkdir(dir, { recursive: true, mode: 0o710 });
      await saveRecord(ctx.dataRoot, rec, hostConfig);
    } catch (err) {
      await ctx.layers.removeRW(id).catch(() => {});
      await rm(dir, { recursive: true, force: true });
      await mounts.undo();
      throw err;
    }
    const c = newContainer(rec, hostConfig);
    ctx.store.add(c);
    publish(ctx, c, 'create');
    return { Id: id, Warnings: warnings };
  } catch (err) {
    ctx.store.releaseName(fullName);
    for (const n of linkNames) ctx.store.releaseName(n);
    throw err;
  }
}
