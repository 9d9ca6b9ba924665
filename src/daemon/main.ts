// berthd: the composition root. Builds every box, hands the routes their backends, reconciles
// with what survived the last run, then serves the Engine API.
import { access, constants, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  ApiServer,
  systemRoutes,
  containerRoutes,
  execRoutes,
  imageRoutes,
  distributionRoutes,
  registryRoutes,
  unimplementedRoutes,
  networkRoutes,
  volumeRoutes,
  pluginRoutes,
  buildRoutes,
  API_VERSION,
} from '../api/index.ts';
import { NetworkApi } from './network-api.ts';
import { VolumeApi } from './volume-api.ts';
import { NetworkController, DnsService } from '../network/index.ts';
import { ContainerNetworking } from './containers/networking.ts';
import { dnsResolver } from './containers/dns-names.ts';
import { DAEMON_USAGE, mergeConfig, parseDaemonFlags, readConfigFile, reloadableChanges, reloadEventAttributes, type DaemonConfig } from './config.ts';
import { createLogger, parseLogLevel } from './logger.ts';
import { EventBus, imageEventAttributes } from './events.ts';
import { openContainers, type Containers } from './containers/index.ts';
import { ContainerApi, execBackend } from './container-api.ts';
import { SystemApi, BERTH_VERSION } from './system-api.ts';
import { ImageApi } from './image-api.ts';
import { DistributionApi, registryClientFor } from './distribution-api.ts';
import { RegistryApi } from './registry-api.ts';
import { ContainerRuntime, checkSeccompProfile, defaultSeccompProfile, hostCapabilities } from '../runtime/index.ts';
import { anonymousVolumePaths, validateHostConfig } from './host-config/index.ts';
import { openLayerStore } from '../layer/index.ts';
import { openVolumeStore } from '../volume/index.ts';
import { createImageService } from '../image/index.ts';
import { projectFile } from '../common/index.ts';
import { DEFAULT_IDLE_TRIM, startIdleTrim } from './idle-trim.ts';
import { collectGarbage, mallocTrim, pageOutExecutable, residentBytes } from './process-memory.linux.ts';
import { claimPidfile } from './pidfile.linux.ts';
import { openListeners, planListeners } from './listeners.ts';
import { copyIntoRoot, openBuilder, receiveContext, receiveRemoteContext, type BuilderOptions } from '../builder/index.ts';
import { BuildApi, clearBuildLeftovers } from './build-api.ts';
import { CacheMounts } from './build/cache-mounts.ts';

