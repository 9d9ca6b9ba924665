// What the `berth compose` commands share: the project or only its name (compose's
// projectOrName), service checks with compose's messages, the container a service/--index
// names, and the colour decision of the log printer.
import type { CommandContext, CommandSpec, FlagSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { ComposeError, LABEL, listProjectContainers, type ContainerSummary, type Project, type ProjectRef } from '../../../compose/index.ts';
import { loadComposeProject } from './project-options.ts';
import { useColor as engineUseColor } from './engine-context.ts';


/**
 * compose's projectOrName: `-p NAME` without `-f` needs no file (ps, logs, exec... of a project
 * made elsewhere); otherwise the files are loaded, and when that fails COMPOSE_PROJECT_NAME still
 * names the project.
 */
export async function projectOrName(ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): Promise<ProjectRef> {
  const g = ctx.groupFlags;
  const name = g?.string('project-name') ?? '';
  const files = g?.list('file') ?? [];
  if (name && files.length === 0) return { name: name.toLowerCase() };
  try {
    const project = await loadComposeProject(ctx);
    return { project, name: project.name };
  } catch (err) {
    const envName = env.COMPOSE_PROJECT_NAME;
    if (envName) return { name: envName };
    throw err;
  }
}

/** The project's files, loaded (config, run, watch: commands that need the model). */
export async function requireProject(ctx: CommandContext): Promise<Project> {
  return loadComposeProject(ctx);
}

/** compose's "no such service: x" for a service the project does not declare. */
export function checkServices(project: Project | undefined, services: readonly string[]): void {
  if (!project) return;
  for (const s of services) {
    if (!project.services[s]) {
      if (project.disabled_services?.[s]) throw new ComposeError(`service ${JSON.stringify(s)} is not enabled by the active profiles`);
      throw new ComposeError(`no such service: ${s}`);
    }
  }
}

/** The --index flag (exec, cp, port, logs). */
export function indexFlag(usage: string): FlagSpec {
  return { name: 'index', type: 'int', usage, default: 0 };
}

/**
 * The running container of `service` with number `index` (0: the first), as compose's
 * getSpecifiedContainer: "service \"x\" is not running" when it has none, or
 * "service \"x\" is not running container #N" when that one is missing.
 */
export async function serviceContainer(ctx: CommandContext, projectName: string, service: string, index: number, all = false): Promise<ContainerSummary> {
  const containers = await listProjectContainers(ctx.client, projectName, { services: [service], all, oneOff: 'include' });
  const regular = containers.filter((c) => c.Labels[LABEL.oneOff] !== 'True');
  const pool = regular.length ? regular : containers;
  if (pool.length === 0) throw new ComposeError(`service ${JSON.stringify(service)} is not running`);
  if (index > 0) {
    const c = pool.find((x) => Number(x.Labels[LABEL.containerNumber]) === index);
    if (!c) throw new ComposeError(`service ${JSON.stringify(service)} is not running container #${index}`);
    return c;
  }
  return pool[0]!;
}

/** docker compose's --ansi (and COMPOSE_ANSI) and a command's `--no-color`. */
export function useColor(ctx: CommandContext, noColor = false): boolean {
  return !noColor && engineUseColor(ctx);
}

type RunFn = NonNullable<CommandSpec['run']>;

/** A command's run with the compose box's errors turned into their exit code and bare message. */
export function composeRun(fn: RunFn): RunFn {
  return async (ctx, flags, args) => {
    try {
      return await fn(ctx, flags, args);
    } catch (err) {
      if (err instanceof ComposeError) throw new StatusError(err.exitCode, err.message);
      throw err;
    }
  };
}

