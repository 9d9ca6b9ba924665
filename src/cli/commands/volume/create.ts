// `berth volume create`: POST /volumes/create with the driver, its options and labels, then the
// volume's name on stdout (a name the daemon made up when none was given), as docker/cli.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { labelsOption, mapOption } from '../shared.ts';

export const createCommand: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  short: 'Create a volume',
  args: { max: 1 },
  flags: [
    { name: 'driver', short: 'd', type: 'string', usage: 'Specify volume driver name', default: 'local' },
    { name: 'label', type: 'list', usage: 'Set metadata for a volume' },
    { name: 'name', type: 'string', usage: 'Specify volume name', hidden: true },
    { name: 'opt', short: 'o', type: 'list', valueName: 'map', usage: 'Set driver specific options (default map[])' },
  ],
  async run(ctx, flags, args) {
    let name = flags.string('name');
    if (args.length === 1) {
      if (name !== '') throw new StatusError(1, 'conflicting options: cannot specify a volume-name through both --name and as a positional arg');
      name = args[0];
    }
    const labels = labelsOption(flags.list('label'));
    const body = { Driver: flags.string('driver'), DriverOpts: mapOption(flags.list('opt')), Name: name, Labels: labels };
    const vol = await ctx.client.json<{ Name: string }>('POST', '/volumes/create', { body });
    ctx.stdout.write(`${vol.Name}\n`);
  },
};
