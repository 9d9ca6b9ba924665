// `berth compose`'s own flags (docker compose v2's root flags) and the project they select.
import type { CommandContext, FlagSpec, Flags } from '../../framework/types.ts';
import { loadProject, type LoadOptions, type Project } from '../../../compose/index.ts';

export const COMPOSE_FLAGS: FlagSpec[] = [
  { name: 'ansi', type: 'string', usage: 'Control when to print ANSI control characters ("never"|"always"|"auto")', default: 'auto' },
  { name: 'compatibility', type: 'bool', usage: 'Run compose in backward compatibility mode' },
  { name: 'dry-run', type: 'bool', usage: 'Execute command in dry run mode' },
  { name: 'env-file', type: 'list', usage: 'Specify an alternate environment file', valueName: 'stringArray' },
  { name: 'file', short: 'f', type: 'list', usage: 'Compose configuration files', valueName: 'stringArray' },
  { name: 'parallel', type: 'int', usage: 'Control max parallelism, -1 for unlimited', default: -1 },
  { name: 'profile', type: 'list', usage: 'Specify a profile to enable', valueName: 'stringArray' },
  { name: 'progress', type: 'string', usage: 'Set type of progress output (auto, tty, plain, json, quiet)', default: 'auto' },
  { name: 'project-directory', type: 'string', usage: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)' },
  { name: 'project-name', short: 'p', type: 'string', usage: 'Project name' },
];

/** The group's flags, or an empty set when a command runs without them (tests). */
function composeFlags(ctx: CommandContext): Flags | undefined {
  return ctx.groupFlags;
}

function loadOptions(ctx: CommandContext, env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const f = composeFlags(ctx);
  return {
    files: f?.list('file') ?? [],
    projectDirectory: f?.string('project-directory') || undefined,
    projectName: f?.string('project-name') || undefined,
    profiles: f?.list('profile') ?? [],
    envFiles: f?.list('env-file') ?? [],
    env: { ...env },
    cwd: process.cwd(),
    stdin: ctx.stdin,
    warn: (message) => ctx.stderr.write(`WARN[0000] ${message}\n`),
  };
}

/** Loads the project the command line selects. */
export function loadComposeProject(ctx: CommandContext, extra: Partial<LoadOptions> = {}): Promise<Project> {
  return loadProject({ ...loadOptions(ctx), ...extra });
}
