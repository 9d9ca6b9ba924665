// `berth network inspect`: each network's JSON as the daemon sent it (indented like docker), or
// a Go template per network; --verbose asks the daemon for its diagnostic detail.
import type { CommandSpec } from '../../framework/types.ts';
import { INSPECT_FORMAT_HELP } from '../../framework/index.ts';
import { inspectAll } from '../container/inspector.ts';
import { seg } from './shared.ts';

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  args: { min: 1 },
  flags: [
    { name: 'format', short: 'f', type: 'string', usage: INSPECT_FORMAT_HELP },
    { name: 'verbose', short: 'v', type: 'bool', usage: 'Verbose output for diagnostics' },
  ],
  async run(ctx, flags, args) {
    const verbose = flags.bool('verbose');
    return inspectAll(ctx, args, flags.string('format'), async (ref) => {
      const res = await ctx.client.call('GET', `/networks/${seg(ref)}`, { query: { verbose: verbose ? 'true' : undefined } });
      return res.text();
    });
  },
};
