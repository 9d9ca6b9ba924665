// The embedded DNS server's records: a container resolves the names, aliases, hostnames and
// ID prefixes of the running containers it shares a user-defined network with.
import { PREDEFINED } from '../../network/index.ts';
import { settingsOf, type DeepReadonly } from './view.ts';
import type { ContainerRecord } from './record.ts';

type Rec = DeepReadonly<ContainerRecord>;

interface Member {
  rec: Rec;
  /** network ID -> [network name, ip, ip6 ('' without IPv6), aliases, --link aliases (alias -> linked container's name)] */
  eps: Map<string, Ep>;
}

interface Ep {
  name: string;
  ip: string;
  ip6: string;
  aliases: string[];
  links: Map<string, string>;
}

/** EndpointSettings.Links ("name:alias" or "name") as alias -> name, lower case (a bad entry is ignored). */
function linkAliases(links: readonly string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of links ?? []) {
    const parts = l.split(':');
    if (parts.length > 2 || !parts[0]) continue;
    const target = parts[0].replace(/^\//, '');
    const alias = parts.length === 2 ? parts[1].slice(parts[1].lastIndexOf('/') + 1) : target;
    out.set(alias.toLowerCase(), target.toLowerCase());
  }
  return out;
}

function membersOf(all: readonly Rec[]): Member[] {
  const out: Member[] = [];
  // An endpoint has an address from just before its container starts until it exits; the
  // process may ask before the record says "running".
  for (const rec of all) {
    const eps = new Map<string, Ep>();
    for (const [name, ep] of Object.entries(settingsOf(rec).Networks)) {
      if ((!ep.IPAddress && !ep.GlobalIPv6Address) || PREDEFINED.has(name)) continue;
      eps.set(ep.NetworkID, { name, ip: ep.IPAddress, ip6: ep.GlobalIPv6Address ?? '', aliases: (ep.Aliases ?? []).map((a) => a.toLowerCase()), links: linkAliases(ep.Links) });
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
    // A --link alias of the asking container's endpoint first (libnetwork resolveName with lookupAlias).
    for (const netId of shared) {
      const target = client.eps.get(netId)!.links.get(name);
      if (!target) continue;
      const found = members.filter((m) => m.eps.has(netId) && answers(m, target, netId)).map((m) => m.eps.get(netId)!);
      if (found.length) return found.map((e) => (type === 'A' ? e.ip : e.ip6)).filter(Boolean);
    }
    for (const netId of shared) {
      const found = members.filter((m) => m.eps.has(netId) && answers(m, name, netId)).map((m) => m.eps.get(netId)!);
      // A known name without an address of the asked family: NODATA (an empty answer), as Docker.
      if (found.length) return found.map((e) => (type === 'A' ? e.ip : e.ip6)).filter(Boolean);
    }
    return undefined;
  };
}
