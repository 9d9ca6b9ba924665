// The project's observed state: its containers by label (one-offs apart), grouped by service, and
// the orphans (containers of services the project no longer has).
import { containerName, listProjectContainers, type ContainerSummary } from '../containers.ts';
import { LABEL } from '../labels.ts';
import type { Project } from '../types.ts';
import type { EngineContext } from './context.ts';
import type { ObservedContainer } from './convergence.ts';

function observed(c: ContainerSummary): ObservedContainer {
  return {
    id: c.Id,
    name: containerName(c),
    service: c.Labels[LABEL.service] ?? '',
    number: Number(c.Labels[LABEL.containerNumber] ?? 0) || 0,
    state: c.State,
    created: c.Created,
    labels: c.Labels,
    mounts: (c.Mounts as ObservedContainer['mounts']) ?? [],
  };
}

export async function observeProject(ctx: EngineContext, projectName: string, opts: { oneOff?: 'exclude' | 'include' | 'only' } = {}): Promise<ObservedContainer[]> {
  const list = await listProjectContainers(ctx.client, projectName, { all: true, oneOff: opts.oneOff ?? 'exclude' });
  return list.map(observed);
}

export function byService(containers: ObservedContainer[]): Map<string, ObservedContainer[]> {
  const m = new Map<string, ObservedContainer[]>();
  for (const c of containers) {
    if (!m.has(c.service)) m.set(c.service, []);
    m.get(c.service)!.push(c);
  }
  return m;
}

/** Containers whose service is neither enabled nor disabled in the project. */
export function orphans(project: Project, containers: ObservedContainer[]): ObservedContainer[] {
  return containers.filter((c) => c.labels[LABEL.oneOff] !== 'True' && !project.services[c.service] && !project.disabled_services?.[c.service]);
}

/** compose's warning for orphans left in place. */
export function orphanWarning(list: ObservedContainer[]): string {
  return `Found orphan containers ([${list.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`;
}
