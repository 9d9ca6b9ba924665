// A service's container as Engine API requests, as docker compose v2 builds them
// (pkg/compose/create.go getCreateConfigs, convergence.go createMobyContainer). Owned by the
// convert part (cmp-convert). Each concern lives in its own file beside this one; this file only
// assembles the create body.
import type { Project, ServiceConfig } from '../types.ts';
import { containerLabels } from './container-labels.ts';
import { defaultContainerName, oneOffContainerName, randomSlug, replacementName } from './names.ts';
import { exposedPorts, portBindings } from './ports.ts';
import { buildContainerVolumes, tmpfsMap } from './mounts.ts';
import { fileInjections } from './file-injections.ts';
import { hostResources } from './limits.ts';
import { restartPolicy } from './restart.ts';
import { healthcheckConfig } from './healthcheck.ts';
import { parseSecurityOpts } from './security-opts.ts';
import { networkSettings, containerMacAddress } from './networking.ts';
import { serviceLinks } from './links.ts';
import { resolveServiceReferences } from './references.ts';
import { envList, extraHostsList, stopTimeoutSeconds, imageName } from './config-fields.ts';

export interface ContainerOptions {
  /** com.docker.compose.container-number (1 for a `run` container, as docker compose). */
  number: number;
  /** A `run` container: oneoff=True, named <project>-<service>-run-<slug>. */
  oneOff?: boolean;
  /** The image's ID (sha256:...): com.docker.compose.image. */
  imageId?: string;
  /**
   * The container this one replaces (recreate): its anonymous volumes are carried over, the new
   * one is created as `<old id[:12]>_<name>` (plan.createName) with com.docker.compose.replace.
   * (Source, RW: added by cmp-convert, as GET /containers/json reports them.)
   */
  replacing?: { id: string; mounts: { Type?: string; Name?: string; Source?: string; Destination: string; RW?: boolean }[] };
  /** The engine's API version (multiple endpoints at create need ≥ 1.44). Absent: 1.44 or later. */
  apiVersion?: string;
  // ---- added by cmp-convert (all optional) ----
  /**
   * The ID of the first container of a service (docker compose takes the lowest-numbered), for
   * `network_mode`/`ipc`/`pid: service:<name>` and `volumes_from`. undefined: it has none.
   */
  resolveServiceContainer?: (service: string) => string | undefined;
  /** The names (without '/') of a service's (not one-off) containers, for `links`. */
  serviceContainerNames?: (service: string) => string[];
  /** The keys of the image's Config.Volumes: its anonymous volumes are inherited on recreate. */
  imageVolumes?: string[];
  /** Network aliases [service, ...aliases] besides the container name (default: true, `run`: false). */
  useNetworkAliases?: boolean;
  /** HostConfig.AutoRemove (`run --rm`). */
  autoRemove?: boolean;
  /** Config.AttachStdin and StdinOnce (`run` interactive). */
  attachStdin?: boolean;
  /** The one-off's slug (64 hex; default: random): com.docker.compose.slug, name suffix. */
  slug?: string;
  /** The env files used (--env-file, or the project's .env): com.docker.compose.project.environment_file. */
  environmentFiles?: string[];
  /**
   * The proxy variables of the docker CLI config (`proxies` in ~/.docker/config.json, as
   * HTTP_PROXY, no_proxy, ...): docker compose puts them under the service's environment.
   */
  proxyEnvironment?: Record<string, string>;
}

export interface ContainerPlan {
  /** The container name: container_name, or <project>-<service>-<number>. */
  name: string;
  /** POST /containers/create?name=<name> body: Config fields + HostConfig + NetworkingConfig. */
  body: Record<string, unknown>;
  /** Networks to connect after create (older APIs take one endpoint at create), in priority order. */
  connectAfterCreate: { network: string; body: Record<string, unknown> }[];
  /** Files put into the container before its start (secrets/configs from `environment` or `content`). */
  files: { target: string; content: Buffer; mode: number; uid: number; gid: number; copyUIDGID: boolean }[];
  // ---- added by cmp-convert ----
  /** The name to create with: `name`, or `<replaced id[:12]>_<name>` when replacing (renamed after). */
  createName: string;
  /** Warnings docker compose prints for this service (unsupported options, missing secret files). */
  warnings: string[];
  /** POST /containers/create?platform=: the service's platform, else DOCKER_DEFAULT_PLATFORM. */
  platform?: string;
}

