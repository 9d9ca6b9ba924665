// stop, restart, kill, pause, unpause: the verbs over a project's running containers, in reverse
// dependency order for stop (dependents first) and dependency order for restart, with compose's
// events. A project known only by name (no file) is walked from its containers' labels.
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';
import { ids, type EngineContext } from './context.ts';
import { errorText, stopContainer } from './container-ops.ts';
import type { ObservedContainer } from './convergence.ts';
import { forEachLimit, serviceGraph, walkGraph, type Direction } from './graph.ts';
import { byService, observeProject, orphans } from './observed.ts';
import { ev, type ProgressEvent, type ProgressWriter } from './progress.ts';

/** The project: its model when a file was loaded, else only its name (`-p x` with no file). */
export interface ProjectRef {
  name: string;
  project?: Project;
}

/** Runs fn per service in graph order (or all in parallel when there is no model). */
export async function inServiceOrder(ctx: EngineContext, ref: ProjectRef, containers: ObservedContainer[], direction: Direction, fn: (list: ObservedContainer[]) => Promise<void>): Promise<void> {
  const groups = byService(containers);
  const project = ref.project;
  const known = project ? [...groups.keys()].filter((s) => project.services[s]) : [];
  const unknown = [...groups.keys()].filter((s) => !known.includes(s));
  if (project && known.length) await walkGraph(serviceGraph(project, known), direction, (s) => fn(groups.get(s)!), ctx.parallel);
  await forEachLimit(unknown, ctx.parallel, (s) => fn(groups.get(s)!));
}

/** The containers a verb covers: those of the named services (all when none), orphans apart. */
export async function selected(ctx: EngineContext, ref: ProjectRef, services: string[] | undefined, opts: { all?: boolean; oneOff?: 'exclude' | 'include' | 'only' } = {}): Promise<ObservedContainer[]> {
  const project = ref.project;
  for (const s of services ?? []) if (project && !project.services[s] && !project.disabled_services?.[s]) throw new ComposeError(`no such service: ${s}`);
  let list = await observeProject(ctx, ref.name, { oneOff: opts.oneOff });
  if (services?.length) list = list.filter((c) => services.includes(c.service));
  else if (project && !opts.all) {
    const orphaned = new Set(orphans(project, list));
    list = list.filter((c) => !orphaned.has(c));
  }
  return list;
}

export async function stopProject(ctx: EngineContext, ref: ProjectRef, opts: { services?: string[]; timeout?: number }, w: ProgressWriter): Promise<void> {
  const list = await selected(ctx, ref, opts.services);
  await inServiceOrder(ctx, ref, list, 'down', (cs) =>
    forEachLimit(cs.filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting'), -1, (c) => stopContainer(ctx, c, opts.timeout, w)),
  );
}

/**
 * `restart`: the containers of the services (all when none are named) restarted in dependency
 * order; a named service brings along the services whose depends_on names it with `restart: true`
 * (unless --no-deps), as compose's restart does.
 */
export async function restartProject(ctx: EngineContext, ref: ProjectRef, opts: { services?: string[]; timeout?: number; noDeps?: boolean }, w: ProgressWriter): Promise<void> {
  let services = opts.services;
  const project = ref.project;
  if (project && services?.length && !opts.noDeps) {
    const wanted = new Set(services);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, s] of Object.entries(project.services)) {
        if (wanted.has(name)) continue;
        if (Object.entries(s.depends_on ?? {}).some(([dep, cfg]) => cfg.restart && wanted.has(dep))) {
          wanted.add(name);
          grew = true;
        }
      }
    }
    services = [...wanted];
  }
  const list = await selected(ctx, ref, services);
  await inServiceOrder(ctx, ref, list, 'up', (cs) =>
    forEachLimit(cs, -1, (c) =>
      step(w, ids.container(c.name), ev.restarting, ev.started, async () => {
        await ctx.client.call('POST', `/containers/${encodeURIComponent(c.id)}/restart`, { query: { t: opts.timeout } });
      }),
    ),
  );
}

/** Resolves false when no container was running (compose then says "no container to kill"). */
export async function killProject(ctx: EngineContext, ref: ProjectRef, opts: { services?: string[]; signal?: string; removeOrphans?: boolean; all?: boolean }, w: ProgressWriter): Promise<boolean> {
  let list = await selected(ctx, ref, opts.services, { all: opts.removeOrphans });
  list = list.filter((c) => c.state === 'running' || c.state === 'restarting' || (opts.all && c.state === 'paused'));
  if (!list.length) return false;
  await forEachLimit(list, ctx.parallel, (c) =>
    step(w, ids.container(c.name), ev.killing, ev.killed, async () => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(c.id)}/kill`, { query: { signal: opts.signal || undefined } });
    }),
  );
  return true;
}

export async function pauseProject(ctx: EngineContext, ref: ProjectRef, opts: { services?: string[]; unpause?: boolean }, w: ProgressWriter): Promise<void> {
  const list = (await selected(ctx, ref, opts.services)).filter((c) => (opts.unpause ? c.state === 'paused' : c.state === 'running'));
  await forEachLimit(list, ctx.parallel, (c) =>
    step(w, ids.container(c.name), opts.unpause ? ev.unpausing : ev.pausing, opts.unpause ? ev.unpaused : ev.paused, async () => {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(c.id)}/${opts.unpause ? 'unpause' : 'pause'}`);
    }),
  );
}

async function step(w: ProgressWriter, id: string, working: (id: string) => ProgressEvent, done: (id: string) => ProgressEvent, fn: () => Promise<void>): Promise<void> {
  w.event(working(id));
  try {
    await fn();
  } catch (err) {
    w.event(ev.error(id, errorText(err)));
    throw err;
  }
  w.event(done(id));
}
