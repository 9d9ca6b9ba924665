// `berth container port CONTAINER [PRIVATE_PORT[/PROTO]]`: published ports from inspect.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { joinHostPort, naturalCompare } from '../shared.ts';

type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

export const portCommand: CommandSpec = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  async run(ctx, _flags, args) {
    const [container, wanted] = args;
    const c = await ctx.client.json<{ NetworkSettings?: { Ports?: PortMap | null } }>('GET', `/containers/${encodeURIComponent(container)}/json`);
    const ports = c.NetworkSettings?.Ports ?? {};
    const out: string[] = [];
    if (wanted !== undefined) {
      const slash = wanted.indexOf('/');
      const port = slash >= 0 ? wanted.slice(0, slash) : wanted;
      const proto = (slash >= 0 ? wanted.slice(slash + 1) : '') || 'tcp';
      if (!/^\d+$/.test(port) || Number(port) > 65535) {
        const why = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
        throw new StatusError(1, `Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: ${why}`);
      }
      const frontends = ports[`${port}/${proto}`];
      if (!frontends || !frontends.length) throw new StatusError(1, `Error: No public port '${wanted}' published for ${container}`);
      for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
    } else {
      for (const [from, frontends] of Object.entries(ports)) {
        for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
      }
    }
    if (out.length) ctx.stdout.write(out.sort(naturalCompare).join('\n') + '\n');
  },
};
