// One container's verbs as compose runs them, each with its progress events: create (with the
// networks connected after create and the secret/config files put in before start), recreate
// (stop, rename the old one to <id12>_<name>, create the new one carrying its anonymous volumes,
// remove the old), start, stop, remove.
import { DaemonError, TarWriter } from '../../common/index.ts';
import { containerPlan } from '../convert/container.ts';
import { imageName } from '../convert/config-fields.ts';
import type { Project, ServiceConfig } from '../types.ts';
import { ids, type EngineContext } from './context.ts';
import type { ObservedContainer } from './convergence.ts';
import { ev, type ProgressWriter } from './progress.ts';
import { LABEL } from '../labels.ts';

const enc = encodeURIComponent;

export interface CreateArgs {
  project: Project;
  service: ServiceConfig;
  number: number;
  imageId?: string;
  replacing?: ObservedContainer;
  oneOff?: boolean;
  /** false (-V): the replaced container's anonymous volumes are not carried over. */
  inherit?: boolean;
  /** The containers of the project's services so far (service:x references, links). */
  state?: Map<string, ObservedContainer[]>;
  /** Called with docker compose's warnings for the service. */
  warn?(message: string): void;
}

/** The image's Config.Volumes keys (anonymous volumes a replacement inherits). */
async function imageVolumes(ctx: EngineContext, image: string): Promise<string[] | undefined> {
  const res = await ctx.client.request('GET', `/images/${enc(image)}/json`);
  if (res.status !== 200) {
    res.body.resume();
    return undefined;
  }
  const i = await res.json<{ Config?: { Volumes?: Record<string, unknown> | null } }>();
  return Object.keys(i.Config?.Volumes ?? {});
}

/** Creates the container (no events: the caller names the step); resolves to its observed form. */
async function createContainer(ctx: EngineContext, args: CreateArgs, w: ProgressWriter): Promise<ObservedContainer> {
  const apiVersion = await ctx.client.apiVersion();
  const inherit = args.replacing && args.inherit !== false;
  const state = args.state;
  const plan = containerPlan(args.project, args.service, {
    number: args.number,
    oneOff: args.oneOff,
    imageId: args.imageId,
    replacing: inherit ? { id: args.replacing!.id, mounts: args.replacing!.mounts ?? [] } : undefined,
    imageVolumes: inherit ? await imageVolumes(ctx, args.imageId ?? imageName(args.project, args.service)) : undefined,
    apiVersion,
    resolveServiceContainer: state ? (s) => [...(state.get(s) ?? [])].sort((a, b) => a.number - b.number)[0]?.id : undefined,
    serviceContainerNames: state ? (s) => (state.get(s) ?? []).map((c) => c.name) : undefined,
  });
  for (const warning of plan.warnings) args.warn?.(warning);
  // The replaced container was renamed out of the way first (compose's order): the new one takes the name.
  const res = await ctx.client.json<{ Id: string; Warnings?: string[] }>('POST', '/containers/create', { query: { name: plan.name }, body: plan.body });
  for (const warning of res.Warnings ?? []) w.event({ id: args.service.name, status: 'warning', text: warning });
  for (const c of plan.connectAfterCreate) {
    await ctx.client.call('POST', `/networks/${enc(c.network)}/connect`, { body: { Container: res.Id, ...c.body } });
  }
  if (plan.files.length) await putFiles(ctx, res.Id, plan.files);
  const labels = ((plan.body.Labels as Record<string, string>) ?? {});
  return {
    id: res.Id,
    name: plan.name,
    service: args.service.name,
    number: args.number,
    state: 'created',
    created: Math.floor(Date.now() / 1000),
    labels,
  };
}

/** The secret/config files of the plan, put into the container before its first start. */
async function putFiles(ctx: EngineContext, id: string, all: { target: string; content: Buffer; mode: number; uid: number; gid: number; copyUIDGID?: boolean }[]): Promise<void> {
  for (const copyUIDGID of [false, true]) {
    const files = all.filter((f) => !!f.copyUIDGID === copyUIDGID);
    if (files.length) await putArchive(ctx, id, files, copyUIDGID);
  }
}

