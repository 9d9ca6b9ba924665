// docker exec (moby daemon/exec.go): an exec instance is made, then started as its own process
// in the running container under its own shim; its exit is recorded and its clients ended.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, invalidParameter, notFound, newId } from '../../common/index.ts';
import { buildExecProcess, type ExecConfig } from './spec-inputs.ts';
import { StdioHub } from './stdio-hub.ts';
import { execRecord } from './links.ts';
import { runtimeOf } from './container.ts';
import { publish, type ContainerContext } from './context.ts';
import { translateStartError } from './start.ts';

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  stateDir: string;
  hub: StdioHub;
  canRemove: boolean;
  started: boolean;
}

export class ExecStore {
  readonly #byId = new Map<string, ExecInstance>();

  get(id: string): ExecInstance {
    const e = this.#byId.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  find(id: string): ExecInstance | undefined {
    return this.#byId.get(id);
  }

  add(e: ExecInstance): void {
    this.#byId.set(e.id, e);
  }

  delete(id: string): void {
    this.#byId.delete(id);
  }
}

export function createExec(ctx: Pick<ContainerContext, 'store' | 'execs' | 'events' | 'execRoot'>, ref: string, config: ExecConfig): string {
  const c = ctx.store.get(ref);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  if (c.state.paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before exec`);
  if (c.state.restarting) throw conflict(`Container ${c.rec.ID} is restarting, wait until the container is running`);
  if (!config.Cmd?.length) throw invalidParameter('No exec command specified');
  const id = newId();
  ctx.execs.add({
    id, containerId: c.rec.ID, config, running: false, exitCode: null, pid: 0,
    stateDir: join(ctx.execRoot, 'x', id), hub: new StdioHub(), canRemove: false, started: false,
  });
  c.execIds.add(id);
  publish(ctx, c, `exec_create: ${config.Cmd.join(' ')}`, { execID: id });
  return id;
}

/** Starts an exec; resolves once it runs. Its hub ends when the process exits and the exit code is recorded. */
export async function startExec(ctx: ContainerContext, id: string): Promise<ExecInstance> {
  const e = ctx.execs.get(id);
  if (e.started) throw conflict(`Error: Exec command ${id} has already run`);
  const c = ctx.store.get(e.containerId);
  if (!c.state.running) throw conflict(`Container ${c.rec.ID} is not running`);
  if (c.state.paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before exec`);
  e.started = true;
  const t0 = performance.now();
  const process = await buildExecProcess(execRecord(ctx.store, c.rec), c.hostConfig, e.config, ctx);
  const tBuilt = performance.now();
  let tRunning = 0;
  try {
    const { pid } = await ctx.runtime.exec(c.rec.ID, process, {
      runtime: runtimeOf(c, ctx.defaultRuntime), stateDir: e.stateDir, tty: Boolean(e.config.Tty), stdin: Boolean(e.config.AttachStdin),
    });
    e.pid = pid;
    e.running = true;
    tRunning = performance.now();
    e.hub.connect(await ctx.runtime.attach(e.stateDir));
  } catch (err) {
    const translated = translateStartError(String((err as Error).message));
    e.exitCode = translated.code || 126;
    e.canRemove = true;
    await rm(e.stateDir, { recursive: true, force: true });
    throw translated.error;
  }
  publish(ctx, c, `exec_start: ${(e.config.Cmd ?? []).join(' ')}`, { execID: id });
  void (async () => {
    const tAttached = performance.now();
    await e.hub.waitShimClosed();
    const tClosed = performance.now();
    const exit = await ctx.runtime.readExit(e.stateDir).catch(() => undefined);
    e.exitCode = exit?.exitCode ?? 126;
    e.running = false;
    // dockerd keeps the pid in exec inspect after the exit, and CanRemove stays false until
    // its exec garbage collection (minutes later) marks the instance.
    await rm(e.stateDir, { recursive: true, force: true }).catch(() => {});
    publish(ctx, c, 'exec_die', { execID: id, exitCode: String(e.exitCode) });
    e.hub.finish();
    const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10;
    ctx.log.debug('exec timings', { execID: id, specMs: ms(t0, tBuilt), shimMs: ms(tBuilt, tRunning), attachMs: ms(tRunning, tAttached), runMs: ms(tAttached, tClosed), recordMs: ms(tClosed, performance.now()) });
  })();
  return e;
}

export function resizeExec(ctx: Pick<ContainerContext, 'execs'>, id: string, rows: number, cols: number): void {
  const e = ctx.execs.get(id);
  if (!e.running) throw conflict(`Exec ${id} is not running`);
  e.hub.resize(rows, cols);
}
