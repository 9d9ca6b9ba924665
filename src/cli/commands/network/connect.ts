// `berth network connect`: attaches a container to a network with optional static addresses,
// aliases, links and driver options; the body is the EndpointSettings docker/cli sends.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { validateLink } from '../../opts/network.ts';
import { OptionError } from '../../opts/errors.ts';
import { flagValueError, sortedRecord } from '../shared.ts';

export const connectCommand: CommandSpec = {
  name: 'connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  args: { min: 2, max: 2 },
  flags: [
    { name: 'alias', type: 'csv', usage: 'Add network-scoped alias for the container' },
    { name: 'driver-opt', type: 'csv', usage: 'driver options for the network' },
    { name: 'gw-priority', type: 'int', usage: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.', minApi: '1.48' },
    { name: 'ip', type: 'string', usage: 'IPv4 address (e.g., "172.30.100.104")' },
    { name: 'ip6', type: 'string', usage: 'IPv6 address (e.g., "2001:db8::33")' },
    { name: 'link', type: 'list', usage: 'Add link to another container' },
    { name: 'link-local-ip', type: 'csv', usage: 'Add a link-local address for the container' },
  ],
  async run(ctx, flags, args) {
    const [network, container] = args as [string, string];
    const links = flags.list('link');
    for (const l of links) {
      try {
        validateLink(l);
      } catch (err) {
        if (err instanceof OptionError) throw flagValueError('--link', l, err.message);
        throw err;
      }
    }
    const driverOpts = new Map<string, string>();
    for (const o of flags.list('driver-opt')) {
      const eq = o.indexOf('=');
      const key = (eq < 0 ? o : o.slice(0, eq)).trim();
      if (eq < 0 || key === '') throw new StatusError(1, 'invalid key/value pair format in driver options');
      driverOpts.set(key, o.slice(eq + 1).trim());
    }
    const ipam: Record<string, unknown> = {};
    if (flags.string('ip')) ipam.IPv4Address = flags.string('ip');
    if (flags.string('ip6')) ipam.IPv6Address = flags.string('ip6');
    if (flags.list('link-local-ip').length) ipam.LinkLocalIPs = flags.list('link-local-ip');
    await ctx.client.call('POST', `/networks/${encodeURIComponent(network)}/connect`, {
      body: {
        Container: container,
        EndpointConfig: {
          IPAMConfig: ipam,
          Links: links.length ? links : null,
          Aliases: flags.list('alias'),
          MacAddress: '',
          DriverOpts: sortedRecord(driverOpts),
          GwPriority: flags.int('gw-priority'),
          NetworkID: '',
          EndpointID: '',
          Gateway: '',
          IPAddress: '',
          IPPrefixLen: 0,
          IPv6Gateway: '',
          GlobalIPv6Address: '',
          GlobalIPv6PrefixLen: 0,
          DNSNames: null,
        },
      },
    });
  },
};
