// `berth compose exec SERVICE COMMAND`: `berth exec` in a service's container (the first, or
// --index), with a TTY unless -T (docker compose allocates one when stdout is a terminal), and
// the command's exit code.
import type { CommandSpec } from '../../framework/types.ts';
import { consoleSize } from '../../terminal/index.ts';
import { checkTty, detachKeysFor } from '../container/attach.ts';
import { interactiveExec } from '../container/exec.ts';
import { composeRun, indexFlag, projectOrName, serviceContainer, checkServices } from './shared.ts';

/** `-e KEY=VALUE` as given; a bare `KEY` takes the value from our environment, or is dropped. */
export function resolveEnv(values: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v.includes('=')) out.push(v);
    else if (env[v] !== undefined) out.push(`${v}=${env[v]}`);
  }
  return out;
}

export const execCommand: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
  short: 'Execute a command in a running container',
  flags: [
    { name: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: Run command in the background' },
    { name: 'env', short: 'e', type: 'list', usage: 'Set environment variables', valueName: 'stringArray' },
    indexFlag('Index of the container if service has multiple replicas'),
    { name: 'interactive', short: 'i', type: 'bool', usage: 'Keep STDIN open even if not attached', default: true, hidden: true },
    { name: 'no-TTY', short: 'T', type: 'bool', usage: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    { name: 'privileged', type: 'bool', usage: 'Give extended privileges to the process' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a pseudo-TTY', default: true, hidden: true },
    { name: 'user', short: 'u', type: 'string', usage: 'Run the command as this user' },
    { name: 'workdir', short: 'w', type: 'string', usage: 'Path to workdir directory for this command' },
  ],
  args: { min: 2 },
  stopAtFirstArg: true,
  run: composeRun(async (ctx, flags, args) => {
    const [service, ...cmd] = args as [string, ...string[]];
    const ref = await projectOrName(ctx);
    checkServices(ref.project, [service]);
    const c = await serviceContainer(ctx, ref.name, service, flags.int('index'));
    const detach = flags.bool('detach');
    // -T given wins; otherwise a TTY when our stdout is one (compose's default for -T).
    const noTty = flags.changed('no-TTY') ? flags.bool('no-TTY') : !ctx.stdout.isTTY;
    const tty = !noTty && flags.bool('tty');
    const interactive = !detach && flags.bool('interactive');
    const config = {
      User: flags.string('user'), Privileged: flags.bool('privileged'), Tty: tty,
      ConsoleSize: tty ? consoleSize(ctx.stdout) : undefined,
      AttachStdin: interactive, AttachStderr: !detach, AttachStdout: !detach,
      DetachKeys: detachKeysFor(ctx, ''),
      Env: resolveEnv(flags.list('env'), process.env), WorkingDir: flags.string('workdir'), Cmd: cmd,
    };
    if (!detach) checkTty(ctx, config.AttachStdin, tty);
    const { Id: execId } = await ctx.client.json<{ Id: string }>('POST', `/containers/${c.Id}/exec`, { body: config });
    const startBody = { Detach: detach, Tty: tty, ConsoleSize: config.ConsoleSize };
    if (detach) {
      await ctx.client.call('POST', `/exec/${execId}/start`, { body: startBody }).then((r) => r.body.resume());
      return 0;
    }
    return interactiveExec(ctx, execId, config, startBody);
  }),
};
