// `berth container exec`: run a command in a running container, attached unless -d, exiting
// with the command's code (from exec inspect), as docker's RunExec.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { OptionError, readEnv } from '../../opts/index.ts';
import { consoleSize, ESCAPE_MESSAGE, monitorTtySize, streamHijacked } from '../../terminal/index.ts';
import { checkTty, detachKeysFor } from './attach.ts';

export const execCommand: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  flags: [
    { name: 'detach', short: 'd', type: 'bool', usage: 'Detached mode: run command in the background' },
    { name: 'detach-keys', type: 'string', usage: 'Override the key sequence for detaching a container' },
    { name: 'env', short: 'e', type: 'list', usage: 'Set environment variables' },
    { name: 'env-file', type: 'list', usage: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', type: 'bool', usage: 'Keep STDIN open even if not attached' },
    { name: 'privileged', type: 'bool', usage: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', type: 'bool', usage: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', type: 'string', usage: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', type: 'string', usage: 'Working directory inside the container' },
  ],
  args: { min: 2 },
  stopAtFirstArg: true,
  async run(ctx, flags, args) {
    const [ref, ...cmd] = args;
    const detach = flags.bool('detach');
    const tty = flags.bool('tty');
    let env: string[];
    try {
      env = readEnv(flags.list('env-file'), flags.list('env'), (k) => process.env[k]);
    } catch (err) {
      if (err instanceof OptionError) throw new Error(err.message);
      throw err;
    }
    const config = {
      User: flags.string('user'), Privileged: flags.bool('privileged'), Tty: tty,
      ConsoleSize: tty ? consoleSize(ctx.stdout) : undefined,
      AttachStdin: !detach && flags.bool('interactive'), AttachStderr: !detach, AttachStdout: !detach,
      DetachKeys: detachKeysFor(ctx, flags.string('detach-keys')),
      Env: env, WorkingDir: flags.string('workdir'), Cmd: cmd,
    };
    // A missing container is reported before the TTY check, and before an exec is made.
    await ctx.client.call('GET', `/containers/${encodeURIComponent(ref)}/json`).then((r) => r.body.resume());
    if (!detach) checkTty(ctx, config.AttachStdin, tty);
    const { Id: execId } = await ctx.client.json<{ Id: string }>('POST', `/containers/${encodeURIComponent(ref)}/exec`, { body: config });
    if (!execId) throw new Error('exec ID empty');
    const startBody = { Detach: detach, Tty: tty, ConsoleSize: config.ConsoleSize };
    if (detach) {
      await ctx.client.call('POST', `/exec/${execId}/start`, { body: startBody }).then((r) => r.body.resume());
      return 0;
    }
    return interactiveExec(ctx, execId, config, startBody);
  },
};

export async function interactiveExec(ctx: CommandContext, execId: string, config: { AttachStdin: boolean; Tty: boolean; DetachKeys: string }, startBody: object): Promise<number> {
  const conn = await ctx.client.hijack(`/exec/${execId}/start`, { body: startBody });
  const pumping = streamHijacked({
    conn, tty: config.Tty, detachKeys: config.DetachKeys,
    stdin: config.AttachStdin ? ctx.stdin : undefined,
    stdout: ctx.stdout,
    stderr: config.Tty ? ctx.stdout : ctx.stderr,
  });
  let stopResize = () => {};
  if (config.Tty && ctx.stdin.isTTY) stopResize = await monitorTtySize({ client: ctx.client, id: execId, exec: true }, ctx.stdout, ctx.stderr);
  try {
    // docker reports the detach as an error here, as `attach` does.
    if ((await pumping) === 'detached') throw new StatusError(1, ESCAPE_MESSAGE);
  } finally {
    stopResize();
  }
  const inspect = await ctx.client.json<{ ExitCode: number | null }>('GET', `/exec/${execId}/json`);
  return inspect.ExitCode ?? 0;
}
