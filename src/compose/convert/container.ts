// A service's container as Engine API requests, as docker compose v2 builds them
// (pkg/compose/create.go). Owned by the convert part (cmp-convert).
import type { Project, ServiceConfig } from '../types.ts';

export interface ContainerOptions {
  /** com.docker.compose.container-number. */
  number: number;
  /** A `run` container: oneoff=True, named <project>-<service>-run-<slug>. */
  oneOff?: boolean;
  /** The image's ID (sha256:...): com.docker.compose.image. */
  imageId?: string;
  /** The container this one replaces (recreate): its anonymous volumes are carried over. */
  replacing?: { id: string; mounts: { Type?: string; Name?: string; Destination: string }[] };
  /** The engine's API version (multiple endpoints at create need ≥ 1.44). */
  apiVersion?: string;
}

export interface ContainerPlan {
  /** The container name: container_name, or <project>-<service>-<number>. */
  name: string;
  /** POST /containers/create?name=<name> body: Config fields + HostConfig + NetworkingConfig. */
  body: Record<string, unknown>;
  /** Networks to connect after create (older APIs take one endpoint at create), in priority order. */
  connectAfterCreate: { network: string; body: Record<string, unknown> }[];
  /** Files put into the container before its start (secrets/configs from `environment` or `content`). */
  files: { target: string; content: Buffer; mode: number; uid: number; gid: number }[];
}

export function containerPlan(project: Project, service: ServiceConfig, opts: ContainerOptions): ContainerPlan {
  void project;
  void service;
  void opts;
  throw new Error('not built yet');
}
