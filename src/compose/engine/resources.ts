// The project's networks and volumes: created before any container (labels from convert),
// external ones checked to exist, and removed by `down` (never external ones), with compose's
// events and messages (pkg/compose/create.go ensureNetwork/ensureVolume, down.go).
import { DaemonError } from '../../common/index.ts';
import { checkExistingNetwork, checkExistingVolume, networkCreateBody, volumeCreateBody } from '../convert/resources.ts';
import { ComposeError } from '../errors.ts';
import { LABEL } from '../labels.ts';
import type { Project } from '../types.ts';
import { ids, type EngineContext } from './context.ts';
import { errorText } from './container-ops.ts';
import { forEachLimit } from './graph.ts';
import { daemonMessage } from './images.ts';
import { ev, type ProgressWriter } from './progress.ts';

const enc = encodeURIComponent;

async function probe<T>(ctx: EngineContext, path: string): Promise<T | undefined> {
  const res = await ctx.client.request('GET', path);
  if (res.status === 404) {
    res.body.resume();
    return undefined;
  }
  if (res.status >= 300) throw new DaemonError(res.status, daemonMessage(await res.text()));
  return res.json<T>();
}

/** The networks the given services use (all of the project's when none are named). */
function usedNetworks(project: Project, services?: string[]): string[] {
  if (!services) return Object.keys(project.networks);
  const used = new Set<string>();
  for (const s of services) for (const n of Object.keys(project.services[s]?.networks ?? {})) used.add(n);
  return Object.keys(project.networks).filter((k) => used.has(k));
}

function usedVolumes(project: Project, services?: string[]): string[] {
  if (!services) return Object.keys(project.volumes);
  const used = new Set<string>();
  for (const s of services) for (const v of project.services[s]?.volumes ?? []) if (v.type === 'volume' && v.source) used.add(v.source);
  return Object.keys(project.volumes).filter((k) => used.has(k));
}

export async function ensureNetworks(ctx: EngineContext, project: Project, w: ProgressWriter, services?: string[]): Promise<void> {
  await forEachLimit(usedNetworks(project, services), ctx.parallel, async (key) => {
    const n = project.networks[key];
    const found = await probe<{ Labels?: Record<string, string> }>(ctx, `/networks/${enc(n.name)}`);
    if (n.external) {
      if (!found) throw new ComposeError(`network ${n.name} declared as external, but could not be found`);
      return;
    }
    if (found) {
      checkExistingNetwork(project, key, { Name: n.name, Labels: found.Labels }).forEach((m) => ctx.warn(m));
      return;
    }
    const id = ids.network(n.name);
    w.event(ev.creating(id));
    try {
      await ctx.client.call('POST', '/networks/create', { body: networkCreateBody(project, key) });
    } catch (err) {
      w.event(ev.error(id, errorText(err)));
      throw err instanceof DaemonError ? new ComposeError(`failed to create network ${n.name}: Error response from daemon: ${err.message}`) : err;
    }
    w.event(ev.created(id));
  });
}

export async function ensureVolumes(ctx: EngineContext, project: Project, w: ProgressWriter, services?: string[]): Promise<void> {
  await forEachLimit(usedVolumes(project, services), ctx.parallel, async (key) => {
    const v = project.volumes[key];
    const found = await probe<{ Labels?: Record<string, string> | null }>(ctx, `/volumes/${enc(v.name)}`);
    if (v.external) {
      if (!found) throw new ComposeError(`external volume "${v.name}" not found`);
      return;
    }
    if (found) {
      checkExistingVolume(project, key, { Name: v.name, Labels: found.Labels }).forEach((m) => ctx.warn(m));
      return;
    }
    const id = ids.volumeCreate(v.name);
    w.event(ev.creating(id));
    try {
      await ctx.client.call('POST', '/volumes/create', { body: volumeCreateBody(project, key) });
    } catch (err) {
      w.event(ev.error(id, errorText(err)));
      throw err;
    }
    w.event(ev.created(id));
  });
}

/** down: the project's networks (by label, so that a project found only by name is covered), never external ones. */
/** Resolves to the number of networks removed. */
export async function removeNetworks(ctx: EngineContext, projectName: string, project: Project | undefined, w: ProgressWriter): Promise<number> {
  let removed = 0;
  const names = new Set<string>();
  if (project) for (const n of Object.values(project.networks)) if (!n.external) names.add(n.name);
  const listed = await ctx.client.json<{ Name: string; Id: string }[]>('GET', '/networks', { query: { filters: { label: [`${LABEL.project}=${projectName}`] } } });
  if (!project) for (const n of listed) names.add(n.Name);
  const present = new Set(listed.map((n) => n.Name));
  await forEachLimit([...names].sort(), ctx.parallel, async (name) => {
    if (!present.has(name) && !(await probe(ctx, `/networks/${enc(name)}`))) return;
    await deleteWithEvents(ctx, w, ids.network(name), `/networks/${enc(name)}`);
    removed++;
  });
  return removed;
}

/** down -v: the project's named volumes (not external), found by label. */
/** Resolves to the number of volumes removed. */
export async function removeVolumes(ctx: EngineContext, projectName: string, project: Project | undefined, w: ProgressWriter): Promise<number> {
  const listed = await ctx.client.json<{ Volumes: { Name: string; Labels?: Record<string, string> | null }[] | null }>('GET', '/volumes', { query: { filters: { label: [`${LABEL.project}=${projectName}`] } } });
  const external = new Set(project ? Object.values(project.volumes).filter((v) => v.external).map((v) => v.name) : []);
  const names = (listed.Volumes ?? []).map((v) => v.Name).filter((n) => !external.has(n)).sort();
  let removed = 0;
  await forEachLimit(names, ctx.parallel, async (name) => {
    await deleteWithEvents(ctx, w, ids.volume(name), `/volumes/${enc(name)}`);
    removed++;
  });
  return removed;
}

/**
 * DELETE of a network, volume or image with down's Removing/Removed events; one already gone
 * (404) counts as removed, any other failure is an error event and a DaemonError.
 */
export async function deleteWithEvents(ctx: EngineContext, w: ProgressWriter, id: string, path: string): Promise<void> {
  w.event(ev.removing(id));
  const res = await ctx.client.request('DELETE', path);
  const text = await res.text();
  if (res.status >= 300 && res.status !== 404) {
    const message = daemonMessage(text);
    w.event(ev.error(id, message));
    throw new DaemonError(res.status, message);
  }
  w.event(ev.removed(id));
}
