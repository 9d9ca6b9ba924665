// `berth network create`: checks the IPAM flags as docker/cli does (every range, gateway and
// aux address inside one --subnet), sends POST /networks/create, prints the new network's ID.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { consolidateIpam } from './ipam.ts';
import { labelsOption, mapOption } from '../shared.ts';
import { compareVersions } from '../../framework/client.ts';

export const createCommand: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] NETWORK',
  short: 'Create a network',
  args: { min: 1, max: 1 },
  flags: [
    { name: 'attachable', type: 'bool', usage: 'Enable manual container attachment', minApi: '1.25' },
    // "(default map[])" is how pflag shows an empty map option; these flags have no default value.
    { name: 'aux-address', type: 'list', valueName: 'map', usage: 'Auxiliary IPv4 or IPv6 addresses used by Network driver (default map[])' },
    { name: 'config-from', type: 'string', usage: 'The network from which to copy the configuration', minApi: '1.30' },
    { name: 'config-only', type: 'bool', usage: 'Create a configuration only network', minApi: '1.30' },
    { name: 'driver', short: 'd', type: 'string', usage: 'Driver to manage the Network', default: 'bridge' },
    { name: 'gateway', type: 'csv', usage: 'IPv4 or IPv6 Gateway for the master subnet' },
    { name: 'ingress', type: 'bool', usage: 'Create swarm routing-mesh network', minApi: '1.29' },
    { name: 'internal', type: 'bool', usage: 'Restrict external access to the network' },
    { name: 'ip-range', type: 'csv', usage: 'Allocate container ip from a sub-range' },
    { name: 'ipam-driver', type: 'string', usage: 'IP Address Management Driver', default: 'default' },
    { name: 'ipam-opt', type: 'list', valueName: 'map', usage: 'Set IPAM driver specific options (default map[])' },
    { name: 'ipv4', type: 'bool', usage: 'Enable or disable IPv4 address assignment', default: true },
    { name: 'ipv6', type: 'bool', usage: 'Enable or disable IPv6 address assignment' },
    { name: 'label', type: 'list', usage: 'Set metadata on a network' },
    { name: 'opt', short: 'o', type: 'list', valueName: 'map', usage: 'Set driver specific options (default map[])' },
    { name: 'scope', type: 'string', usage: 'Control the network\'s scope', minApi: '1.30' },
    { name: 'subnet', type: 'csv', usage: 'Subnet in CIDR format that represents a network segment' },
  ],
  async run(ctx, flags, args) {
    const labels = labelsOption(flags.list('label'));
    let config;
    try {
      config = consolidateIpam(flags.list('subnet'), flags.list('ip-range'), flags.list('gateway'), mapOption(flags.list('aux-address')));
    } catch (err) {
      throw new StatusError(1, (err as Error).message);
    }
    const body = {
      Driver: flags.string('driver'),
      Scope: flags.string('scope'),
      ...(flags.changed('ipv4') ? { EnableIPv4: flags.bool('ipv4') } : {}),
      ...(flags.changed('ipv6') ? { EnableIPv6: flags.bool('ipv6') } : {}),
      IPAM: { Driver: flags.string('ipam-driver'), Options: mapOption(flags.list('ipam-opt')), Config: config },
      Internal: flags.bool('internal'),
      Attachable: flags.bool('attachable'),
      Ingress: flags.bool('ingress'),
      ConfigOnly: flags.bool('config-only'),
      ConfigFrom: flags.string('config-from') ? { Network: flags.string('config-from') } : null,
      Options: mapOption(flags.list('opt')),
      Labels: labels,
      Name: args[0],
      // Daemons before API 1.44 allow duplicate names unless asked not to (docker's client asks).
      ...(compareVersions(await ctx.client.apiVersion(), '1.44') < 0 ? { CheckDuplicate: true } : {}),
    };
    const res = await ctx.client.json<{ Id: string; Warning?: string }>('POST', '/networks/create', { body });
    ctx.stdout.write(`${res.Id}\n`);
  },
};
