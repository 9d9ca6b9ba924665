// `create` (and the first half of `up`): images, networks and volumes first, orphans, then each
// service converged in dependency order (independent ones in parallel): containers created,
// recreated, kept or removed as convergence.ts decides. A service whose dependency was recreated
// is recreated too (its containers were stopped with it), unless recreation is off.
import { ComposeError } from '../errors.ts';
import { serviceConfigHash } from '../convert/hash.ts';
import type { Project } from '../types.ts';
import { ids, type EngineContext } from './context.ts';
import { createWithEvents, recreateContainer, stopAndRemove } from './container-ops.ts';
import { planService, serviceScale, type ObservedContainer, type RecreatePolicy } from './convergence.ts';
import { forEachLimit, serviceGraph, walkGraph, withDependencies } from './graph.ts';
import { ensureImages, type EnsureOptions } from './images.ts';
import { byService, observeProject, orphanWarning, orphans } from './observed.ts';
import { ev, type ProgressWriter } from './progress.ts';
import { ensureNetworks, ensureVolumes } from './resources.ts';

export interface CreateOptions {
  /** The services named on the command line (empty: all). */
  services?: string[];
  /** --no-deps: the named services only. */
  noDeps?: boolean;
  /** For the named services (all when none are named): --force-recreate, --no-recreate. */
  recreate?: RecreatePolicy;
  /** For their dependencies: --always-recreate-deps makes it 'force'. */
  recreateDependencies?: RecreatePolicy;
  removeOrphans?: boolean;
  /** COMPOSE_IGNORE_ORPHANS: no warning. */
  ignoreOrphans?: boolean;
  /** --scale SERVICE=N. */
  scale?: Record<string, number>;
  /** -t: seconds to wait when stopping a container being replaced. */
  timeout?: number;
  /** -V: new anonymous volumes instead of the previous container's. */
  renewAnonVolumes?: boolean;
  images?: EnsureOptions;
}

/** The project's containers per service after convergence. */
export type ProjectState = Map<string, ObservedContainer[]>;

/** The services an operation covers: the named ones (and their dependencies unless noDeps), else all. */
export function selectServices(project: Project, services: string[] | undefined, noDeps = false): string[] {
  for (const s of services ?? []) {
    if (!project.services[s]) {
      if (project.disabled_services?.[s]) throw new ComposeError(`service "${s}" has profiles, and is not enabled: activate a profile to use it`);
      throw new ComposeError(`no such service: ${s}`);
    }
  }
  if (!services?.length) return Object.keys(project.services).sort();
  return (noDeps ? [...services] : withDependencies(project, services)).sort();
}

export async function createProject(ctx: EngineContext, project: Project, opts: CreateOptions, w: ProgressWriter): Promise<ProjectState> {
  const services = selectServices(project, opts.services, opts.noDeps);
  const named = new Set(opts.services?.length ? opts.services : services);
  for (const [name, n] of Object.entries(opts.scale ?? {})) {
    if (!project.services[name]) throw new ComposeError(`no such service: ${name}`);
    if (!Number.isInteger(n) || n < 0) throw new ComposeError(`invalid scale for service ${name}: ${n}`);
  }
  for (const name of services) {
    const s = project.services[name];
    if (serviceScale(s, opts.scale?.[name]) > 1 && s.container_name) {
      throw new ComposeError(`WARNING: The "${name}" service is using the custom container name "${s.container_name}". Docker requires each container to have a unique name. Remove the custom name to scale the service.`);
    }
  }
  const graph = serviceGraph(project, services);
  const images = await ensureImages(ctx, project, services, opts.images ?? {}, w);
  const limited = opts.services?.length ? services : undefined;
  await ensureNetworks(ctx, project, w, limited);
  await ensureVolumes(ctx, project, w, limited);

  const observedAll = await observeProject(ctx, project.name);
  const orphaned = orphans(project, observedAll);
  if (orphaned.length) {
    if (opts.removeOrphans) await forEachLimit(orphaned, ctx.parallel, (c) => stopAndRemove(ctx, c, { timeout: opts.timeout }, w));
    else if (!opts.ignoreOrphans) ctx.warn(orphanWarning(orphaned));
  }
  const state: ProjectState = byService(observedAll.filter((c) => project.services[c.service]));
  const recreated = new Set<string>();

  await walkGraph(graph, 'up', async (name) => {
    const service = project.services[name];
    let policy: RecreatePolicy = named.has(name) ? (opts.recreate ?? 'diverged') : (opts.recreateDependencies ?? 'diverged');
    if (policy !== 'never' && [...graph.deps.get(name)!].some((d) => recreated.has(d))) policy = 'force';
    const actions = planService(state.get(name) ?? [], {
      scale: serviceScale(service, opts.scale?.[name]),
      configHash: serviceConfigHash(service),
      imageId: images.get(name),
      policy,
    });
    const next: ObservedContainer[] = [];
    await forEachLimit(actions, -1, async (a) => {
      switch (a.kind) {
        case 'remove':
          await stopAndRemove(ctx, a.container, { timeout: opts.timeout }, w);
          return;
        case 'recreate': {
          recreated.add(name);
          const c = await recreateContainer(ctx, { project, service, number: a.container.number, imageId: images.get(name), replacing: a.container, timeout: opts.timeout, inherit: !opts.renewAnonVolumes, state, warn: ctx.warn }, w);
          next.push(c);
          return;
        }
        case 'keep': {
          const c = a.container;
          if (c.state === 'running') w.event(ev.running(ids.container(c.name)));
          else if (c.state === 'exited') w.event(ev.created(ids.container(c.name)));
          next.push(c);
          return;
        }
        case 'create':
          next.push(await createWithEvents(ctx, { project, service, number: a.number, imageId: images.get(name), state, warn: ctx.warn }, w));
      }
    });
    state.set(name, next.sort((a, b) => a.number - b.number));
  }, ctx.parallel);
  return state;
}
