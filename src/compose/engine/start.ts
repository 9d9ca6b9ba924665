// `start` (and the second half of `up`): each service's containers started in dependency order,
// once the conditions of its depends_on hold; `up --wait` then waits for running/healthy.
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';
import type { EngineContext } from './context.ts';
import { startContainer } from './container-ops.ts';
import { serviceScale, type ObservedContainer } from './convergence.ts';
import { serviceGraph, walkGraph } from './graph.ts';
import { byService, observeProject } from './observed.ts';
import type { ProgressWriter } from './progress.ts';
import { waitDependencies, waitRunningOrHealthy } from './wait.ts';
import type { ProjectState } from './create.ts';

export interface StartOptions {
  /** Only these services (empty: every service of the state / project). */
  services?: string[];
  /** --wait. */
  wait?: boolean;
  /** --wait-timeout in seconds (0: none). */
  waitTimeout?: number;
  /** Ends the dependency waits quietly (Ctrl-C during a foreground up). */
  signal?: AbortSignal;
  /** Called with each container once started (the foreground up attaches before that). */
  onStarted?(c: ObservedContainer): void;
}

/** Starts the services of `state` (from createProject), or of the project's observed containers. */
export async function startProject(ctx: EngineContext, project: Project, state: ProjectState | undefined, opts: StartOptions, w: ProgressWriter): Promise<ProjectState> {
  if (!state) state = byService((await observeProject(ctx, project.name)).filter((c) => project.services[c.service]));
  const services = (opts.services?.length ? opts.services : [...state.keys()]).filter((s) => project.services[s]);
  const graph = serviceGraph(project, services);
  const containersOf = (s: string) => state!.get(s) ?? [];
  await walkGraph(graph, 'up', async (name) => {
    if (project.services[name].deploy?.replicas === 0) return;
    await waitDependencies(ctx, project, name, containersOf, w, { signal: opts.signal });
    const list = containersOf(name);
    if (!list.length) {
      if (serviceScale(project.services[name]) === 0) return;
      throw new ComposeError(`service "${name}" has no container to start`);
    }
    for (const c of list) {
      if (c.state === 'running') continue;
      if (opts.signal?.aborted) return;
      await startContainer(ctx, c, w);
      opts.onStarted?.(c);
    }
  }, ctx.parallel);
  if (opts.wait) {
    const all = services.flatMap(containersOf);
    try {
      await waitRunningOrHealthy(ctx, all, w, (opts.waitTimeout ?? 0) * 1000);
    } catch (err) {
      if (err instanceof ComposeError && err.message.startsWith('timeout waiting')) throw new ComposeError(`application not healthy after ${fmtSeconds(opts.waitTimeout ?? 0)}`);
      throw err;
    }
  }
  return state;
}

/** Go's time.Duration.String() for whole seconds. */
function fmtSeconds(s: number): string {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${r}s`;
}
