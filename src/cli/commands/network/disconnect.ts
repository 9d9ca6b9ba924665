// `berth network disconnect`: detaches a container from a network (-f even if it is gone).
import type { CommandSpec } from '../../framework/types.ts';

export const disconnectCommand: CommandSpec = {
  name: 'disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  args: { min: 2, max: 2 },
  flags: [{ name: 'force', short: 'f', type: 'bool', usage: 'Force the container to disconnect from a network' }],
  async run(ctx, flags, args) {
    const [network, container] = args as [string, string];
    await ctx.client.call('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { body: { Container: container, Force: flags.bool('force') } });
  },
};
