// `berth compose port SERVICE PRIVATE_PORT`: the public address of a service container's port,
// as docker compose v2 prints it (":0" when the port is not published, as compose does).
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { composeRun, indexFlag, projectOrName, serviceContainer } from './shared.ts';

export const portCommand: CommandSpec = {
  name: 'port',
  usage: '[OPTIONS] SERVICE PRIVATE_PORT',
  short: 'Print the public port for a port binding',
  flags: [
    indexFlag('Index of the container if service has multiple replicas'),
    { name: 'protocol', type: 'string', usage: 'tcp or udp', default: 'tcp' },
  ],
  args: { min: 2, max: 2 },
  run: composeRun(async (ctx, flags, args) => {
    const [service, portText] = args as [string, string];
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      const why = /^\d+$/.test(portText) ? 'value out of range' : 'invalid syntax';
      throw new StatusError(1, `strconv.ParseUint: parsing ${JSON.stringify(portText)}: ${why}`);
    }
    const ref = await projectOrName(ctx);
    const c = await serviceContainer(ctx, ref.name, service, flags.int('index'));
    const proto = flags.string('protocol');
    const p = (c.Ports ?? []).find((x) => x.PrivatePort === Number(portText) && x.Type === proto);
    ctx.stdout.write(`${p?.IP ?? ''}:${p?.PublicPort ?? 0}\n`);
    return 0;
  }),
};
