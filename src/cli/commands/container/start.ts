// `berth container start`: start containers, or with -a/-i one container attached as `run` does.
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { DaemonError } from '../../framework/types.ts';
import { forwardSignals, monitorTtySize } from '../../terminal/index.ts';
import { detachKeysFor, inspectContainer, openAttach, pumpAttach, waitExit, checkTty, type AttachStreams } from './attach.ts';

async function startAttached(ctx: CommandContext, flags: Flags, ref: string): Promise<number> {
  const c = await inspectContainer(ctx, ref);
  const streams: AttachStreams = {
    stdin: flags.bool('interactive') && c.Config.OpenStdin, stdout: true, stderr: true, detachKeys: detachKeysFor(ctx, flags.string('detach-keys')),
  };
  checkTty(ctx, streams.stdin, c.Config.Tty);
  const stopSignals = c.Config.Tty ? () => {} : forwardSignals(ctx.client, c.Id);
  let stopResize = () => {};
  try {
    const conn = await openAttach(ctx, c.Id, streams);
    const pumping = pumpAttach(ctx, conn, streams, c.Config.Tty);
    const { exit } = await waitExit(ctx, c.Id, c.HostConfig.AutoRemove ? 'removed' : 'next-exit');
    try {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(c.Id)}/start`);
    } catch (err) {
      conn.socket.destroy();
      await pumping;
      if (c.HostConfig.AutoRemove) await exit;
      throw err;
    }
    if (c.Config.Tty && ctx.stdout.isTTY) stopResize = await monitorTtySize({ client: ctx.client, id: c.Id, exec: false }, ctx.stdout, ctx.stderr);
    if ((await pumping) === 'detached') return 0;
    return await exit;
  } finally {
    stopResize();
    stopSignals();
  }
}

export const startCommand: CommandSpec = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  flags: [
    { name: 'attach', short: 'a', type: 'bool', usage: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'detach-keys', type: 'string', usage: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', type: 'bool', usage: "Attach container's STDIN" },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    if (flags.bool('attach') || flags.bool('interactive')) {
      if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
      return startAttached(ctx, flags, args[0]);
    }
    const failed: string[] = [];
    for (const ref of args) {
      try {
        await ctx.client.call('POST', `/containers/${encodeURIComponent(ref)}/start`);
        ctx.stdout.write(`${ref}\n`);
      } catch (err) {
        ctx.stderr.write(err instanceof DaemonError ? `Error response from daemon: ${err.message}\n` : `${(err as Error).message}\n`);
        failed.push(ref);
      }
    }
    if (failed.length) throw new Error(`Error: failed to start containers: ${failed.join(', ')}`);
  },
};
