// `berth container rename OLD NEW`.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { errorText } from '../shared.ts';

export const renameCommand: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  short: 'Rename a container',
  args: { min: 2, max: 2 },
  async run(ctx, _flags, args) {
    const oldName = args[0].trim();
    const newName = args[1].trim();
    if (!oldName || !newName) throw new StatusError(1, 'Error: Neither old nor new names may be empty');
    try {
      await ctx.client.call('POST', `/containers/${encodeURIComponent(oldName)}/rename`, { query: { name: newName } });
    } catch (err) {
      ctx.stderr.write(errorText(err) + '\n');
      throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
    }
  },
};
