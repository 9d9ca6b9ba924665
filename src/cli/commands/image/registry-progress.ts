// The progress of a pull or push as docker/cli shows it: the daemon's JSON messages on stdout,
// swallowed with -q (an error in the stream still ends the command with exit 1), aux messages
// (push digests) to a callback instead of the screen.
import { Writable } from 'node:stream';
import type { CommandContext } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { displayJsonMessages, JsonMessageError } from '../../progress/index.ts';

export async function showRegistryProgress(ctx: CommandContext, body: NodeJS.ReadableStream, quiet: boolean): Promise<void> {
  const out = quiet ? new Writable({ write: (_c, _e, done) => done() }) : ctx.stdout;
  try {
    await displayJsonMessages(body, out, { isTerminal: !quiet && Boolean(ctx.stdout.isTTY), width: ctx.stdout.columns, onAux: () => {} });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new StatusError(1, err.message);
    throw err;
  }
}
