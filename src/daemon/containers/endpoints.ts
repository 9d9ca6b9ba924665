// What a container's networking needs to know of the other containers: the netns of a
// container:<ref> target, the addresses behind --link, the network events at start and exit.
import { writeFile } from 'node:fs/promises';
import { conflict, notFound } from '../../common/index.ts';
import { buildHostsFile } from './etc-files.ts';
import { ensureSettings, type RunningContainerLookup } from './networking.ts';
import type { EtcNetwork } from './spec-inputs.ts';
import type { ContainerContext } from './context.ts';
import type { Container } from './container.ts';
import type { ContainerStore } from './store.ts';
import { linkHosts } from './links.ts';

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
  const links = linkHosts(ctx.store, c.rec);
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

/**
 * A running container's /etc/hosts rewritten for its links now (a linked container restarted,
 * or a link was removed). In place: the container's bind mount holds this file's inode.
 */
export async function refreshHostsFile(ctx: Pick<ContainerContext, 'store' | 'networking' | 'dnsFor'>, c: Container): Promise<void> {
  if (!c.state.running || c.hostConfig.NetworkMode === 'host') return;
  const net = etcNetworkOf(ctx, c);
  await writeFile(c.rec.HostsPath, buildHostsFile({
    hostname: c.rec.Config.Hostname, domainname: c.rec.Config.Domainname, extraHosts: (c.hostConfig.ExtraHosts as string[] | null | undefined) ?? [],
    ips: net.ips, links: net.links,
  }));
}
