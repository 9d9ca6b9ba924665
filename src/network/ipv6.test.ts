import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddressPool6, canonicalIp6, contains6, formatIp6, ipv6SubnetProblem, overlaps6, parseIp6, parseSubnet6, pickFreeSubnet6, ulaPool, validateIpam6,
} from './ipv6.ts';
import { buildRuleset6, jumpRules6 } from './ip6tables-rules.ts';

describe('IPv6 addresses', () => {
  it('formats as RFC 5952 (the text DNS PTR names and inspect use)', () => {
    assert.equal(canonicalIp6('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(canonicalIp6('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(canonicalIp6('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIp6('::'), '::');
    assert.equal(canonicalIp6('0::1'), '::1');
    assert.equal(canonicalIp6('fd00::'), 'fd00::');
    assert.equal(canonicalIp6('::ffff:10.0.0.1'), '::ffff:a00:1');
    assert.equal(canonicalIp6('1::2::3'), undefined);
    assert.equal(canonicalIp6('10.0.0.1'), undefined);
    assert.equal(formatIp6(parseIp6('2001:db8:1::ff')!), '2001:db8:1::ff');
  });
  it('clears host bits of a subnet and tells containment and overlap', () => {
    const s = parseSubnet6('2001:db8:1::5/64');
    assert.equal(formatIp6(s.base), '2001:db8:1::');
    assert.ok(contains6(s, parseIp6('2001:db8:1::ffff')!));
    assert.ok(!contains6(s, parseIp6('2001:db8:2::1')!));
    assert.ok(overlaps6(parseSubnet6('2001:db8::/32'), s));
    assert.ok(!overlaps6(parseSubnet6('2001:db8::/48'), s));
    assert.ok(!overlaps6(parseSubnet6('2001:db8:2::/64'), s));
    assert.throws(() => parseSubnet6('2001:db8::/129'), /invalid CIDR address/);
  });
});

describe('validateIpam6 (moby ValidateIPAM messages)', () => {
  it('accepts a plain subnet with a range, gateway and aux address inside', () => {
    validateIpam6([{ Subnet: '2001:db8:1::/64', IPRange: '2001:db8:1::/80', Gateway: '2001:db8:1::fe', AuxiliaryAddresses: { a: '2001:db8:1::9' } }]);
  });
  it('lists every problem', () => {
    assert.throws(() => validateIpam6([{ Subnet: '2001:db8:1::1/64' }]), { message: 'invalid network config:\ninvalid subnet 2001:db8:1::1/64: it should be 2001:db8:1::/64' });
    assert.throws(() => validateIpam6([{ Subnet: 'zz::/64' }]), { message: 'invalid network config:\ninvalid subnet zz::/64: invalid CIDR block notation' });
    assert.throws(() => validateIpam6([{ Subnet: '2001:db8:1::/64', Gateway: '2001:db8:2::1' }]),
      { message: 'invalid network config:\ninvalid gateway 2001:db8:2::1: parent subnet 2001:db8:1::/64 doesn\'t contain this address' });
    assert.throws(() => validateIpam6([{ Subnet: '2001:db8:1::/64', Gateway: '10.0.0.1', IPRange: '2001:db8:1::/48' }]), {
      message: 'invalid network config:\ninvalid ip-range 2001:db8:1::/48: CIDR block is bigger than its parent subnet 2001:db8:1::/64\ninvalid gateway 10.0.0.1: parent subnet is an IPv6 block',
    });
  });
});

describe('ipv6SubnetProblem (moby validateIPv6Subnet)', () => {
  it('refuses multicast and link-local overlaps, but fe80::/64 itself is fine', () => {
    assert.equal(ipv6SubnetProblem(parseSubnet6('ff02::/64'), 'ff02::1/64'), "multicast subnet 'ff02::1/64' is not allowed");
    assert.equal(ipv6SubnetProblem(parseSubnet6('fe80::/48'), 'fe80::1/48'), "'fe80::1/48' clashes with the Link-Local prefix 'fe80::/64'");
    assert.equal(ipv6SubnetProblem(parseSubnet6('fe80::/80'), 'fe80::1/80'), "'fe80::1/80' clashes with the Link-Local prefix 'fe80::/64'");
    assert.equal(ipv6SubnetProblem(parseSubnet6('fe80::/64'), 'fe80::1/64'), undefined);
    assert.equal(ipv6SubnetProblem(parseSubnet6('2001:db8::/64'), '2001:db8::1/64'), undefined);
  });
});

describe('AddressPool6', () => {
  it('gives the gateway the first address and endpoints the next ones, never the subnet-router address', () => {
    const p = new AddressPool6({ Subnet: '2001:db8:1::/64' });
    assert.equal(p.gatewayText(), '2001:db8:1::1');
    assert.equal(formatIp6(p.allocate()), '2001:db8:1::2');
    assert.equal(formatIp6(p.allocate()), '2001:db8:1::3');
    assert.equal(formatIp6(p.reserve('2001:db8:1::10')), '2001:db8:1::10');
    assert.throws(() => p.reserve('2001:db8:1::10'), /Address already in use/);
    assert.throws(() => p.reserve('2001:db8:2::10'), /no configured subnet or ip-range contain the IP address 2001:db8:2::10/);
    assert.throws(() => p.reserve('2001:db8:1::'), /no configured subnet/);
    p.release('2001:db8:1::2');
    assert.ok(!p.inUse('2001:db8:1::2'));
  });
  it('allocates inside the range and runs out in a tiny subnet', () => {
    const r = new AddressPool6({ Subnet: '2001:db8:1::/64', IPRange: '2001:db8:1::100/120', Gateway: '2001:db8:1::1' });
    assert.equal(formatIp6(r.allocate()), '2001:db8:1::100');
    const tiny = new AddressPool6({ Subnet: '2001:db8:1::/126' });
    tiny.allocate();
    tiny.allocate();
    assert.throws(() => tiny.allocate(), /no available IPv6 addresses/);
  });
  it('picks free /64s of a stable ULA /48 per seed', () => {
    const pool = ulaPool('/var/lib/berth');
    assert.deepEqual(pool, ulaPool('/var/lib/berth'));
    assert.notDeepEqual(pool, ulaPool('/srv/other'));
    assert.match(formatIp6(pool.base), /^fd[0-9a-f]{2}:/);
    const first = pickFreeSubnet6(pool, []);
    const second = pickFreeSubnet6(pool, [first]);
    assert.equal(second.base - first.base, 1n << 64n);
    assert.equal(second.prefix, 64);
  });
});

describe('buildRuleset6', () => {
  const net = { bridge: 'br6', subnet: '2001:db8:1::/64', internal: false, icc: true, masquerade: true };
  it('uses the same chains as IPv4, /128 hosts and bracketed DNAT targets', () => {
    const text = buildRuleset6('B', [net], [{ proto: 'tcp', hostIp: '::', hostPort: 8080, containerIp: '2001:db8:1::2', containerPort: 80, bridge: 'br6' }]);
    const declared = [...text.matchAll(/^:(\S+)/gm)].map((m) => m[1]);
    assert.deepEqual(declared, ['B-FORWARD', 'B-ISOLATION-STAGE-1', 'B-ISOLATION-STAGE-2', 'B', 'B-POSTROUTING']);
    assert.match(text, /^-A B-POSTROUTING -s 2001:db8:1::\/64 ! -o br6 -j MASQUERADE$/m);
    assert.match(text, /^-A B -p tcp -m tcp --dport 8080 -j DNAT --to-destination \[2001:db8:1::2\]:80$/m);
    assert.match(text, /^-A B-FORWARD -d 2001:db8:1::2\/128 ! -i br6 -o br6 -p tcp -m tcp --dport 80 -j ACCEPT$/m);
    assert.doesNotMatch(text, /127\.0\.0\.0/);
  });
  it('never masquerades an internal network, and leaves ::1 to the proxy', () => {
    assert.doesNotMatch(buildRuleset6('B', [{ ...net, internal: true }], []), /MASQUERADE/);
    const out = jumpRules6('B').find((j) => j.chain === 'OUTPUT')!;
    assert.deepEqual(out.args.slice(0, 3), ['!', '-d', '::1/128']);
  });
});
