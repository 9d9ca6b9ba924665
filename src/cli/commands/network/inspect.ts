// `berth network inspect`: each network's JSON as the daemon sent it (indented like docker), or
// a Go template per network; --verbose asks the daemon for its diagnostic detail.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { inspectAll, type Lookup } from '../container/inspector.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../shared.ts';

/** A network's raw JSON by name or id; also `berth inspect`'s. */
export function networkLookup(ctx: CommandContext, verbose = false): Lookup {
  return async (ref) => (await ctx.client.call('GET', `/networks/${encodeURIComponent(ref)}`, { query: { verbose: verbose ? 'true' : undefined } })).text();
}

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    { name: 'verbose', short: 'v', type: 'bool', usage: 'Verbose output for diagnostics' },
  ],
  async run(ctx, flags, args) {
    return inspectAll(ctx, args, flags.string('format'), networkLookup(ctx, flags.bool('verbose')));
  },
};
