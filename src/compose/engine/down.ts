// `down` and `rm`: containers stopped and removed (down: one-offs too, orphans with
// --remove-orphans), then the project's networks, its volumes with -v and its images with --rmi,
// as docker compose v2's pkg/compose/down.go and remove.go.
import { ComposeError } from '../errors.ts';
import { LABEL } from '../labels.ts';
import { ids, serviceImage, type EngineContext } from './context.ts';
import { removeContainer, stopAndRemove, stopContainer } from './container-ops.ts';
import { forEachLimit } from './graph.ts';
import { observeProject, orphanWarning, orphans } from './observed.ts';
import type { ProgressWriter } from './progress.ts';
import { deleteWithEvents, removeNetworks, removeVolumes } from './resources.ts';
import { inServiceOrder, selected, type ProjectRef } from './stop.ts';

export interface DownOptions {
  removeOrphans?: boolean;
  /** -v: named and anonymous volumes. */
  volumes?: boolean;
  /** --rmi local|all. */
  images?: 'local' | 'all' | '';
  timeout?: number;
  ignoreOrphans?: boolean;
}

export async function downProject(ctx: EngineContext, ref: ProjectRef, opts: DownOptions, w: ProgressWriter): Promise<void> {
  if (opts.images && opts.images !== 'local' && opts.images !== 'all') throw new ComposeError(`invalid value for --rmi: ${opts.images}`);
  const project = ref.project;
  let list = await observeProject(ctx, ref.name, { oneOff: 'include' });
  if (project) {
    const orphaned = orphans(project, list);
    if (orphaned.length && !opts.removeOrphans) {
      if (!opts.ignoreOrphans) ctx.warn(orphanWarning(orphaned));
      const skip = new Set(orphaned);
      list = list.filter((c) => !skip.has(c));
    }
  }
  await inServiceOrder(ctx, ref, list, 'down', (cs) => forEachLimit(cs, -1, (c) => stopAndRemove(ctx, c, { timeout: opts.timeout, volumes: opts.volumes }, w)));
  let done = list.length;
  done += await removeNetworks(ctx, ref.name, project, w);
  if (opts.volumes) done += await removeVolumes(ctx, ref.name, project, w);
  if (opts.images) done += await removeImages(ctx, ref, opts.images, w);
  if (!done) w.event({ id: ref.name, status: 'done', text: 'Warning: No resource found to remove' });
}

async function removeImages(ctx: EngineContext, ref: ProjectRef, mode: 'local' | 'all', w: ProgressWriter): Promise<number> {
  let removed = 0;
  const names = new Set<string>();
  const project = ref.project;
  if (project) {
    for (const s of Object.values(project.services)) if (mode === 'all' || !s.image) names.add(serviceImage(project, s));
  } else {
    const imgs = await ctx.client.json<{ RepoTags?: string[] | null; Labels?: Record<string, string> | null }[]>('GET', '/images/json', { query: { filters: { label: [`${LABEL.project}=${ref.name}`] } } });
    for (const i of imgs) for (const t of i.RepoTags ?? []) names.add(t);
  }
  await forEachLimit([...names].sort(), ctx.parallel, async (name) => {
    const probe = await ctx.client.request('GET', `/images/${encodeURIComponent(name)}/json`);
    probe.body.resume();
    if (probe.status === 404) return;
    await deleteWithEvents(ctx, w, ids.image(name), `/images/${encodeURIComponent(name)}`);
    removed++;
  });
  return removed;
}

export interface RemoveOptions {
  services?: string[];
  /** -s: stop running containers first. */
  stop?: boolean;
  /** -v: anonymous volumes too. */
  volumes?: boolean;
  /** Asked before removing (absent: -f, no question). Resolves true to go on. */
  confirm?(names: string[]): Promise<boolean>;
}

/** `rm`: stopped containers of the services (running ones too with -s). Resolves false when nothing was to remove. */
export async function removeProject(ctx: EngineContext, ref: ProjectRef, opts: RemoveOptions, w: ProgressWriter): Promise<boolean> {
  const all = await selected(ctx, ref, opts.services);
  if (opts.stop) await inServiceOrder(ctx, ref, all.filter((c) => c.state === 'running' || c.state === 'paused' || c.state === 'restarting'), 'down', (cs) => forEachLimit(cs, -1, (c) => stopContainer(ctx, c, undefined, w)));
  const stopped = all.filter((c) => c.state !== 'running' && c.state !== 'paused' && c.state !== 'restarting');
  if (!stopped.length) return false;
  if (opts.confirm && !(await opts.confirm(stopped.map((c) => c.name)))) return true;
  await forEachLimit(stopped, ctx.parallel, (c) => removeContainer(ctx, c, { volumes: opts.volumes }, w));
  return true;
}
