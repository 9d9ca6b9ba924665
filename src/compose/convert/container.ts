// A service's container as Engine API requests, as docker compose v2 builds them
// (pkg/compose/create.go getCreateConfigs, convergence.go createMobyContainer). Owned by the
// convert part (cmp-convert). Each concern lives in its own file beside this one; this file only
// assembles the create body.
import type { Project, ServiceConfig } from '../types.ts';

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
}

export function containerPlan(project: Project, service: ServiceConfig, opts: ContainerOptions): ContainerPlan {
  void project;
  void service;
  void opts;
  throw new Error('not built yet');
}