async function putArchive(ctx: EngineContext, id: string, files: { target: string; content: Buffer; mode: number; uid: number; gid: number }[], copyUIDGID: boolean): Promise<void> {
  const tar = new TarWriter();
  const writing = (async () => {
    for (const f of files) {
      await tar.addFile({ name: f.target.replace(/^\/+/, ''), mode: f.mode, uid: f.uid, gid: f.gid, size: f.content.length, mtime: Math.floor(Date.now() / 1000) }, f.content);
    }
    await tar.finish();
  })();
  const chunks: Buffer[] = [];
  for await (const c of tar.readable) chunks.push(c as Buffer);
  await writing;
  await ctx.client.call('PUT', `/containers/${enc(id)}/archive`, { query: { path: '/', copyUIDGID: copyUIDGID ? 'true' : undefined }, body: Buffer.concat(chunks), headers: { 'Content-Type': 'application/x-tar' } });
}

export async function createWithEvents(ctx: EngineContext, args: CreateArgs, w: ProgressWriter): Promise<ObservedContainer> {
  const name = args.service.container_name ?? `${args.project.name}-${args.service.name}-${args.number}`;
  w.event(ev.creating(ids.container(name)));
  try {
    const c = await createContainer(ctx, args, w);
    w.event(ev.created(ids.container(c.name)));
    return c;
  } catch (err) {
    w.event(ev.error(ids.container(name), errorText(err)));
    throw err;
  }
}

/** compose's recreate: stop, rename to <id12>_<name>, create the new, remove the old. */
export async function recreateContainer(ctx: EngineContext, args: CreateArgs & { replacing: ObservedContainer; timeout?: number }, w: ProgressWriter): Promise<ObservedContainer> {
  const old = args.replacing;
  const id = ids.container(old.name);
  w.event(ev.recreate(id));
  try {
    await ctx.client.call('POST', `/containers/${enc(old.id)}/stop`, { query: { t: args.timeout } });
    await ctx.client.call('POST', `/containers/${enc(old.id)}/rename`, { query: { name: `${old.id.slice(0, 12)}_${old.name}` } });
    const number = Number(old.labels[LABEL.containerNumber] ?? args.number) || args.number;
    const created = await createContainer(ctx, { ...args, number }, w);
    await ctx.client.call('DELETE', `/containers/${enc(old.id)}`, { query: { v: undefined } });
    w.event(ev.recreated(id));
    return created;
  } catch (err) {
    w.event(ev.error(id, errorText(err)));
    throw err;
  }
}

export async function startContainer(ctx: EngineContext, c: ObservedContainer, w: ProgressWriter): Promise<void> {
  const id = ids.container(c.name);
  w.event(ev.starting(id));
  try {
    await ctx.client.call('POST', `/containers/${enc(c.id)}/start`);
  } catch (err) {
    w.event(ev.error(id, errorText(err)));
    throw err;
  }
  c.state = 'running';
  w.event(ev.started(id));
}

export async function stopContainer(ctx: EngineContext, c: ObservedContainer, timeout: number | undefined, w: ProgressWriter): Promise<void> {
  const id = ids.container(c.name);
  w.event(ev.stopping(id));
  try {
    await ctx.client.call('POST', `/containers/${enc(c.id)}/stop`, { query: { t: timeout } });
  } catch (err) {
    w.event(ev.error(id, errorText(err)));
    throw err;
  }
  c.state = 'exited';
  w.event(ev.stopped(id));
}

export async function removeContainer(ctx: EngineContext, c: ObservedContainer, opts: { volumes?: boolean; force?: boolean }, w: ProgressWriter): Promise<void> {
  const id = ids.container(c.name);
  w.event(ev.removing(id));
  try {
    const res = await ctx.client.request('DELETE', `/containers/${enc(c.id)}`, { query: { v: opts.volumes ? 1 : undefined, force: opts.force ? 1 : undefined } });
    if (res.status >= 300 && res.status !== 404) {
      const body = await res.text();
      let message = body;
      try {
        message = JSON.parse(body).message ?? body;
      } catch {
        /* plain text */
      }
      throw new DaemonError(res.status, message);
    } else res.body.resume();
  } catch (err) {
    w.event(ev.error(id, errorText(err)));
    throw err;
  }
  w.event(ev.removed(id));
}

/** stop then remove (scale down, down, rm -s). */
export async function stopAndRemove(ctx: EngineContext, c: ObservedContainer, opts: { timeout?: number; volumes?: boolean }, w: ProgressWriter): Promise<void> {
  if (c.state === 'running' || c.state === 'restarting' || c.state === 'paused') await stopContainer(ctx, c, opts.timeout, w);
  await removeContainer(ctx, c, { volumes: opts.volumes, force: true }, w);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
