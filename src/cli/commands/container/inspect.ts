// `berth container inspect`: containers only, docker's "No such container" for the others.
import type { CommandSpec } from '../../framework/types.ts';
import { inspectAll } from './inspector.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from './shared.ts';

export const inspectContainerCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    { name: 'size', short: 's', type: 'bool', usage: 'Display total file sizes' },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const size = flags.bool('size');
    return inspectAll(ctx, args, flags.string('format'), async (ref) =>
      (await ctx.client.call('GET', `/containers/${encodeURIComponent(ref)}/json`, { query: { size: size ? '1' : undefined } })).text());
  },
};
