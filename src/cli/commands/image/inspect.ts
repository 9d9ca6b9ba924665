// `berth image inspect`.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { inspectAll, type Lookup } from '../container/inspector.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../shared.ts';

/** An image's raw JSON by reference or id; also `berth inspect`'s. */
export function imageLookup(ctx: CommandContext): Lookup {
  return async (ref) => (await ctx.client.call('GET', `/images/${encodeURIComponent(ref)}/json`)).text();
}

export const inspectImageCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    { name: 'platform', type: 'string', usage: "Inspect a specific platform of the multi-platform image.\nIf the image or the server is not multi-platform capable, the command will error out if the platform does not match.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)" },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    return inspectAll(ctx, args, flags.string('format'), imageLookup(ctx));
  },
};
