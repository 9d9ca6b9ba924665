// berth's ip6tables rules: the same chains as the IPv4 rules (iptables-rules.ts), built for the
// networks with IPv6 and the published ports on IPv6 host addresses, as one ip6tables-restore
// text. Pure: the adapter in iptables.linux.ts applies it with ip6tables-restore.
import { chainNames, filterTable } from './iptables-rules.ts';

export interface Bridge6Rules {
  bridge: string;
  /** The network's IPv6 subnet. */
  subnet: string;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
}

export interface Port6Rule {
  proto: string;
  /** '::' (every address) or one IPv6 address of the host. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  bridge: string;
}

/**
 * The jumps from the built-in chains. As Docker with its userland proxy: locally made traffic to
 * ::1 is not DNATed (the kernel never routes a loopback source out of lo), the proxy takes it.
 */
export function jumpRules6(prefix: string): Array<{ table: string; chain: string; args: string[] }> {
  const c = chainNames(prefix);
  return [
    { table: 'filter', chain: 'FORWARD', args: ['-j', c.forward] },
    { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'OUTPUT', args: ['!', '-d', '::1/128', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'POSTROUTING', args: ['-j', c.postrouting] },
  ];
}

const anyHost = (ip: string) => ip === '::' || ip === '';

export function buildRuleset6(prefix: string, bridges: Bridge6Rules[], ports: Port6Rule[]): string {
  const c = chainNames(prefix);
  const filter = filterTable(c, bridges, ports, 128);

  const nat: string[] = ['*nat', `:${c.nat} - [0:0]`, `:${c.postrouting} - [0:0]`];
  for (const b of bridges) {
    if (!b.internal && b.masquerade) nat.push(`-A ${c.postrouting} -s ${b.subnet} ! -o ${b.bridge} -j MASQUERADE`);
  }
  for (const p of ports) {
    const dst = anyHost(p.hostIp) ? '' : `-d ${p.hostIp}/128 `;
    nat.push(`-A ${c.nat} ${dst}-p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination [${p.containerIp}]:${p.containerPort}`);
    nat.push(`-A ${c.postrouting} -s ${p.containerIp}/128 -d ${p.containerIp}/128 -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j MASQUERADE`);
  }
  nat.push('COMMIT');
  return `${filter.join('\n')}\n${nat.join('\n')}\n`;
}