export function containerPlan(project: Project, service: ServiceConfig, opts: ContainerOptions): ContainerPlan {
  const warnings: string[] = [];
  const known = { ...project.disabled_services, ...project.services };
  const resolved = resolveServiceReferences(known, service, opts.resolveServiceContainer);
  const slug = opts.oneOff ? (opts.slug ?? randomSlug()) : undefined;
  let name: string;
  if (service.container_name) name = service.container_name;
  else if (slug !== undefined) name = oneOffContainerName(project.name, service.name, slug);
  else name = defaultContainerName(project.name, service.name, opts.number);
  const apiVersion = opts.apiVersion ?? '1.50';
  const labels = containerLabels(project, service, { ...opts, slug });
  const links = serviceLinks(project.name, service, opts.number, opts.serviceContainerNames, known);
  const mac = containerMacAddress(service, apiVersion);
  const net = networkSettings(project, service, {
    serviceName: service.name,
    containerName: name,
    links,
    useNetworkAliases: opts.useNetworkAliases ?? !opts.oneOff,
    apiVersion,
    mainMacAddress: mac.endpointMacAddress,
    networkMode: resolved.networkMode,
  });
  const volumes = buildContainerVolumes(project, service, opts.replacing, opts.imageVolumes, warnings);
  const security = parseSecurityOpts(project, service);
  const attachStdin = opts.attachStdin ?? false;
  const stdinOpen = service.stdin_open ?? false;

  const hostConfig: Record<string, unknown> = {
    ...compact({
      AutoRemove: opts.autoRemove || undefined,
      Annotations: service.annotations,
      Binds: volumes.binds.length ? volumes.binds : undefined,
      Mounts: volumes.mounts.length ? volumes.mounts : undefined,
      CapAdd: nonEmpty(service.cap_add),
      CapDrop: nonEmpty(service.cap_drop),
      NetworkMode: net.networkMode,
      Init: service.init,
      IpcMode: resolved.ipc,
      CgroupnsMode: service.cgroup,
      ReadonlyRootfs: service.read_only || undefined,
      RestartPolicy: restartPolicy(service),
      ShmSize: service.shm_size || undefined,
      Sysctls: nonEmptyMap(service.sysctls),
      PortBindings: portBindings(service),
      VolumeDriver: service.volume_driver,
      VolumesFrom: nonEmpty(resolved.volumesFrom),
      Dns: nonEmpty(service.dns),
      DnsSearch: nonEmpty(service.dns_search),
      DnsOptions: nonEmpty(service.dns_opt),
      ExtraHosts: nonEmpty(extraHostsList(service.extra_hosts)),
      SecurityOpt: nonEmpty(security.securityOpt),
      StorageOpt: nonEmptyMap(service.storage_opt),
      UsernsMode: service.userns_mode,
      UTSMode: service.uts,
      Privileged: service.privileged || undefined,
      PidMode: resolved.pid,
      Tmpfs: nonEmptyMap(tmpfsMap(service.tmpfs)),
      Isolation: service.isolation,
      Runtime: service.runtime,
      LogConfig: service.logging ? compact({ Type: service.logging.driver ?? '', Config: service.logging.options ?? {} }) : undefined,
      GroupAdd: nonEmpty(service.group_add),
      Links: nonEmpty(links),
      OomScoreAdj: service.oom_score_adj || undefined,
      MaskedPaths: security.unconfined ? [] : undefined,
      ReadonlyPaths: security.unconfined ? [] : undefined,
    }),
    ...hostResources(service),
  };

  const body: Record<string, unknown> = compact({
    Hostname: service.hostname,
    Domainname: service.domainname,
    User: service.user,
    ExposedPorts: exposedPorts(service),
    Tty: service.tty ?? false,
    OpenStdin: stdinOpen,
    StdinOnce: attachStdin && stdinOpen,
    AttachStdin: attachStdin,
    AttachStdout: true,
    AttachStderr: true,
    Cmd: service.command ?? undefined,
    Image: imageName(project, service),
    WorkingDir: service.working_dir,
    Entrypoint: service.entrypoint ?? undefined,
    NetworkDisabled: service.network_mode === 'disabled' || undefined,
    MacAddress: mac.containerMacAddress || undefined,
    Labels: labels,
    StopSignal: service.stop_signal,
    Env: envList({ ...(opts.proxyEnvironment ?? {}), ...(service.environment ?? {}) }),
    Healthcheck: healthcheckConfig(service, apiVersion),
    StopTimeout: stopTimeoutSeconds(service),
    HostConfig: hostConfig,
    NetworkingConfig: net.networkingConfig,
  });

  const files = fileInjections(project, service);
  const platform = service.platform || project.environment.DOCKER_DEFAULT_PLATFORM || undefined;
  return {
    ...(platform ? { platform } : {}),
    name,
    createName: opts.replacing ? replacementName(opts.replacing.id, name) : name,
    body,
    connectAfterCreate: net.connectAfterCreate,
    files,
    warnings,
  };
}

/** Drops undefined values: the daemon reads an absent field and Go's zero value alike. */
function compact<T extends Record<string, unknown>>(o: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function nonEmpty<T>(a: T[] | undefined): T[] | undefined {
  return a && a.length ? a : undefined;
}

function nonEmptyMap<T>(m: Record<string, T> | undefined): Record<string, T> | undefined {
  return m && Object.keys(m).length ? m : undefined;
}

