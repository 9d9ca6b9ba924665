import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dnsResolver } from './dns-names.ts';
import type { ContainerRecord } from './record.ts';

function rec(id: string, name: string, hostname: string, nets: Record<string, { id: string; ip: string; aliases?: string[]; links?: string[] }>): ContainerRecord {
  const Networks: Record<string, unknown> = {};
  for (const [n, e] of Object.entries(nets)) Networks[n] = { NetworkID: e.id, IPAddress: e.ip, Aliases: e.aliases ?? null, Links: e.links ?? null };
  return { ID: id, Name: `/${name}`, Config: { Hostname: hostname }, State: { Running: true }, NetworkSettings: { Networks } } as unknown as ContainerRecord;
}

const a = rec('a'.repeat(64), 'api', 'apihost', { front: { id: 'N1', ip: '10.0.0.2', aliases: ['Backend'] } });
const b = rec('b'.repeat(64), 'client', 'b', { front: { id: 'N1', ip: '10.0.0.3' }, other: { id: 'N2', ip: '10.1.0.3' } });
const c = rec('c'.repeat(64), 'loner', 'c', { other: { id: 'N2', ip: '10.1.0.4' } });
const d = rec('d'.repeat(64), 'plain', 'd', { bridge: { id: 'N0', ip: '172.17.0.2' } });
const resolve = dnsResolver(() => [a, b, c, d]);

describe('dnsResolver', () => {
  it('answers names, aliases, hostnames and ID prefixes on shared networks', () => {
    assert.deepEqual(resolve('10.0.0.3', 'api', 'A'), ['10.0.0.2']);
    assert.deepEqual(resolve('10.0.0.3', 'backend', 'A'), ['10.0.0.2']);
    assert.deepEqual(resolve('10.0.0.3', 'apihost', 'A'), ['10.0.0.2']);
    assert.deepEqual(resolve('10.0.0.3', 'api.front', 'A'), ['10.0.0.2']);
    assert.deepEqual(resolve('10.0.0.3', 'a'.repeat(12), 'A'), ['10.0.0.2']);
    assert.equal(resolve('10.0.0.3', 'a'.repeat(6), 'A'), undefined);
    assert.deepEqual(resolve('10.0.0.3', 'api', 'AAAA'), []);
    assert.deepEqual(resolve('10.0.0.3', '10.0.0.2', 'PTR'), ['api.front']);
  });
  it('answers across every network the client is on, and nothing to strangers', () => {
    assert.deepEqual(resolve('10.1.0.3', 'loner', 'A'), ['10.1.0.4']);
    assert.equal(resolve('10.1.0.4', 'api', 'A'), undefined);
    assert.equal(resolve('172.17.0.2', 'api', 'A'), undefined);
    assert.equal(resolve('10.9.9.9', 'api', 'A'), undefined);
  });
});

describe('dnsResolver: --link on a user-defined network', () => {
  const target = rec('e'.repeat(64), 'target', 'e', { front: { id: 'N1', ip: '10.0.0.5' } });
  const asker = rec('f'.repeat(64), 'asker', 'f', { front: { id: 'N1', ip: '10.0.0.6', links: ['target:tgt', 'api', '/plain:/asker/pl', 'bad:x:y'] } });
  const other = rec('9'.repeat(64), 'other', '9', { front: { id: 'N1', ip: '10.0.0.7' } });
  const r = dnsResolver(() => [a, target, asker, other]);
  it('resolves the alias to the linked container for the linking container only', () => {
    assert.deepEqual(r('10.0.0.6', 'tgt', 'A'), ['10.0.0.5']);
    assert.deepEqual(r('10.0.0.6', 'TGT'.toLowerCase(), 'A'), ['10.0.0.5']);
    assert.deepEqual(r('10.0.0.6', 'api', 'A'), ['10.0.0.2']);
    assert.equal(r('10.0.0.7', 'tgt', 'A'), undefined);
    assert.equal(r('10.0.0.6', 'pl', 'A'), undefined, 'a linked container not on the network');
    assert.equal(r('10.0.0.6', 'x:y', 'A'), undefined);
  });
});

describe('dnsResolver on IPv6 networks', () => {
  const v6 = (id: string, name: string, ip: string, ip6: string) => ({
    ID: id.repeat(64), Name: `/${name}`, Config: { Hostname: name }, State: { Running: true },
    NetworkSettings: { Networks: { dual: { NetworkID: 'N6', IPAddress: ip, GlobalIPv6Address: ip6, Aliases: null } } },
  }) as unknown as ContainerRecord;
  const r = dnsResolver(() => [v6('e', 'web', '10.2.0.2', '2001:db8:5::2'), v6('f', 'cli', '10.2.0.3', '2001:db8:5::3'), v6('9', 'v4only', '10.2.0.4', '')]);
  it('answers AAAA with the IPv6 address, to clients asking over either family', () => {
    assert.deepEqual(r('10.2.0.3', 'web', 'AAAA'), ['2001:db8:5::2']);
    assert.deepEqual(r('2001:db8:5::3', 'web', 'AAAA'), ['2001:db8:5::2']);
    assert.deepEqual(r('2001:db8:5::3', 'web', 'A'), ['10.2.0.2']);
  });
  it('answers NODATA (an empty answer) for a known name without IPv6, and PTR for IPv6 addresses', () => {
    assert.deepEqual(r('10.2.0.3', 'v4only', 'AAAA'), []);
    assert.equal(r('10.2.0.3', 'nobody', 'AAAA'), undefined);
    assert.deepEqual(r('10.2.0.3', '2001:db8:5::2', 'PTR'), ['web.dual']);
    assert.equal(r('10.2.0.3', '2001:db8:5::99', 'PTR'), undefined);
  });
});
