// `berth container run`: create, attach (unless -d), wait, start, stream until the container
// ends, and exit with its code, as docker's runContainer.
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { containerFlags, createOnlyFlags, runOnlyFlags } from '../../opts/index.ts';
import { consoleSize, forwardSignals, monitorTtySize } from '../../terminal/index.ts';
import { checkTty, detachKeysFor, openAttach, pumpAttach, waitExit, type AttachStreams } from './attach.ts';
import { CREATE_USAGE, createContainer, optionErrorToStatus } from './create.ts';

/** docker's runStartContainerErr: 127 for a missing command, 126 for one that cannot run. */
function startErrorCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (message.includes('permission denied')) return 126;
  return 125;
}

/** "docker: <error>" with the usage hint, the way run reports daemon failures. */
function runFailure(ctx: CommandContext, err: unknown, code: number): StatusError {
  const e = optionErrorToStatus(err, ctx, 'run');
  if (e instanceof StatusError) return e;
  const msg = e instanceof DaemonError ? `Error response from daemon: ${e.message}` : e instanceof Error ? e.message : String(e);
  return new StatusError(code, `${ctx.programName}: ${msg}\n\nRun '${ctx.programName} run --help' for more information`);
}

async function runContainer(ctx: CommandContext, flags: Flags, args: string[]): Promise<number> {
  const detach = flags.bool('detach');
  const tty = flags.bool('tty');
  const stdinWanted = flags.bool('interactive') || flags.list('attach').some((a) => a.toLowerCase() === 'stdin');
  if (!detach) checkTty(ctx, stdinWanted, tty);
  else if (flags.list('attach').length) throw new Error('conflicting options: cannot specify both --attach and --detach');

  let id: string;
  let body: Record<string, any>;
  try {
    ({ id, body } = await createContainer(ctx, flags, args, { consoleSize: tty ? consoleSize(ctx.stdout) : undefined }, (b) => {
      if (detach) Object.assign(b, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
    }));
  } catch (err) {
    throw runFailure(ctx, err, 125);
  }

  const stopSignals = flags.bool('sig-proxy') ? forwardSignals(ctx.client, id) : () => {};
  let stopResize = () => {};
  try {
    const streams: AttachStreams = {
      stdin: body.AttachStdin, stdout: body.AttachStdout, stderr: body.AttachStderr, detachKeys: detachKeysFor(ctx, flags.string('detach-keys')),
    };
    const attach = streams.stdin || streams.stdout || streams.stderr;
    if (!attach) ctx.stdout.write(`${id}\n`);
    const conn = attach ? await openAttach(ctx, id, streams) : undefined;
    const pumping = conn ? pumpAttach(ctx, conn, streams, tty) : undefined;
    const { exit } = await waitExit(ctx, id, body.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    try {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(id)}/start`);
    } catch (err) {
      if (conn) {
        conn.socket.destroy();
        await pumping;
      }
      if (body.HostConfig.AutoRemove) await exit;
      throw runFailure(ctx, err, startErrorCode((err as Error).message));
    }
    if (conn && tty && ctx.stdout.isTTY) stopResize = await monitorTtySize({ client: ctx.client, id, exec: false }, ctx.stdout, ctx.stderr);
    if (!pumping) return 0;
    if ((await pumping) === 'detached') return 0;
    return await exit;
  } finally {
    stopResize();
    stopSignals();
  }
}

export const runCommand: CommandSpec = {
  name: 'run',
  usage: CREATE_USAGE,
  short: 'Create and run a new container from an image',
  flags: [...runOnlyFlags, ...createOnlyFlags('run'), ...containerFlags],
  args: { min: 1 },
  stopAtFirstArg: true,
  run: (ctx, flags, args) => runContainer(ctx, flags, args),
};
