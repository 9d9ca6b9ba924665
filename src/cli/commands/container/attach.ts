// `berth container attach`, and the attach/wait steps that run and start share with it.
import type { CommandContext, CommandSpec, HijackedConnection } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { ESCAPE_MESSAGE, forwardSignals, resizeTty, streamHijacked, type StreamEnd } from '../../terminal/index.ts';

/** docker's CheckTty: a TTY for the container needs one on our stdin when stdin is attached. */
export function checkTty(ctx: CommandContext, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !ctx.stdin.isTTY) throw new Error('the input device is not a TTY');
}

/** The detach keys: the flag, else config.json's detachKeys. */
export function detachKeysFor(ctx: CommandContext, flagValue: string): string {
  return flagValue || (typeof ctx.config.detachKeys === 'string' ? ctx.config.detachKeys : '');
}

export interface AttachStreams {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys: string;
}

/** POST /containers/ID/attach?stream=1 hijacked. */
export function openAttach(ctx: CommandContext, id: string, s: AttachStreams): Promise<HijackedConnection> {
  return ctx.client.hijack(`/containers/${encodeURIComponent(id)}/attach`, {
    query: { stream: 1, stdin: s.stdin ? 1 : undefined, stdout: s.stdout ? 1 : undefined, stderr: s.stderr ? 1 : undefined, detachKeys: s.detachKeys || undefined },
  });
}

/** Copies stdio over an attach connection until the output ends or the user detaches. */
export function pumpAttach(ctx: CommandContext, conn: HijackedConnection, s: AttachStreams, tty: boolean): Promise<StreamEnd> {
  return streamHijacked({
    conn, tty, detachKeys: s.detachKeys,
    stdin: s.stdin ? ctx.stdin : undefined,
    stdout: s.stdout ? ctx.stdout : undefined,
    // With a TTY there is one stream: docker sends "stderr" to stdout.
    stderr: s.stderr ? (tty ? ctx.stdout : ctx.stderr) : undefined,
  });
}

/**
 * POST /containers/ID/wait, sent before the container is started (as docker does). Resolves once
 * the daemon has answered with its headers, which it does as soon as the wait is registered,
 * so no exit can be missed; `exit` then gives the code, 125 when waiting failed.
 */
export async function waitExit(ctx: CommandContext, id: string, condition: 'next-exit' | 'removed' | 'not-running', report = true): Promise<{ exit: Promise<number> }> {
  const failed = (err: unknown) => {
    if (report) ctx.stderr.write(`error waiting for container: ${(err as Error).message}\n`);
    return 125;
  };
  let res;
  try {
    res = await ctx.client.call('POST', `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } });
  } catch (err) {
    return { exit: Promise.resolve(failed(err)) };
  }
  const exit = res.json<{ StatusCode: number; Error?: { Message?: string } | null }>().then((r) => {
    if (r?.Error?.Message) {
      ctx.stderr.write(`Error waiting for container: ${r.Error.Message}\n`);
      return 125;
    }
    return r?.StatusCode ?? 125;
  }, failed);
  return { exit };
}

interface InspectState {
  Id: string;
  Config: { Tty: boolean; OpenStdin: boolean };
  HostConfig: { AutoRemove: boolean };
  State: { Running: boolean; Paused: boolean; Restarting: boolean };
}

export function inspectContainer(ctx: CommandContext, ref: string): Promise<InspectState> {
  return ctx.client.json<InspectState>('GET', `/containers/${encodeURIComponent(ref)}/json`);
}

async function inspectRunning(ctx: CommandContext, ref: string): Promise<InspectState> {
  const c = await inspectContainer(ctx, ref);
  if (!c.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
  if (c.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
  if (c.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
  return c;
}

export const attachCommand: CommandSpec = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  short: 'Attach local standard input, output, and error streams to a running container',
  flags: [
    { name: 'detach-keys', type: 'string', usage: 'Override the key sequence for detaching a container' },
    { name: 'no-stdin', type: 'bool', usage: 'Do not attach STDIN' },
    { name: 'sig-proxy', type: 'bool', usage: 'Proxy all received signals to the process', default: true },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const ref = args[0];
    // A missing container is reported by the inspect below, not by the wait.
    const { exit } = await waitExit(ctx, ref, 'not-running', false);
    const c = await inspectRunning(ctx, ref);
    checkTty(ctx, !flags.bool('no-stdin'), c.Config.Tty);
    const streams: AttachStreams = {
      stdin: !flags.bool('no-stdin') && c.Config.OpenStdin, stdout: true, stderr: true, detachKeys: detachKeysFor(ctx, flags.string('detach-keys')),
    };
    const stopSignals = flags.bool('sig-proxy') && !c.Config.Tty ? forwardSignals(ctx.client, c.Id) : () => {};
    try {
      const conn = await openAttach(ctx, ref, streams);
      // The container may have stopped between the check and the attach.
      await inspectRunning(ctx, ref);
      if (c.Config.Tty && ctx.stdout.isTTY) await resizeTty({ client: ctx.client, id: ref, exec: false }, ctx.stdout).catch(() => {});
      const end = await pumpAttach(ctx, conn, streams, c.Config.Tty);
      if (end === 'detached') throw new StatusError(1, ESCAPE_MESSAGE);
      const code = await exit;
      if (code !== 0) return code;
    } finally {
      stopSignals();
    }
  },
};
