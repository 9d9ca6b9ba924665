// The config hash docker compose v2 stores in com.docker.compose.config-hash: a sha256 of the
// service's canonical JSON without the fields that must not force a recreate (build, pull_policy,
// scale, deploy.replicas, depends_on, profiles). Owned by the convert part (cmp-convert).
import type { ServiceConfig } from '../types.ts';

export function serviceConfigHash(service: ServiceConfig): string {
  void service;
  throw new Error('not built yet');
}
