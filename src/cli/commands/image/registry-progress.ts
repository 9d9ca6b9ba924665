// The reference a pull or push names, and the progress of either as docker/cli shows it: the daemon's JSON messages on stdout,
// swallowed with -q (an error in the stream still ends the command with exit 1), aux messages
// (push digests) to a callback instead of the screen.
import { Writable } from 'node:stream';
import type { CommandContext } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { displayJsonMessages, JsonMessageError } from '../../progress/index.ts';
import { parseNormalizedNamed, type ParsedReference } from './reference.ts';

/** docker/cli's pull/push reference rules: `-a` takes a bare name; otherwise the tag defaults to latest. */
export function registryReference(ctx: CommandContext, arg: string, all: boolean, quiet: boolean): ParsedReference {
  let ref;
  try {
    ref = parseNormalizedNamed(arg);
  } catch (err) {
    throw new StatusError(1, (err as Error).message);
  }
  const nameOnly = !ref.tag && !ref.digest;
  if (all && !nameOnly) throw new StatusError(1, "tag can't be used with --all-tags/-a");
  if (!all && nameOnly) {
    ref.tag = 'latest';
    if (!quiet) ctx.stdout.write('Using default tag: latest\n');
  }
  return ref;
}

export async function showRegistryProgress(ctx: CommandContext, body: NodeJS.ReadableStream, quiet: boolean): Promise<void> {
  const out = quiet ? new Writable({ write: (_c, _e, done) => done() }) : ctx.stdout;
  try {
    await displayJsonMessages(body, out, { isTerminal: !quiet && Boolean(ctx.stdout.isTTY), width: ctx.stdout.columns, onAux: () => {} });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new StatusError(1, err.message);
    throw err;
  }
}
