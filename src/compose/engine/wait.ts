// Waiting on containers: a service's depends_on conditions before it starts (service_healthy,
// service_completed_successfully; service_started is the graph order itself), and `up --wait`.
// Messages are docker compose v2's (pkg/compose/convergence.go waitDependencies).
import { setTimeout as sleep } from 'node:timers/promises';
import { ComposeError } from '../errors.ts';
import type { Project } from '../types.ts';
import { ids, type EngineContext } from './context.ts';
import type { ObservedContainer } from './convergence.ts';
import { serviceScale } from './convergence.ts';
import { ev, type ProgressWriter } from './progress.ts';

interface Inspect {
  Name: string;
  State: { Status: string; ExitCode: number; Health?: { Status: string } };
  Config: { Healthcheck?: { Test?: string[] } | null };
}

const POLL_MS = 500;

async function inspect(ctx: EngineContext, id: string): Promise<Inspect> {
  return ctx.client.json<Inspect>('GET', `/containers/${encodeURIComponent(id)}/json`);
}

/** true: all healthy (or running, with fallbackRunning, when no healthcheck); throws when one cannot become so. */
async function servicesHealthy(ctx: EngineContext, containers: ObservedContainer[], fallbackRunning: boolean): Promise<boolean> {
  for (const c of containers) {
    const i = await inspect(ctx, c.id);
    const name = i.Name.replace(/^\//, '');
    if (i.State.Status === 'exited') throw new ComposeError(`container ${name} exited (${i.State.ExitCode})`);
    const hasCheck = i.Config.Healthcheck?.Test?.length && i.Config.Healthcheck.Test[0] !== 'NONE';
    if (!hasCheck && fallbackRunning) {
      if (i.State.Status !== 'running') return false;
      continue;
    }
    if (!i.State.Health) throw new ComposeError(`container ${name} has no healthcheck configured`);
    switch (i.State.Health.Status) {
      case 'healthy':
        continue;
      case 'unhealthy':
        throw new ComposeError(`container ${name} is unhealthy`);
      case 'starting':
        return false;
      default:
        throw new ComposeError(`container ${name} had unexpected health status "${i.State.Health.Status}"`);
    }
  }
  return true;
}

async function serviceCompleted(ctx: EngineContext, containers: ObservedContainer[]): Promise<{ exited: boolean; code: number }> {
  for (const c of containers) {
    const i = await inspect(ctx, c.id);
    if (i.State.Status === 'exited') return { exited: true, code: i.State.ExitCode };
  }
  return { exited: false, code: 0 };
}

/**
 * Waits for the conditions of `service`'s depends_on over the containers of its dependencies.
 * `timeoutMs` 0: no limit; `signal` aborts quietly.
 */
export async function waitDependencies(ctx: EngineContext, project: Project, service: string, containersOf: (s: string) => ObservedContainer[], w: ProgressWriter, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
  const deps = project.services[service]?.depends_on ?? {};
  const deadline = opts.timeoutMs ? Date.now() + opts.timeoutMs : Infinity;
  await Promise.all(
    Object.entries(deps).map(async ([dep, cfg]) => {
      if (cfg.condition === 'service_started') return;
      const depService = project.services[dep];
      if (!depService) {
        if (project.disabled_services?.[dep] || !cfg.required) return;
        throw new ComposeError(`service "${dep}" not found`);
      }
      if (serviceScale(depService) === 0) return;
      const waitingFor = containersOf(dep);
      if (!waitingFor.length) {
        if (cfg.required) throw new ComposeError(`${service} is missing dependency ${dep}`);
        ctx.warn(`${service} is missing dependency ${dep}`);
        return;
      }
      for (const c of waitingFor) w.event(ev.waiting(ids.container(c.name)));
      for (;;) {
        if (opts.signal?.aborted) return;
        if (Date.now() > deadline) throw new ComposeError('timeout waiting for dependencies');
        await sleep(POLL_MS);
        if (cfg.condition === 'service_healthy') {
          let healthy: boolean;
          try {
            healthy = await servicesHealthy(ctx, waitingFor, false);
          } catch (err) {
            if (!cfg.required) {
              for (const c of waitingFor) w.event(ev.skipped(ids.container(c.name), `optional dependency "${dep}" failed to start`));
              ctx.warn(`optional dependency "${dep}" failed to start: ${(err as Error).message}`);
              return;
            }
            for (const c of waitingFor) w.event(ev.error(ids.container(c.name)));
            throw new ComposeError(`dependency failed to start: ${(err as Error).message}`);
          }
          if (healthy) {
            for (const c of waitingFor) w.event(ev.healthy(ids.container(c.name)));
            return;
          }
        } else if (cfg.condition === 'service_completed_successfully') {
          const { exited, code } = await serviceCompleted(ctx, waitingFor);
          if (!exited) continue;
          if (code === 0) {
            for (const c of waitingFor) w.event(ev.exited(ids.container(c.name)));
            return;
          }
          const suffix = `"${dep}" didn't complete successfully: exit ${code}`;
          if (!cfg.required) {
            for (const c of waitingFor) w.event(ev.skipped(ids.container(c.name), `optional dependency ${suffix}`));
            ctx.warn(`optional dependency ${suffix}`);
            return;
          }
          const msg = `service ${suffix}`;
          for (const c of waitingFor) w.event(ev.error(ids.container(c.name), msg));
          throw new ComposeError(msg);
        } else {
          ctx.warn(`unsupported depends_on condition: ${cfg.condition}`);
          return;
        }
      }
    }),
  );
}

/** up --wait: every container running (or healthy when it has a healthcheck). */
export async function waitRunningOrHealthy(ctx: EngineContext, containers: ObservedContainer[], w: ProgressWriter, timeoutMs: number): Promise<void> {
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  await Promise.all(
    containers.map(async (c) => {
      const id = ids.container(c.name);
      w.event(ev.waiting(id));
      for (;;) {
        let ok: boolean;
        try {
          ok = await servicesHealthy(ctx, [c], true);
        } catch (err) {
          w.event(ev.error(id, (err as Error).message));
          throw err;
        }
        if (ok) {
          w.event(ev.healthy(id));
          return;
        }
        if (Date.now() > deadline) throw new ComposeError(`timeout waiting for ${c.name} to be running or healthy`);
        await sleep(POLL_MS);
      }
    }),
  );
}
