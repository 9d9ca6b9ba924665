// What a container's networking needs to know of the other containers: the netns of a
// container:<ref> target, the addresses behind --link, the network events at start and exit.
import { conflict, notFound } from '../../common/index.ts';
import { ensureSettings, type RunningContainerLookup } from './networking.ts';
import type { EtcNetwork } from './spec-inputs.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './container.ts';
import type { ContainerStore } from './store.ts';

export function runningLookup(store: ContainerStore): RunningContainerLookup {
  return {
    netnsPidOf: (ref) => {
      const other = store.find(ref);
      if (!other) throw notFound(`No such container: ${ref}`);
      if (!other.state.live) throw conflict(`cannot join network namespace of a non running container: ${other.rec.ID}`);
      return { id: other.rec.ID, pid: other.state.pid };
    },
    addressesOf: (ref, networkName) => {
      const other = store.find(ref);
      return other && ensureSettings(other.rec).Networks[networkName]?.IPAddress;
    },
  };
}

/** The container's addresses, links and DNS server for its /etc files. */
export function etcNetworkOf(ctx: Pick<ContainerContext, 'store' | 'networking' | 'dnsFor'>, c: Container): EtcNetwork {
  const s = ensureSettings(c.rec);
  const ips = Object.values(s.Networks).flatMap((ep) => [ep.IPAddress, ep.GlobalIPv6Address]).filter(Boolean);
  const lookup = runningLookup(ctx.store);
  const links: Array<[string, string]> = [];
  for (const link of (c.hostConfig.Links as string[] | null | undefined) ?? []) {
    const [target, alias] = parseLink(link);
    const other = ctx.store.find(target);
    const ip = other && lookup.addressesOf(other.rec.ID, 'bridge');
    if (!other || !ip) continue;
    const names = [alias, other.rec.Name.slice(1), other.rec.Config.Hostname].filter((n, i, a) => n && a.indexOf(n) === i);
    links.push([ip, names.join(' ')]);
  }
  const userNet = Object.entries(s.Networks).find(([name, ep]) => (ep.IPAddress || ep.GlobalIPv6Address) && name !== 'bridge' && ctx.networking.controller.find(ep.NetworkID)?.Driver === 'bridge');
  return { ips, links, dnsServer: userNet && ctx.dnsFor ? ctx.dnsFor(userNet[1].NetworkID) : undefined };
}

/** Docker's network connect / disconnect events when a container's endpoints come and go. */
export function publishNetwork(ctx: Pick<ContainerContext, 'events' | 'networking'>, c: Container, action: 'connect' | 'disconnect'): void {
  for (const [name, ep] of Object.entries(ensureSettings(c.rec).Networks)) {
    if (!ep.EndpointID) continue;
    const type = ctx.networking.controller.find(ep.NetworkID)?.Driver ?? 'bridge';
    ctx.events.publish({ Type: 'network', Action: action, Actor: { ID: ep.NetworkID, Attributes: { container: c.rec.ID, name, type } } });
  }
}

/** HostConfig.Links entries: "/target:/me/alias" (API) or "target:alias" (CLI). */
function parseLink(link: string): [string, string] {
  const [target, alias = target] = link.split(':', 2);
  return [target.replace(/^\//, ''), alias.split('/').pop()!];
}
