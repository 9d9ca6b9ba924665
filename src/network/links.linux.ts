// The Linux side of the bridge driver through iproute2: bridges, veth pairs into a container's
// network namespace (addressed by /proc/<pid>/ns/net, so no bind mounts), and what the host
// already routes (so berth never picks an overlapping subnet). Each step is one `ip -batch`.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { runTool } from './exec.linux.ts';
import { parseSubnet, type Subnet } from './cidr.ts';

export function linkExists(name: string): boolean {
  return existsSync(`/sys/class/net/${name}`);
}

/** Subnets the host already uses: every IPv4 route and interface address. */
export async function hostSubnets(exceptDevs: string[] = []): Promise<Subnet[]> {
  const out: Subnet[] = [];
  const routes = JSON.parse((await runTool('ip', ['-j', '-4', 'route', 'show', 'table', 'all'])) || '[]') as Array<{ dst: string; dev?: string }>;
  for (const r of routes) {
    if (r.dev && exceptDevs.includes(r.dev)) continue;
    if (!r.dst || r.dst === 'default' || !/^\d/.test(r.dst)) continue;
    try {
      out.push(parseSubnet(r.dst.includes('/') ? r.dst : `${r.dst}/32`));
    } catch {
      // broadcast/local entries we cannot parse are not subnets
    }
  }
  const addrs = JSON.parse((await runTool('ip', ['-j', '-4', 'addr'])) || '[]') as Array<{ ifname: string; addr_info?: Array<{ local: string; prefixlen: number }> }>;
  for (const l of addrs) if (!exceptDevs.includes(l.ifname)) for (const a of l.addr_info ?? []) out.push(parseSubnet(`${a.local}/${a.prefixlen}`));
  return out;
}

/** The first IPv4 address (CIDR) of an existing interface, if it has one. */
export async function interfaceAddress(name: string): Promise<string | undefined> {
  if (!linkExists(name)) return undefined;
  const j = JSON.parse((await runTool('ip', ['-j', '-4', 'addr', 'show', 'dev', name])) || '[]') as Array<{ addr_info?: Array<{ local: string; prefixlen: number }> }>;
  const a = j[0]?.addr_info?.[0];
  return a ? `${a.local}/${a.prefixlen}` : undefined;
}

/** Creates the bridge if missing and gives it its gateway address; true when berth created it. */
export async function ensureBridge(name: string, gatewayCidr: string, mtu: number): Promise<boolean> {
  const created = !linkExists(name);
  const cmds: string[] = [];
  // A MAC of its own: otherwise the bridge takes its lowest port's, which changes as containers
  // come and go and leaves the others' ARP entry for the gateway stale for seconds (as Docker does).
  if (created) cmds.push(`link add ${name} address ${randomLocalMac()} type bridge`);
  // An IPv6-only network's bridge has no IPv4 address (gatewayCidr '').
  if (gatewayCidr) cmds.push(`addr replace ${gatewayCidr} dev ${name}`);
  cmds.push(`link set ${name} mtu ${mtu} up`);
  await runTool('ip', ['-batch', '-'], cmds.join('\n') + '\n');
  // 127.0.0.1 -> published port is DNATed onto the bridge: the kernel must route it.
  await writeFile(`/proc/sys/net/ipv4/conf/${name}/route_localnet`, '1').catch(() => {});
  return created;
}

export async function deleteLink(name: string): Promise<void> {
  if (linkExists(name)) await runTool('ip', ['link', 'del', name]).catch(() => {});
}

export interface EndpointPlumbing {
  pid: number;
  hostVeth: string;
  ifname: string;
  bridge: string;
  mac: string;
  cidr: string;
  gateway: string;
  mtu: number;
  defaultRoute: boolean;
}

/** A veth pair: one end on the bridge, the other as `ifname` inside the container's netns. */
export async function plumbEndpoint(e: EndpointPlumbing): Promise<void> {
  const ns = `/proc/${e.pid}/ns/net`;
  await runTool('ip', ['-batch', '-'], [
    `link add ${e.hostVeth} mtu ${e.mtu} type veth peer name ${e.ifname} address ${e.mac} mtu ${e.mtu} netns ${ns}`,
    `link set ${e.hostVeth} master ${e.bridge}`,
    `link set dev ${e.hostVeth} type bridge_slave hairpin on`,
    `link set ${e.hostVeth} up`,
  ].join('\n') + '\n');
  try {
    // An endpoint of an IPv6-only network has no IPv4 address (cidr '').
    const inside = [...(e.cidr ? [`addr add ${e.cidr} dev ${e.ifname}`] : []), `link set ${e.ifname} up`, 'link set lo up'];
    if (e.defaultRoute && e.cidr) inside.push(`route replace default via ${e.gateway} dev ${e.ifname}`);
    // MACs are random (as dockerd 28's): with arp_notify the interface announces its address when
    // it comes up, so peers holding the previous owner's MAC for a reused IP learn the new one.
    await runTool('nsenter', [`--net=${ns}`, 'sh', '-c', `echo 1 > /proc/sys/net/ipv4/conf/${e.ifname}/arp_notify; exec ip -batch -`], inside.join('\n') + '\n');
  } catch (err) {
    await deleteLink(e.hostVeth);
    throw err;
  }
}

/** A macvlan interface on `parent`, moved into the container's netns as `ifname`. */
export async function plumbMacvlan(e: Omit<EndpointPlumbing, 'hostVeth' | 'bridge'> & { parent: string; tmpName: string }): Promise<void> {
  const ns = `/proc/${e.pid}/ns/net`;
  await runTool('ip', ['-batch', '-'], [
    `link add ${e.tmpName} link ${e.parent} address ${e.mac} mtu ${e.mtu} type macvlan mode bridge`,
    `link set ${e.tmpName} netns ${ns}`,
  ].join('\n') + '\n');
  const inside = [`link set ${e.tmpName} name ${e.ifname}`, `addr add ${e.cidr} dev ${e.ifname}`, `link set ${e.ifname} up`, 'link set lo up'];
  if (e.defaultRoute) inside.push(`route replace default via ${e.gateway} dev ${e.ifname}`);
  await runTool('nsenter', [`--net=${ns}`, 'ip', '-batch', '-'], inside.join('\n') + '\n');
}

/** Removes an interface from inside a container's netns (disconnect of a running container). */
export async function deleteInside(pid: number, ifname: string): Promise<void> {
  await runTool('nsenter', [`--net=/proc/${pid}/ns/net`, 'ip', 'link', 'del', ifname]).catch(() => {});
}

export async function enableIpForward(): Promise<void> {
  await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
}

/** A random unicast, locally administered MAC. */
function randomLocalMac(): string {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}
