// `berth inspect`: any object by name or id. Without --type, containers are tried first, then
// images, networks and volumes (docker's order); an object none of them knows is
// "No such object". With --type only that kind is asked.
import type { CommandContext, CommandSpec } from '../framework/types.ts';
import { DaemonError, StatusError } from '../framework/types.ts';
import { inspectAll, type Lookup } from './container/inspector.ts';
import { containerLookup } from './container/inspect.ts';
import { imageLookup } from './image/inspect.ts';
import { networkLookup } from './network/inspect.ts';
import { formatFlag, INSPECT_FORMAT_HELP } from './shared.ts';

const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];
/** The kinds berth has, in the order docker tries them. */
const LOCAL_TYPES = ['container', 'image', 'network', 'volume'] as const;
type LocalType = (typeof LOCAL_TYPES)[number];

function lookup(ctx: CommandContext, type: LocalType, size: boolean): Lookup {
  switch (type) {
    case 'container':
      return containerLookup(ctx, size);
    case 'image':
      return imageLookup(ctx);
    case 'network':
      return networkLookup(ctx);
    case 'volume':
      return async (ref) => (await ctx.client.call('GET', `/volumes/${encodeURIComponent(ref)}`)).text();
  }
}

export const inspectCommand: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on Docker objects',
  flags: [
    formatFlag(INSPECT_FORMAT_HELP, 'f'),
    { name: 'size', short: 's', type: 'bool', usage: 'Display total file sizes if the type is container' },
    { name: 'type', type: 'string', usage: 'Only inspect objects of the given type' },
  ],
  args: { min: 1 },
  async run(ctx, flags, args) {
    const type = flags.string('type');
    const size = flags.bool('size');
    if (type && !ALL_TYPES.includes(type)) {
      throw new StatusError(1, `unknown type: ${JSON.stringify(type)}: must be one of ${ALL_TYPES.map((t) => JSON.stringify(t)).join(', ')}`);
    }
    if (type) {
      if (!(LOCAL_TYPES as readonly string[]).includes(type)) {
        // Swarm and plugin objects: berth has none of them.
        return inspectAll(ctx, args, flags.string('format'), async (ref) => {
          throw new DaemonError(404, `No such ${type}: ${ref}`);
        });
      }
      return inspectAll(ctx, args, flags.string('format'), lookup(ctx, type as LocalType, size));
    }
    return inspectAll(ctx, args, flags.string('format'), async (ref) => {
      for (const t of LOCAL_TYPES) {
        try {
          return await lookup(ctx, t, size)(ref);
        } catch (err) {
          if (err instanceof DaemonError && err.status === 404) continue;
          throw err;
        }
      }
      throw new Error(`Error: No such object: ${ref}`);
    });
  },
};
