// One embedded DNS server per user-defined bridge network, listening on the network's gateway
// port 53 (the address in its containers' resolv.conf). Names come from the daemon through
// `resolve`; the rest goes to the host's resolvers.
import { readFile } from 'node:fs/promises';
import { startDnsServer, type DnsServer, type ResolveFn } from './dns/index.ts';
import type { NetworkRecord } from './network-store.ts';
import { contains, parseIp, parseSubnet } from './cidr.ts';
import { contains6, isV6, parseIp6, parseSubnet6 } from './ipv6.ts';

export class DnsService {
  private readonly servers = new Map<string, { address: string; server?: DnsServer; starting?: Promise<void> }>();
  private readonly resolve: ResolveFn;
  private readonly log: (msg: string, f?: Record<string, unknown>) => void;
  private upstreams: string[] = [];

  constructor(resolve: ResolveFn, log: (msg: string, f?: Record<string, unknown>) => void) {
    this.resolve = resolve;
    this.log = log;
  }

  /** The host's nameservers, read once at start (loopback ones work: berthd is in the host's netns). */
  async loadUpstreams(path = '/etc/resolv.conf'): Promise<void> {
    const text = await readFile(path, 'utf8').catch(() => '');
    this.upstreams = [...text.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]).map((a) => (a.includes(':') ? `[${a}]:53` : a));
  }

  /** Starts servers for new user-defined bridge networks and stops those of removed ones. */
  async sync(networks: NetworkRecord[]): Promise<void> {
    const wanted = new Map<string, NetworkRecord>();
    for (const n of networks) if (n.Driver === 'bridge' && n.Name !== 'bridge' && n.IPAM.Config[0]?.Gateway) wanted.set(n.Id, n);
    for (const [id, s] of this.servers) {
      if (wanted.has(id)) continue;
      this.servers.delete(id);
      await s.starting;
      await s.server?.close().catch(() => {});
    }
    for (const [id, n] of wanted) {
      if (this.servers.has(id)) continue;
      const entry: { address: string; server?: DnsServer; starting?: Promise<void> } = { address: n.IPAM.Config[0].Gateway! };
      this.servers.set(id, entry);
      // Only the network's own containers may use it: otherwise anyone routed to the gateway gets the host's resolvers.
      // (An IPv6-only network's server listens on its IPv6 gateway, for its IPv6 subnet.)
      const text = n.IPAM.Config[0].Subnet;
      const subnet = isV6(text) ? undefined : parseSubnet(text);
      const subnet6 = isV6(text) ? parseSubnet6(text) : undefined;
      const acceptClient = (ip: string) => {
        if (subnet6) {
          const addr6 = parseIp6(ip);
          return addr6 !== undefined && contains6(subnet6, addr6);
        }
        const addr = parseIp(ip);
        return addr !== undefined && contains(subnet!, addr);
      };
      entry.starting = startDnsServer({ address: entry.address, resolve: this.resolve, upstreams: n.Internal ? [] : this.upstreams, acceptClient })
        .then((server) => {
          entry.server = server;
        }, (err) => this.log('cannot start the embedded DNS server', { network: n.Name, err: String(err) }));
      await entry.starting;
    }
  }

  /** The DNS server address for containers on the network, when it serves. */
  addressFor(networkId: string): string | undefined {
    const s = this.servers.get(networkId);
    return s?.server ? s.address : undefined;
  }

  async closeAll(): Promise<void> {
    for (const s of this.servers.values()) await s.server?.close().catch(() => {});
    this.servers.clear();
  }
}
