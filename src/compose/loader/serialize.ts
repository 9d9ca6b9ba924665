// `docker compose config` output: the canonical model as YAML or JSON, keys in compose's order.
// Owned by the loader part (cmp-load).
import type { Project } from '../types.ts';

export function serializeProject(project: Project, format: 'yaml' | 'json'): string {
  void project;
  void format;
  throw new Error('not built yet');
}