async function main(argv: string[]): Promise<void> {
  // A closed stdout/stderr (the parent that read them gone) fails every write; unheard, each
  // failure is an uncaught exception whose log line fails again: a loop at full CPU that also
  // starves SIGTERM. The daemon goes on without its output instead (dockerd ignores EPIPE too).
  for (const out of [process.stdout, process.stderr]) out.on('error', () => {});
  let flags;
  try {
    flags = parseDaemonFlags(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nSee 'berthd --help'.\n`);
    process.exit(125);
  }
  if (flags.help) {
    process.stdout.write(DAEMON_USAGE);
    return;
  }
  if (flags.version) {
    process.stdout.write(`berthd version ${BERTH_VERSION}\n`);
    return;
  }
  const configFile = flags.values['config-file']?.at(-1) ?? '/etc/berth/daemon.json';
  const loadConfig = async () => mergeConfig(flags, await readConfigFile(configFile, flags.values['config-file'] !== undefined), configFile);
  let config: DaemonConfig = await resolveRuntimePaths(await loadConfig());
  const log = createLogger(parseLogLevel(config.logLevel));
  if (process.getuid?.() !== 0) throw new Error('berthd needs to be started with root privileges. To run it as a non-root user, a rootless mode is not supported yet');
  // Hosts, TLS files and the insecure-TCP rule are checked before anything is touched.
  const listenerPlan = await planListeners(config.hosts, config.tls, log);

  await mkdir(config.dataRoot, { recursive: true, mode: 0o710 });
  await mkdir(config.execRoot, { recursive: true, mode: 0o700 });
  await claimPidfile(config.pidfile);

  const events = new EventBus();
  const layers = await openLayerStore({ dataRoot: config.dataRoot, driver: config.storageDriver });
  const volumes = await openVolumeStore({
    dataRoot: config.dataRoot, log,
    onEvent: (action, v) => events.publish({ Type: 'volume', Action: action, Actor: { ID: v.name, Attributes: { driver: v.driver } } }),
  });
  const runtime = new ContainerRuntime({
    runtimes: config.runtimes,
    runtimeRoot: join(config.execRoot, 'runtime'),
    shimPath: projectFile('build/berth-shim'),
  });
  const knownCapabilities = await hostCapabilities();
  const networks = await NetworkController.open({
    dataRoot: config.dataRoot, bridgeName: config.bridge || 'berth0', bip: config.bip, fixedCidr: config.fixedCidr,
    pools: config.defaultAddressPools, mtu: config.mtu, iptables: config.iptables, ipForward: config.ipForward, icc: config.icc,
    ipMasq: config.ipMasq, chainPrefix: config.iptablesChainPrefix, ipv6: config.ipv6, fixedCidrV6: config.fixedCidrV6, ip6tables: config.ip6tables, log,
  });
  const dns = new DnsService(dnsResolver(() => containers.reader.all().map((c) => c.rec)), (msg, f) => log.warn(msg, f));
  await dns.loadUpstreams();
  await dns.sync(networks.list());
  // The image service asks which images containers use; the containers box is built next.
  let containers!: Containers;
  const images = await createImageService({
    dataRoot: config.dataRoot,
    layers: {
      driverName: layers.driverName,
      register: (tar, parent, diffId, parentReady) => layers.register(tar, parent, diffId, parentReady),
      get: (chainId) => layers.get(chainId),
      delete: (chainId) => layers.delete(chainId),
      graphDriverData: (chainId) => layers.graphDriverData(chainId),
    },
    onEvent: (e) => events.publish({ Type: 'image', Action: e.Action, Actor: { ID: e.id, Attributes: imageEventAttributes(e, (id) => images.get(id).config.config?.Labels) } }),
    isUsedByContainer: (imageId: string) => containers.reader.usedImages().get(imageId),
  });
  const resolveImage = async (ref: string) => {
    const r = await images.resolveImageConfig(ref);
    return { id: r.id, chainId: r.topChainId, config: r };
  };
  containers = openContainers({
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    cgroupParent: config.cgroupParent,
    defaultRuntime: config.defaultRuntime,
    logDriver: config.logDriver,
    logOpts: config.logOpts,
    initPath: '/usr/bin/tini-static',
    seccompProfile: checkSeccompProfile(defaultSeccompProfile),
    knownCapabilities,
    images: { resolve: resolveImage, prepareCommit: (o) => images.prepareCommit(o) },
    layers,
    runtime,
    events,
    log,
    validateHostConfig: (hc, config) => {
      validateHostConfig(hc, { knownCapabilities });
      anonymousVolumePaths(config.Volumes);
    },
    networking: new ContainerNetworking(networks),
    volumes,
    dnsFor: (networkId) => dns.addressFor(networkId),
  });
  // Restoring the containers reconciles the volumes with the ones still running (volumes.reconcile).
  await containers.restore(config.liveRestore);

  const containerApi = new ContainerApi({
    containers: containers.reader,
    verbs: containers.verbs,
    images: { resolve: resolveImage, resolveId: async (ref) => (await images.resolveImageConfig(ref)).id },
    layers,
    imageSize: async (id) => (await images.inspect(id)).size,
  });
  let registry = registryClientFor(config);
  const imageApi = new ImageApi(images, containers.reader, () => registry);
  // The builder: its records and cache mounts under <data-root>/builder, contexts in builder/tmp,
  // secrets and staged binds under <exec-root>/builder; what a killed daemon's builds left goes first.
  const builderDir = join(config.dataRoot, 'builder');
  const buildTmp = join(builderDir, 'tmp');
  const buildExec = join(config.execRoot, 'builder');
  const scratch = { layers, images, journalDir: join(builderDir, 'rw') };
  await clearBuildLeftovers({ execDir: buildExec, tmpDir: buildTmp, scratch, warn: (msg, f) => log.warn(msg, f) });
  const cacheMounts = new CacheMounts(join(builderDir, 'cache-mounts'));
  await cacheMounts.init();
  const imageExists = (id: string) => {
    try {
      images.get(id);
      return true;
    } catch {
      return false;
    }
  };
  const builderOptions: BuilderOptions = { dataRoot: config.dataRoot, dockerVersion: BERTH_VERSION, imageExists };
  const buildApi = new BuildApi({
    engine: openBuilder(builderOptions),
    contexts: {
      receive: (body, o) => receiveContext(body, o),
      fetchRemote: (url, o) => receiveRemoteContext(url, {
        dir: o.dir, dockerfile: o.dockerfile, signal: o.signal,
        onDownloaded: (current, total) => o.progress({ status: 'Downloading context', progressDetail: total > 0 ? { current, total } : { current }, id: url }),
      }),
    },
    executor: {
      images, registry: () => registry, scratch, cacheMounts, execDir: buildExec, tmpDir: buildTmp,
      run: { createContainer: (body) => containerApi.create(undefined, body, API_VERSION), verbs: containers.verbs, containers: containers.reader },
      copyIntoRoot: (source, req, dest, o) => copyIntoRoot(source, req, dest, o),
    },
    images, cacheMounts, events, tmpDir: buildTmp,
    imageInUse: (id) => containers.reader.usedImages().has(id),
  });
  const daemonIdValue = await daemonId(config.dataRoot);
  const runtimeVersion = await runtime.version(config.defaultRuntime);
  const systemApi = new SystemApi({
    config: () => config,
    containers: containers.reader,
    events,
    driverName: layers.driverName,
    runtimeVersion,
    images: imageApi,
    rwSize: (id) => layers.rwSize(id),
    daemonId: daemonIdValue,
    listContainers: () => containerApi.list({ all: true, limit: -1, size: true, filters: new Map() }),
    volumes,
    registryInfo: () => registry.config.info(),
    buildCache: () => buildApi.diskUsage(),
  });
  const served = [
    ...distributionRoutes(new DistributionApi(() => registry)),
    ...registryRoutes(new RegistryApi(() => registry, images)),
    ...systemRoutes(systemApi), ...containerRoutes(containerApi), ...execRoutes(execBackend(containerApi)), ...imageRoutes(imageApi),
    ...networkRoutes(new NetworkApi({ controller: networks, containers: containers.reader, verbs: containers.verbs, events, onChange: () => dns.sync(networks.list()) })),
    ...volumeRoutes(new VolumeApi({ store: volumes, events })), ...pluginRoutes(), ...buildRoutes(buildApi),
  ];
  const server = new ApiServer({ routes: [...served, ...unimplementedRoutes(served)], log, serverHeader: `berth/${BERTH_VERSION} (linux)` });
  await openListeners(server, listenerPlan, log);
  startIdleTrim({ residentBytes, collectGarbage, mallocTrim, releaseStartupPages: pageOutExecutable }, { ...DEFAULT_IDLE_TRIM, log: (msg, f) => log.debug(msg, f) });
  log.info('Daemon has completed initialization', { 'storage-driver': layers.driverName, 'live-restore': config.liveRestore });

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`Processing signal '${sig}'`);
    await server.close();
    await containers.shutdown(config.liveRestore, config.shutdownTimeout);
    await dns.closeAll();
    // Without live-restore nothing of berth's stays on the host: rules, chains, bridges.
    if (!config.liveRestore) await networks.teardown().catch((err) => log.warn('network teardown failed', { err: String(err) }));
    await rm(config.pidfile, { force: true });
    log.info('Daemon shutdown complete');
    process.exit(0);
  };
  // Containers belong to their shims; one bad connection must not take the API down with it.
  process.on('uncaughtException', (err) => log.error('uncaught exception', { err: err.stack ?? String(err) }));
  process.on('SIGTERM', () => void shutdown('terminated'));
  process.on('SIGINT', () => void shutdown('interrupt'));
  process.on('SIGHUP', () => {
    void (async () => {
      try {
        const next = await resolveRuntimePaths(await loadConfig());
        const reloaded = { ...config, ...reloadableChanges(config, next) };
        // Built before anything is replaced: bad registry settings leave the old config in force.
        registry = registryClientFor(reloaded);
        config = reloaded;
        log.setLevel(parseLogLevel(config.debug ? 'debug' : config.logLevel));
        log.info('Reloaded configuration', { file: configFile });
        events.publish({ Type: 'daemon', Action: 'reload', Actor: { ID: daemonIdValue, Attributes: reloadEventAttributes(config, hostname()) } });
      } catch (err) {
        log.error('Error reloading configuration', { err: (err as Error).message });
      }
    })();
  });
}

/** Runtime binaries named without a path are looked up like a shell would (the shim execs them directly). */
async function resolveRuntimePaths(config: DaemonConfig): Promise<DaemonConfig> {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const rt of Object.values(config.runtimes)) {
    if (rt.path.includes('/')) continue;
    for (const dir of dirs) {
      const candidate = join(dir, rt.path);
      if (await access(candidate, constants.X_OK).then(() => true, () => false)) {
        rt.path = candidate;
        break;
      }
    }
  }
  return config;
}

async function daemonId(dataRoot: string): Promise<string> {
  const file = join(dataRoot, 'engine-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = randomUUID();
    await writeFile(file, id);
    return id;
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`berthd: ${(err as Error).message}\n`);
  process.exit(1);
});
