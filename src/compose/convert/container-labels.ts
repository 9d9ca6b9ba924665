// The labels of a service's container, as docker compose v2 sets them: the service's own labels,
// then compose's (cmd/compose ToProject's CustomLabels: project, service, version, working_dir,
// config_files, environment_file, oneoff; ensureImagesExists: image; run: slug, oneoff=True;
// recreateContainer: replace), then prepareLabels' config-hash, container-number and depends_on.
import type { Project, ServiceConfig } from '../types.ts';
import { LABEL, COMPOSE_VERSION } from '../labels.ts';
import { serviceConfigHash } from './hash.ts';

export interface LabelOptions {
  number: number;
  oneOff?: boolean;
  imageId?: string;
  replacing?: { id: string };
  slug?: string;
  environmentFiles?: string[];
}

export function containerLabels(project: Project, service: ServiceConfig, opts: LabelOptions): Record<string, string> {
  const labels: Record<string, string> = { ...(service.labels ?? {}) };
  labels[LABEL.project] = project.name;
  labels[LABEL.service] = service.name;
  labels[LABEL.version] = COMPOSE_VERSION;
  labels[LABEL.workingDir] = project.working_dir;
  labels[LABEL.configFiles] = project.compose_files.join(',');
  labels[LABEL.oneOff] = opts.oneOff ? 'True' : 'False';
  if (opts.environmentFiles?.length) labels[LABEL.environmentFile] = opts.environmentFiles.join(',');
  if (opts.imageId) labels[LABEL.image] = opts.imageId;
  if (opts.oneOff && opts.slug) labels[LABEL.slug] = opts.slug;
  if (opts.replacing) labels[LABEL.replace] = opts.replacing.id;
  labels[LABEL.configHash] = serviceConfigHash(service);
  labels[LABEL.containerNumber] = String(opts.number);
  labels[LABEL.dependsOn] = dependsOnLabel(service);
  return labels;
}

/**
 * `<service>:<condition>:<restart>` per dependency, comma-separated (prepareLabels). docker
 * compose walks a Go map, so its order varies run to run; here it is sorted by service name.
 */
function dependsOnLabel(service: ServiceConfig): string {
  return Object.keys(service.depends_on ?? {})
    .sort()
    .map((dep) => {
      const d = service.depends_on![dep];
      return `${dep}:${d.condition}:${d.restart === true}`;
    })
    .join(',');
}
