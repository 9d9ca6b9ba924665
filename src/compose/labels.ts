// The labels docker compose v2 puts on what it creates; berth compose sets and reads the same, so
// docker compose, docker-compose 1.29 and berth compose see one another's projects.
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
  oneOff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  replace: 'com.docker.compose.replace',
  slug: 'com.docker.compose.slug',
  containerName: 'com.docker.compose.container_name',
} as const;

/** What `com.docker.compose.version` says: the docker compose v2 release whose behaviour berth follows. */
export const COMPOSE_VERSION = '2.29.7';
