// The foreground `up` (docker compose v2's pkg/compose/up.go and its log printer): attach to the
// containers of the attached services before they start, print their prefixed lines, print
// "<name> exited with code N" as each ends, and return once all have ended. Options:
// --abort-on-container-exit / --exit-code-from stop everything at the first exit and return that
// exit code; the first interrupt stops the project gracefully, the second kills it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Project } from '../types.ts';
import type { EngineContext } from './context.ts';
import type { ObservedContainer } from './convergence.ts';
import type { ProjectState } from './create.ts';
import { openAttach } from './log-stream.ts';
import { streamContainerLogs } from '../logs/container-logs.ts';
import type { ContainerSummary } from '../containers.ts';
import type { LogConsumer } from '../logs/log-consumer.ts';
import { progressWriter } from './progress.ts';
import { startProject } from './start.ts';
import { killProject, stopProject } from './stop.ts';

export interface ForegroundOptions {
  /** The services whose output is shown (compose's --attach / --no-attach / attach: false applied). */
  attach: string[];
  /** The services to start (the command's selection). */
  services: string[];
  abortOnContainerExit?: boolean;
  /** --abort-on-container-failure: only a non-zero exit stops everything. */
  abortOnContainerFailure?: boolean;
  /** --exit-code-from SERVICE (implies abortOnContainerExit). */
  exitCodeFrom?: string;
  /** --no-deps: dependencies outside `services` are not waited for. */
  noDeps?: boolean;
  /** -t for the graceful stop. */
  timeout?: number;
  printer: LogConsumer;
  /** Where compose's own lines go ("Attaching to ...", "Gracefully stopping..."). */
  info(message: string): void;
  /** Registers the interrupt handler (SIGINT/SIGTERM); returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

interface Inspect {
  State: { Status: string; ExitCode: number; Restarting?: boolean };
  Config: { Tty?: boolean };
}

/** Resolves to the exit code of `up`. */
export async function runForeground(ctx: EngineContext, project: Project, state: ProjectState, opts: ForegroundOptions): Promise<number> {
  const printer = opts.printer;
  const attached = opts.attach.flatMap((s) => state.get(s) ?? []);
  for (const c of attached) printer.register(shortName(project, c));
  opts.info(`Attaching to ${attached.map((c) => shortName(project, c)).join(', ')}`);
  const abortOnExit = !!(opts.abortOnContainerExit || opts.abortOnContainerFailure || opts.exitCodeFrom);
  const stopped = new AbortController();
  let exitCode = 0;
  let exitCodeSet = false;
  let interrupted = 0;
  let stopping: Promise<void> | undefined;

  const stopAll = (kill = false): Promise<void> => {
    const w = ctx.progress(kill ? 'Killing' : 'Stopping');
    const ref = { name: project.name, project };
    const op = kill
      ? killProject(ctx, ref, { services: opts.services, all: true }, w).then(() => {}, () => {})
      : stopProject(ctx, ref, { services: opts.services, timeout: opts.timeout }, w);
    return op.finally(() => w.stop());
  };

  const removeInterrupt = opts.onInterrupt(() => {
    interrupted++;
    if (interrupted === 1) {
      opts.info('Gracefully stopping... (press Ctrl+C again to force)');
      stopped.abort();
      stopping = stopAll();
      stopping.catch(() => {});
    } else {
      void stopAll(true);
    }
  });

  const onExit = (c: ObservedContainer, code: number) => {
    if (opts.exitCodeFrom && c.service === opts.exitCodeFrom && !exitCodeSet) {
      exitCode = code;
      exitCodeSet = true;
    }
    const failureOnly = opts.abortOnContainerFailure && !opts.abortOnContainerExit && !opts.exitCodeFrom;
    if (abortOnExit && !stopping && !interrupted && !(failureOnly && code === 0)) {
      if (!opts.exitCodeFrom && !exitCodeSet) {
        exitCode = code;
        exitCodeSet = true;
      }
      opts.info('Aborting on container exit...');
      stopped.abort();
      stopping = stopAll();
      stopping.catch(() => {});
    }
  };

  // Containers already running are attached to now (their new output only); the others are
  // followed from their start: their logs since this instant (attaching to a stopped container
  // is not what every engine supports, and a log stream catches the first lines however fast
  // they come).
  const since = (Date.now() / 1000).toFixed(3);
  const startedBy = new Map<string, { promise: Promise<boolean>; resolve: (ok: boolean) => void }>();
  for (const c of attached) {
    if (c.state === 'running') continue;
    let resolve!: (ok: boolean) => void;
    const promise = new Promise<boolean>((r) => (resolve = r));
    startedBy.set(c.id, { promise, resolve });
  }

  /** Prints the container's output until it ends for good (following it across restarts), then its exit. */
  const watch = async (c: ObservedContainer, first: (() => Promise<void>) | undefined) => {
    const name = shortName(project, c);
    let pump = first;
    const waitStart = startedBy.get(c.id);
    if (waitStart) {
      if (!(await waitStart.promise)) return;
      pump = () => streamContainerLogs(ctx.client, { Id: c.id, Names: [`/${c.name}`], Labels: c.labels } as ContainerSummary, printer, { follow: true, since });
    }
    for (;;) {
      try {
        if (!pump) pump = await openAttach(ctx.client, { id: c.id, name }, printer);
        await pump();
      } catch {
        /* could not attach (removed): look at its state */
      }
      pump = undefined;
      let i: Inspect;
      try {
        i = await ctx.client.json<Inspect>('GET', `/containers/${encodeURIComponent(c.id)}/json`);
      } catch {
        return;
      }
      if (i.State.Status === 'running' || i.State.Status === 'restarting') {
        await sleep(i.State.Status === 'running' ? 50 : 200);
        continue;
      }
      if (i.State.Status === 'created') return;
      printer.status(name, `exited with code ${i.State.ExitCode}`);
      onExit(c, i.State.ExitCode);
      return;
    }
  };

  const pumps = await Promise.all(attached.map((c) => (c.state === 'running' ? openAttach(ctx.client, { id: c.id, name: shortName(project, c) }, printer).catch(() => undefined) : undefined)));
  const watchers = attached.map((c, i) => watch(c, pumps[i]));
  const onStarted = (c: ObservedContainer) => startedBy.get(c.id)?.resolve(true);
  const notStarted = () => {
    for (const s of startedBy.values()) s.resolve(false);
  };
  try {
    try {
      await startProject(ctx, project, state, { services: opts.services, noDeps: opts.noDeps, signal: stopped.signal, onStarted }, progressWriter('quiet', process.stderr));
      notStarted();
      // A stop that began while a start was in flight listed that container before it ran: now
      // that nothing more starts, stop again (what is already stopped is left as it is).
      if (stopping && interrupted < 2) {
        await stopping.catch(() => {});
        stopping = stopAll();
        stopping.catch(() => {});
      }
    } catch (err) {
      notStarted();
      if (!interrupted) {
        stopped.abort();
        stopping ??= stopAll();
        await stopping.catch(() => {});
        await Promise.all(watchers);
        throw err;
      }
    }
    await Promise.all(watchers);
    if (stopping) await stopping;
  } finally {
    removeInterrupt();
  }
  if (interrupted) return 130;
  return exitCode;
}

/** The name compose prints: "<service>-<n>" for compose's own names, a container_name as is. */
function shortName(project: Project, c: ObservedContainer): string {
  const prefix = `${project.name}-`;
  return c.name === `${prefix}${c.service}-${c.number}` ? c.name.slice(prefix.length) : c.name;
}
