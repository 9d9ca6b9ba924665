import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPool, DEFAULT_POOLS, pickFreeSubnet } from './ipam.ts';
import { formatIp, formatSubnet, macFromIp, overlaps, parseIp, parseSubnet } from './cidr.ts';

describe('cidr', () => {
  it('parses and formats addresses and subnets', () => {
    assert.equal(formatIp(parseIp('172.17.0.2')!), '172.17.0.2');
    assert.equal(parseIp('256.1.1.1'), undefined);
    assert.equal(parseIp('1.2.3'), undefined);
    assert.equal(formatSubnet(parseSubnet('10.1.2.3/24')), '10.1.2.0/24');
    assert.throws(() => parseSubnet('10.1.2.3/33'), /invalid CIDR address/);
  });
  it('detects overlaps both ways', () => {
    assert.ok(overlaps(parseSubnet('172.16.0.0/12'), parseSubnet('172.17.0.0/16')));
    assert.ok(overlaps(parseSubnet('172.17.0.0/16'), parseSubnet('172.16.0.0/12')));
    assert.ok(!overlaps(parseSubnet('172.17.0.0/16'), parseSubnet('172.18.0.0/16')));
  });
  it('derives the MAC like Docker', () => {
    assert.equal(macFromIp(parseIp('172.17.0.2')!), '02:42:ac:11:00:02');
  });
});

describe('AddressPool', () => {
  it('hands out addresses after the gateway and skips used ones', () => {
    const p = new AddressPool({ Subnet: '10.0.0.0/29' });
    assert.equal(p.gatewayText(), '10.0.0.1');
    const got = [p.allocate(), p.allocate()].map(formatIp);
    assert.deepEqual(got, ['10.0.0.2', '10.0.0.3']);
    p.reserve('10.0.0.5');
    assert.deepEqual([p.allocate(), p.allocate()].map(formatIp), ['10.0.0.4', '10.0.0.6']);
    assert.throws(() => p.allocate(), /no available IPv4 addresses/);
    p.release('10.0.0.3');
    assert.equal(formatIp(p.allocate()), '10.0.0.3');
  });
  it('refuses a static address outside the subnet, the network or broadcast address, or one in use', () => {
    const p = new AddressPool({ Subnet: '10.0.0.0/24', Gateway: '10.0.0.254', AuxiliaryAddresses: { router: '10.0.0.10' } });
    assert.throws(() => p.reserve('10.0.1.5'), /no configured subnet or ip-range contain the IP address 10\.0\.1\.5/);
    assert.throws(() => p.reserve('10.0.0.255'), /no configured subnet/);
    assert.throws(() => p.reserve('10.0.0.254'), /Address already in use/);
    assert.throws(() => p.reserve('10.0.0.10'), /Address already in use/);
    assert.equal(formatIp(p.reserve('10.0.0.1')), '10.0.0.1');
  });
  it('allocates from the IP range only', () => {
    const p = new AddressPool({ Subnet: '10.0.0.0/24', IPRange: '10.0.0.128/30' });
    assert.deepEqual([p.allocate(), p.allocate(), p.allocate(), p.allocate()].map(formatIp), ['10.0.0.128', '10.0.0.129', '10.0.0.130', '10.0.0.131']);
    assert.throws(() => p.allocate(), /no available/);
    assert.throws(() => new AddressPool({ Subnet: '10.0.0.0/24', IPRange: '10.1.0.0/25' }), /not a subset/);
    assert.throws(() => new AddressPool({ Subnet: '10.0.0.0/24', Gateway: '10.9.0.1' }), /not in subnet/);
  });
});

describe('pickFreeSubnet', () => {
  it('takes the first default pool subnet that overlaps nothing on the host', () => {
    assert.equal(formatSubnet(pickFreeSubnet(DEFAULT_POOLS, [])), '172.17.0.0/16');
    const taken = [parseSubnet('172.17.0.1/32'), parseSubnet('172.18.5.0/24')];
    assert.equal(formatSubnet(pickFreeSubnet(DEFAULT_POOLS, taken)), '172.19.0.0/16');
    assert.equal(formatSubnet(pickFreeSubnet([{ base: '10.9.0.0/24', size: 26 }], [parseSubnet('10.9.0.0/26')])), '10.9.0.64/26');
    assert.throws(() => pickFreeSubnet([{ base: '10.9.0.0/24', size: 24 }], [parseSubnet('10.0.0.0/8')]), /could not find an available/);
  });
});
