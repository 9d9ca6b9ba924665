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

describe('registry settings', () => {
  it('takes mirrors, insecure registries, the certs dir and the transfer limits from flags or daemon.json, as dockerd', () => {
    const dflt = mergeConfig(parseDaemonFlags([]), {}, '/x.json');
    assert.deepEqual([dflt.registryMirrors, dflt.insecureRegistries, dflt.registryCertsDir], [[], [], '/etc/berth/certs.d']);
    assert.deepEqual([dflt.maxConcurrentDownloads, dflt.maxConcurrentUploads, dflt.maxDownloadAttempts], [3, 5, 5]);
    const flags = mergeConfig(parseDaemonFlags(['--registry-mirror', 'https://m1', '--registry-mirror=https://m2', '--insecure-registry', 'r:5000',
      '--registry-certs-dir', '/tmp/certs.d', '--max-concurrent-downloads', '6', '--max-download-attempts', '0']), {}, '/x.json');
    assert.deepEqual(flags.registryMirrors, ['https://m1', 'https://m2']);
    assert.deepEqual(flags.insecureRegistries, ['r:5000']);
    assert.equal(flags.registryCertsDir, '/tmp/certs.d');
    assert.equal(flags.maxConcurrentDownloads, 6);
    assert.equal(flags.maxDownloadAttempts, 5, '0 is the default');
    const file = mergeConfig(parseDaemonFlags([]), { 'registry-mirrors': ['https://m'], 'insecure-registries': ['10.0.0.0/8'], 'max-concurrent-uploads': 2, 'registry-certs-dir': '/c' }, '/x.json');
    assert.deepEqual([file.registryMirrors, file.insecureRegistries, file.maxConcurrentUploads, file.registryCertsDir], [['https://m'], ['10.0.0.0/8'], 2, '/c']);
    assert.throws(() => mergeConfig(parseDaemonFlags(['--insecure-registry', 'a']), { 'insecure-registries': ['b'] }, '/x.json'), /specified both as a flag and in the configuration file: insecure-registries/);
    assert.throws(() => mergeConfig(parseDaemonFlags(['--max-concurrent-downloads', 'x']), {}, '/x.json'), /invalid argument "x" for "--max-concurrent-downloads" flag/);
    assert.throws(() => mergeConfig(parseDaemonFlags([]), { 'max-download-attempts': -1 }, '/x.json'), /invalid max-download-attempts: -1/);
    assert.throws(() => mergeConfig(parseDaemonFlags([]), { 'registry-mirrors': 'https://m' }, '/x.json'), /registry-mirrors must be a list of strings/);
  });
});
