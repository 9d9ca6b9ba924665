// The compose engine's entry point for the command line: one object over the Engine API client,
// the progress output and the build callback, with one method per verb. Each verb runs its own
// progress view (tty or plain, as --progress / the terminal decide) and stops it before returning.
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';
import type { EngineContext } from './context.ts';
import { createProject, selectServices, type CreateOptions, type ProjectState } from './create.ts';
import { downProject, removeProject, type DownOptions, type RemoveOptions } from './down.ts';
import { runForeground, type ForegroundOptions } from './foreground.ts';
import { withDependencies } from './graph.ts';
import { buildService, pullServices, pushServices, type BuildServiceOptions } from './images.ts';
import type { ProgressWriter } from './progress.ts';
import { startProject } from './start.ts';
import { killProject, pauseProject, restartProject, stopProject, type ProjectRef } from './stop.ts';
import type { ObservedContainer } from './convergence.ts';

export interface UpOptions extends CreateOptions {
  detach?: boolean;
  noStart?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  /** Foreground only: what runForeground needs but the services (filled in here). */
  foreground?: Omit<ForegroundOptions, 'services' | 'attach'> & { attach?: string[]; noAttach?: string[] };
}

export class Compose {
  readonly ctx: EngineContext;
  constructor(ctx: EngineContext) {
    this.ctx = ctx;
  }

  private async withProgress<T>(title: string, fn: (w: ProgressWriter) => Promise<T>): Promise<T> {
    const w = this.ctx.progress(title);
    try {
      return await fn(w);
    } finally {
      w.stop();
    }
  }

  /** `up`: resolves to the exit code (foreground: compose's exit codes). */
  async up(project: Project, opts: UpOptions): Promise<number> {
    const foreground = !opts.detach && !opts.noStart && !opts.wait;
    if (!foreground || !opts.foreground) {
      await this.withProgress('Running', async (w) => {
        const state = await createProject(this.ctx, project, opts, w);
        if (!opts.noStart) await startProject(this.ctx, project, state, { services: selectServices(project, opts.services, opts.noDeps), wait: opts.wait, waitTimeout: opts.waitTimeout }, w);
      });
      return 0;
    }
    const state = await this.withProgress('Running', (w) => createProject(this.ctx, project, opts, w));
    const services = selectServices(project, opts.services, opts.noDeps);
    const f = opts.foreground;
    let attach = f.attach?.length ? f.attach : opts.services?.length ? opts.services : services.filter((s) => project.services[s].attach !== false);
    for (const s of [...(f.attach ?? []), ...(f.noAttach ?? [])]) if (!project.services[s]) throw new ComposeError(`no such service: ${s}`);
    if (f.noAttach?.length) attach = attach.filter((s) => !f.noAttach!.includes(s));
    return runForeground(this.ctx, project, state, { ...f, attach, services });
  }

  async create(project: Project, opts: CreateOptions): Promise<void> {
    await this.withProgress('Running', (w) => createProject(this.ctx, project, opts, w));
  }

  async start(project: Project, opts: { services?: string[]; wait?: boolean; waitTimeout?: number }): Promise<void> {
    await this.withProgress('Running', (w) => startProject(this.ctx, project, undefined, opts, w));
  }

  async stop(ref: ProjectRef, opts: { services?: string[]; timeout?: number }): Promise<void> {
    await this.withProgress('Stopping', (w) => stopProject(this.ctx, ref, opts, w));
  }

  async restart(ref: ProjectRef, opts: { services?: string[]; timeout?: number; noDeps?: boolean }): Promise<void> {
    await this.withProgress('Restarting', (w) => restartProject(this.ctx, ref, opts, w));
  }

  /** Resolves false when nothing was running. */
  async kill(ref: ProjectRef, opts: { services?: string[]; signal?: string; removeOrphans?: boolean }): Promise<boolean> {
    return this.withProgress('Killing', (w) => killProject(this.ctx, ref, opts, w));
  }

  async pause(ref: ProjectRef, opts: { services?: string[] }): Promise<void> {
    await this.withProgress('Pausing', (w) => pauseProject(this.ctx, ref, opts, w));
  }

  async unpause(ref: ProjectRef, opts: { services?: string[] }): Promise<void> {
    await this.withProgress('Unpausing', (w) => pauseProject(this.ctx, ref, { ...opts, unpause: true }, w));
  }

  async down(ref: ProjectRef, opts: DownOptions): Promise<void> {
    await this.withProgress('Running', (w) => downProject(this.ctx, ref, opts, w));
  }

  /** `rm`: resolves false when there was nothing to remove ("No stopped containers"). */
  async remove(ref: ProjectRef, opts: RemoveOptions): Promise<boolean> {
    return this.withProgress('Removing', (w) => removeProject(this.ctx, ref, opts, w));
  }

  async build(project: Project, opts: BuildServiceOptions & { services?: string[]; withDependencies?: boolean }): Promise<void> {
    let services = opts.services?.length ? selectServices(project, opts.services, !opts.withDependencies) : Object.keys(project.services).sort();
    services = services.filter((s) => project.services[s].build);
    await this.withProgress('Building', async (w) => {
      for (const s of services) await buildService(this.ctx, project, project.services[s], w, opts);
    });
  }

  async pull(project: Project, opts: { services?: string[]; includeDeps?: boolean; ignoreFailures?: boolean; quiet?: boolean; policy?: string }): Promise<void> {
    const services = opts.services?.length ? selectServices(project, opts.services, !opts.includeDeps) : Object.keys(project.services).sort();
    await this.withProgress('Pulling', (w) => pullServices(this.ctx, project, services, opts, w));
  }

  async push(project: Project, opts: { services?: string[]; ignoreFailures?: boolean; quiet?: boolean }): Promise<void> {
    const services = opts.services?.length ? selectServices(project, opts.services, true) : Object.keys(project.services).sort();
    await this.withProgress('Pushing', (w) => pushServices(this.ctx, project, services, opts, w));
  }

  /**
   * For `run`: creates and starts the dependencies of `service` (not the service itself) and waits
   * for their depends_on conditions, as docker compose run does. Resolves to their containers.
   */
  async startDependencies(project: Project, service: string, opts: { images?: CreateOptions['images']; removeOrphans?: boolean; ignoreOrphans?: boolean } = {}): Promise<ProjectState> {
    if (!project.services[service]) throw new ComposeError(`no such service: ${service}`);
    const deps = withDependencies(project, [service]).filter((s) => s !== service);
    if (!deps.length) return new Map();
    return this.withProgress('Running', async (w) => {
      const state = await createProject(this.ctx, project, { services: deps, recreate: 'diverged', recreateDependencies: 'diverged', images: opts.images, removeOrphans: opts.removeOrphans, ignoreOrphans: opts.ignoreOrphans ?? true }, w);
      return startProject(this.ctx, project, state, { services: deps }, w);
    });
  }

  /**
   * For `watch` (rebuild): rebuilds the service's image when it has `build` (build: true), then
   * recreates its containers (and those depending on it) and starts them; dependencies are left as they are.
   */
  async recreateService(project: Project, service: string, opts: { build?: boolean; timeout?: number } = {}): Promise<ObservedContainer[]> {
    if (!project.services[service]) throw new ComposeError(`no such service: ${service}`);
    return this.withProgress('Running', async (w) => {
      const state = await createProject(this.ctx, project, { services: [service], noDeps: true, recreate: 'force', images: { build: opts.build }, timeout: opts.timeout, ignoreOrphans: true }, w);
      await startProject(this.ctx, project, state, { services: [service] }, w);
      return state.get(service) ?? [];
    });
  }
}
