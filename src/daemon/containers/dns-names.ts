// The embedded DNS server's records: a container resolves the names, aliases, hostnames and
// ID prefixes of the running containers it shares a user-defined network with.
import { PREDEFINED } from '../../network/index.ts';
import { settingsOf, type DeepReadonly } from './view.ts';
import type { ContainerRecord } from './record.ts';

type Rec = DeepReadonly<ContainerRecord>;

interface Member {
  rec: Rec;
  /** network ID -> [network name, ip, ip6 ('' without IPv6), aliases] */
  eps: Map<string, { name: string; ip: string; ip6: string; aliases: string[] }>;
}

function membersOf(all: readonly Rec[]): Member[] {
  const out: Member[] = [];
  // An endpoint has an address from just before its container starts until it exits; the
  // process may ask before the record says "running".
  for (const rec of all) {
    const eps = new Map<string, { name: string; ip: string; ip6: string; aliases: string[] }>();
    for (const [name, ep] of Object.entries(settingsOf(rec).Networks)) {
      if ((!ep.IPAddress && !ep.GlobalIPv6Address) || PREDEFINED.has(name)) continue;
      eps.set(ep.NetworkID, { name, ip: ep.IPAddress, ip6: ep.GlobalIPv6Address ?? '', aliases: (ep.Aliases ?? []).map((a) => a.toLowerCase()) });
    }
    if (eps.size) out.push({ rec, eps });
  }
  return out;
}

function answers(m: Member, name: string, netId: string): boolean {
  const ep = m.eps.get(netId)!;
  const cname = m.rec.Name.slice(1).toLowerCase();
  const candidates = [cname, `${cname}.${ep.name.toLowerCase()}`, (m.rec.Config.Hostname ?? '').toLowerCase(), ...ep.aliases];
  if (candidates.includes(name)) return true;
  return name.length >= 12 && /^[0-9a-f]+$/.test(name) && m.rec.ID.startsWith(name);
}

/** resolve() for the DNS servers, over the current container records. */
export function dnsResolver(records: () => readonly Rec[]) {
  return (clientIp: string, name: string, type: 'A' | 'AAAA' | 'PTR'): string[] | undefined => {
    const members = membersOf(records());
    const client = members.find((m) => [...m.eps.values()].some((e) => e.ip === clientIp || (e.ip6 !== '' && e.ip6 === clientIp)));
    if (!client) return undefined;
    const shared = [...client.eps.keys()];
    if (type === 'PTR') {
      for (const m of members) for (const netId of shared) {
        const ep = m.eps.get(netId);
        if (ep && (ep.ip === name || (ep.ip6 !== '' && ep.ip6 === name))) return [`${m.rec.Name.slice(1)}.${ep.name}`];
      }
      return undefined;
    }
    for (const netId of shared) {
      const found = members.filter((m) => m.eps.has(netId) && answers(m, name, netId)).map((m) => m.eps.get(netId)!);
      // A known name without an address of the asked family: NODATA (an empty answer), as Docker.
      if (found.length) return (type === 'A' ? found.map((e) => e.ip) : found.map((e) => e.ip6)).filter(Boolean);
    }
    return undefined;
  };
}
