// `berth volume inspect`: each volume's JSON as the daemon sent it (indented like docker), or a
// Go template per volume.
import type { CommandSpec } from '../../framework/types.ts';
import { inspectAll } from '../container/inspector.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../shared.ts';

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  args: { min: 1 },
  flags: [formatFlag(INSPECT_FORMAT_HELP, 'f')],
  async run(ctx, flags, args) {
    return inspectAll(ctx, args, flags.string('format'), async (ref) =>
      (await ctx.client.call('GET', `/volumes/${encodeURIComponent(ref)}`)).text(), 'volume.Volume');
  },
};
