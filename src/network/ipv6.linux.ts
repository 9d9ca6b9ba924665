// The Linux side of IPv6 on a bridge network: the gateway address on the bridge, forwarding, and
// the container's side (IPv6 enabled on its interface, router advertisements ignored, its
// address and default route), as Docker's bridge driver sets them.
import { writeFile } from 'node:fs/promises';
import { runTool } from './exec.linux.ts';

/** IPv6 on the bridge and the gateway's address (no DAD: the bridge owns the address at once). */
export async function addBridgeAddress6(bridge: string, cidr6: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv6/conf/${bridge}/disable_ipv6`, '0');
  await runTool('ip', ['-6', 'addr', 'replace', cidr6, 'dev', bridge, 'nodad']);
}

/** Removes the bridge's global IPv6 addresses (its network's IPv6 subnet changed or went). */
export async function flushBridge6(bridge: string): Promise<void> {
  await runTool('ip', ['-6', 'addr', 'flush', 'dev', bridge, 'scope', 'global']).catch(() => {});
}

/** net.ipv6.conf.all.forwarding=1, as dockerd sets it when a network has IPv6 (unless --ip-forward=false). */
export async function enableIpv6Forwarding(): Promise<void> {
  await writeFile('/proc/sys/net/ipv6/conf/all/forwarding', '1');
}

export interface Endpoint6Plumbing {
  pid: number;
  ifname: string;
  cidr6: string;
  gateway6: string;
  defaultRoute: boolean;
}

/**
 * Inside the container's netns: disable_ipv6=0 and accept_ra=0 on the interface (berth's
 * containers get net.ipv6.conf.default.disable_ipv6=1 from their spec when they have no IPv6),
 * the address without DAD (usable at once, as Docker adds it) and the default route.
 */
export async function plumbEndpoint6(e: Endpoint6Plumbing): Promise<void> {
  const ns = `--net=/proc/${e.pid}/ns/net`;
  await runTool('nsenter', [ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${e.ifname}.disable_ipv6=0`, `net.ipv6.conf.${e.ifname}.accept_ra=0`]);
  const cmds = [`addr add ${e.cidr6} dev ${e.ifname} nodad`];
  if (e.defaultRoute) cmds.push(`route replace default via ${e.gateway6} dev ${e.ifname}`);
  await runTool('nsenter', [ns, 'ip', '-6', '-batch', '-'], cmds.join('\n') + '\n');
}
