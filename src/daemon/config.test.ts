import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfig, parseDaemonFlags } from './config.ts';

describe('network configuration', () => {
  it('defaults like dockerd with berth names', () => {
    const cfg = mergeConfig(parseDaemonFlags([]), {}, '/x.json');
    assert.equal(cfg.bridge, undefined);
    assert.equal(cfg.mtu, 1500);
    assert.equal(cfg.iptables, true);
    assert.equal(cfg.icc, true);
    assert.equal(cfg.iptablesChainPrefix, 'BERTH');
  });
  it('takes flags and daemon.json keys, and refuses a key given both ways', () => {
    let cfg = mergeConfig(parseDaemonFlags(['--bridge', 'br9', '--bip', '10.9.0.1/24', '--icc=false', '--iptables-chain-prefix', 'BT1', '--mtu', '1400']), {}, '/x.json');
    assert.deepEqual([cfg.bridge, cfg.bip, cfg.icc, cfg.iptablesChainPrefix, cfg.mtu], ['br9', '10.9.0.1/24', false, 'BT1', 1400]);
    cfg = mergeConfig(parseDaemonFlags([]), { 'fixed-cidr': '10.9.0.128/25', iptables: false, 'ip-masq': false, mtu: 9000 }, '/x.json');
    assert.deepEqual([cfg.fixedCidr, cfg.iptables, cfg.ipMasq, cfg.mtu], ['10.9.0.128/25', false, false, 9000]);
    assert.throws(() => mergeConfig(parseDaemonFlags(['--icc=false']), { icc: true }, '/x.json'), /specified both as a flag and in the configuration file: icc/);
    assert.throws(() => mergeConfig(parseDaemonFlags([]), { icc: 'no' }, '/x.json'), /icc must be true or false/);
    assert.throws(() => mergeConfig(parseDaemonFlags([]), { mtu: 10 }, '/x.json'), /invalid mtu/);
    assert.throws(() => mergeConfig(parseDaemonFlags(['--iptables-chain-prefix', 'A-B; x']), {}, '/x.json'), /invalid --iptables-chain-prefix/);
  });
  it('takes IPv6 on the default bridge from --ipv6/--fixed-cidr-v6 or "ipv6"/"fixed-cidr-v6"', () => {
    let cfg = mergeConfig(parseDaemonFlags([]), {}, '/x.json');
    assert.deepEqual([cfg.ipv6, cfg.fixedCidrV6], [false, undefined]);
    cfg = mergeConfig(parseDaemonFlags(['--ipv6', '--fixed-cidr-v6', '2001:db8:1::/64']), {}, '/x.json');
    assert.deepEqual([cfg.ipv6, cfg.fixedCidrV6], [true, '2001:db8:1::/64']);
    cfg = mergeConfig(parseDaemonFlags([]), { ipv6: true, 'fixed-cidr-v6': 'fd00:1::/64' }, '/x.json');
    assert.deepEqual([cfg.ipv6, cfg.fixedCidrV6], [true, 'fd00:1::/64']);
    assert.throws(() => mergeConfig(parseDaemonFlags(['--ipv6']), { ipv6: false }, '/x.json'), /specified both as a flag and in the configuration file: ipv6/);
    assert.throws(() => mergeConfig(parseDaemonFlags([]), { ipv6: 'yes' }, '/x.json'), /ipv6 must be true or false/);
    assert.equal(mergeConfig(parseDaemonFlags([]), {}, '/x.json').ip6tables, true);
    assert.equal(mergeConfig(parseDaemonFlags(['--ip6tables=false']), {}, '/x.json').ip6tables, false);
    assert.equal(mergeConfig(parseDaemonFlags([]), { ip6tables: false }, '/x.json').ip6tables, false);
  });
  it('reads bool flag values as pflag does (Go strconv.ParseBool)', () => {
    const flags = parseDaemonFlags(['--icc=F', '--ip-masq=TRUE', '--iptables', '-D=0', '--live-restore=t']);
    assert.deepEqual(flags.bools, { icc: false, 'ip-masq': true, iptables: true });
    assert.equal(flags.debug, false);
    assert.equal(flags.liveRestore, true);
    assert.throws(() => parseDaemonFlags(['--icc=no']), { message: 'invalid argument "no" for "--icc" flag: strconv.ParseBool: parsing "no": invalid syntax' });
  });
  it('gives every non-default instance chains of its own, BERTH only to the default one', () => {
    const prefixOf = (argv: string[]) => mergeConfig(parseDaemonFlags(argv), {}, '/x.json').iptablesChainPrefix;
    assert.equal(prefixOf(['--data-root', '/var/lib/berth/', '--bridge', 'berth0']), 'BERTH');
    const byBridge = prefixOf(['--bridge', 'br1']);
    const byRoot = prefixOf(['--data-root', '/srv/berth']);
    const both = prefixOf(['--bridge', 'br2', '--data-root', '/srv/berth2']);
    for (const p of [byBridge, byRoot, both]) {
      assert.match(p, /^BERTH[0-9A-F]{5}$/);
      // iptables' limit of 28 characters holds for the longest chain name.
      assert.ok(`${p}-ISOLATION-STAGE-1`.length <= 28);
    }
    assert.equal(new Set([byBridge, byRoot, both]).size, 3);
    assert.equal(prefixOf(['--bridge', 'br1']), byBridge, 'stable across restarts');
    assert.equal(prefixOf(['--bridge', 'br1', '--iptables-chain-prefix', 'BT9']), 'BT9');
  });
});
