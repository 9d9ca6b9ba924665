// Projects in the model's normalised form (what the loader hands over), for the convert tests.
import type { Project, ServiceConfig } from '../types.ts';

export function makeProject(services: Record<string, Partial<ServiceConfig>>, extra: Partial<Project> = {}): Project {
  const all: Record<string, ServiceConfig> = {};
  for (const [name, s] of Object.entries(services)) all[name] = { name, ...s } as ServiceConfig;
  return {
    name: 'demo',
    working_dir: '/srv/demo',
    compose_files: ['/srv/demo/compose.yaml'],
    services: all,
    disabled_services: {},
    networks: { default: { name: 'demo_default' } },
    volumes: {},
    secrets: {},
    configs: {},
    profiles: [],
    environment: {},
    ...extra,
  };
}
