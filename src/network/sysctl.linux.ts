// The host's network sysctls that `docker info` reports and container setup depends on.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

const on = (path: string) => readFile(path, 'utf8').then((v) => v.trim() === '1', () => false);

/** IPv4 forwarding and whether bridged traffic passes through iptables (br_netfilter). */
export async function forwardingSettings(): Promise<{ ipv4Forwarding: boolean; bridgeNfIptables: boolean; bridgeNfIp6tables: boolean }> {
  const [ipv4Forwarding, bridgeNfIptables, bridgeNfIp6tables] = await Promise.all([
    on('/proc/sys/net/ipv4/ip_forward'),
    on('/proc/sys/net/bridge/bridge-nf-call-iptables'),
    on('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
  ]);
  return { ipv4Forwarding, bridgeNfIptables, bridgeNfIp6tables };
}

let ipv6: boolean | undefined;
/** Whether the kernel has IPv6 (its sysctls exist to be set); read once. */
export function hostHasIpv6(): boolean {
  ipv6 ??= existsSync('/proc/sys/net/ipv6/conf/default/disable_ipv6');
  return ipv6;
}
