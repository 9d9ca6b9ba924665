// berth's iptables rules as one iptables-restore text, computed from the networks and the
// published ports. Every rule lives in berth's own chains (named from a prefix, BERTH by
// default) so they coexist with Docker's; declaring a chain in the text flushes it, so applying
// the whole text is idempotent. Pure: the adapter in iptables.linux.ts applies it.
import { createHash } from 'node:crypto';

export interface BridgeRules {
  bridge: string;
  subnet: string;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
}

export interface PortRule {
  proto: string;
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  bridge: string;
}

export interface Chains {
  forward: string;
  stage1: string;
  stage2: string;
  nat: string;
  postrouting: string;
}

/** The chains of the default instance (bridge berth0, data root /var/lib/berth). */
export const DEFAULT_CHAIN_PREFIX = 'BERTH';

/**
 * The chain prefix of a daemon instance: BERTH for the default one, else BERTH and 5 hex digits
 * of its bridge and data root, so two daemons on one host never share (and so never overwrite
 * or remove) each other's chains. 10 characters at most: with -ISOLATION-STAGE-1 a chain name
 * stays within iptables' 28.
 */
export function instanceChainPrefix(bridge: string, dataRoot: string, isDefault: boolean): string {
  if (isDefault) return DEFAULT_CHAIN_PREFIX;
  const digest = createHash('sha256').update(`${bridge}\0${dataRoot}`).digest('hex');
  return `${DEFAULT_CHAIN_PREFIX}${digest.slice(0, 5).toUpperCase()}`;
}

export function chainNames(prefix: string): Chains {
  return {
    forward: `${prefix}-FORWARD`,
    stage1: `${prefix}-ISOLATION-STAGE-1`,
    stage2: `${prefix}-ISOLATION-STAGE-2`,
    nat: prefix,
    postrouting: `${prefix}-POSTROUTING`,
  };
}

/** The jumps from the built-in chains into berth's, as `iptables` argument lists (table first). */
export function jumpRules(prefix: string): Array<{ table: string; chain: string; args: string[] }> {
  const c = chainNames(prefix);
  return [
    { table: 'filter', chain: 'FORWARD', args: ['-j', c.forward] },
    { table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'OUTPUT', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.nat] },
    { table: 'nat', chain: 'POSTROUTING', args: ['-j', c.postrouting] },
  ];
}

const anyHost = (ip: string) => ip === '0.0.0.0' || ip === '';

export function buildRuleset(prefix: string, bridges: BridgeRules[], ports: PortRule[]): string {
  const c = chainNames(prefix);
  const filter = filterTable(c, bridges, ports, 32);

  const nat: string[] = ['*nat', `:${c.nat} - [0:0]`, `:${c.postrouting} - [0:0]`];
  for (const b of bridges) {
    if (b.internal) continue;
    if (b.masquerade) nat.push(`-A ${c.postrouting} -s ${b.subnet} ! -o ${b.bridge} -j MASQUERADE`);
    // 127.0.0.1 -> published port: the source must change before it leaves on the bridge.
    nat.push(`-A ${c.postrouting} -s 127.0.0.0/8 -o ${b.bridge} -j MASQUERADE`);
  }
  for (const p of ports) {
    const dst = anyHost(p.hostIp) ? '' : `-d ${p.hostIp}/32 `;
    nat.push(`-A ${c.nat} ${dst}-p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`);
    // Hairpin: a container reaching its own published port.
    nat.push(`-A ${c.postrouting} -s ${p.containerIp}/32 -d ${p.containerIp}/32 -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j MASQUERADE`);
  }
  nat.push('COMMIT');
  return `${filter.join('\n')}\n${nat.join('\n')}\n`;
}

/**
 * The filter table of either family (the same rules for iptables and ip6tables): isolation
 * between bridges, icc, --internal, and accepts for the published ports; `hostBits` is 32 or 128.
 */
export function filterTable(
  c: Chains, bridges: ReadonlyArray<Pick<BridgeRules, 'bridge' | 'internal' | 'icc'>>,
  ports: ReadonlyArray<Pick<PortRule, 'bridge' | 'containerIp' | 'proto' | 'containerPort'>>, hostBits: 32 | 128,
): string[] {
  const filter: string[] = ['*filter', `:${c.forward} - [0:0]`, `:${c.stage1} - [0:0]`, `:${c.stage2} - [0:0]`];
  filter.push(`-A ${c.forward} -j ${c.stage1}`);
  for (const b of bridges) {
    const br = b.bridge;
    if (b.internal) {
      // An internal network: nothing leaves or enters the bridge from elsewhere.
      filter.push(`-A ${c.forward} -i ${br} ! -o ${br} -j DROP`, `-A ${c.forward} -o ${br} ! -i ${br} -j DROP`);
    } else {
      filter.push(`-A ${c.forward} -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
      for (const p of ports.filter((x) => x.bridge === br)) {
        filter.push(`-A ${c.forward} -d ${p.containerIp}/${hostBits} ! -i ${br} -o ${br} -p ${p.proto} -m ${p.proto} --dport ${p.containerPort} -j ACCEPT`);
      }
      filter.push(`-A ${c.forward} -i ${br} ! -o ${br} -j ACCEPT`);
    }
    filter.push(`-A ${c.forward} -i ${br} -o ${br} -j ${b.icc ? 'ACCEPT' : 'DROP'}`);
    if (!b.internal) filter.push(`-A ${c.forward} -o ${br} -j DROP`);
    filter.push(`-A ${c.stage1} -i ${br} ! -o ${br} -j ${c.stage2}`, `-A ${c.stage2} -o ${br} -j DROP`);
  }
  filter.push('COMMIT');
  return filter;
}
