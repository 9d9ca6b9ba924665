// `berth container inspect`: containers only, docker's "No such container" for the others.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { inspectAll, type Lookup } from './inspector.ts';
import { INSPECT_FORMAT_HELP, formatFlag } from '../shared.ts';

/** A container's raw JSON by name or id (with SizeRw/SizeRootFs when `size`); also `berth inspect`'s. */
export function containerLookup(ctx: CommandContext, size: boolean): Lookup {
  return async (ref) => (await ctx.client.call('GET', `/containers/${encodeURIComponent(ref)}/json`, { query: { size: size ? '1' : undefined } })).text();
}

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
    return inspectAll(ctx, args, flags.string('format'), containerLookup(ctx, flags.bool('size')));
  },
};
