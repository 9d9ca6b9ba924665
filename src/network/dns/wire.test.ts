import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireError, encodeName, parseQuery, readName, reverseNameToIp } from './wire.ts';
import { formatIPv6, parseIPv6 } from '../../common/index.ts';
import { makeQuery } from './dns.test-helpers.ts';

test('readName lower-cases and follows a backward pointer', () => {
  // "Web.Net" at 0, then "x" + pointer to 0 at 9
  const buf = Buffer.from([3, 0x57, 0x65, 0x62, 3, 0x4e, 0x65, 0x74, 0, 1, 0x78, 0xc0, 0]);
  assert.deepEqual(readName(buf, 0), { name: 'web.net', next: 9 });
  assert.deepEqual(readName(buf, 9), { name: 'x.web.net', next: 13 });
});

test('readName refuses loops, forward pointers, long names and odd label types', () => {
  assert.throws(() => readName(Buffer.from([0xc0, 0]), 0), WireError); // points at itself
  assert.throws(() => readName(Buffer.from([1, 0x61, 0xc0, 0]), 0), WireError); // back into its own start
  assert.throws(() => readName(Buffer.from([0xc0, 4, 0, 0, 0]), 0), WireError); // forward
  assert.throws(() => readName(Buffer.from([0x40, 0]), 0), WireError);
  assert.throws(() => readName(Buffer.from([5, 0x61]), 0), WireError);
  assert.throws(() => readName(Buffer.from([0xc0]), 0), WireError);
  const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0])]);
  assert.throws(() => readName(long, 0), /name too long/);
});

test('labels with dots or odd bytes are escaped, so they cannot pose as other names', () => {
  const buf = Buffer.from([3, 0x61, 0x2e, 0x62, 1, 0x00, 0]);
  assert.equal(readName(buf, 0).name, 'a\\.b.\\000');
});

test('encodeName round-trips and checks lengths', () => {
  assert.deepEqual([...encodeName('a.bc.')], [1, 0x61, 2, 0x62, 0x63, 0]);
  assert.deepEqual([...encodeName('')], [0]);
  assert.throws(() => encodeName('a..b'), WireError);
  assert.throws(() => encodeName('x'.repeat(64)), WireError);
});

test('parseQuery reads the question and EDNS', () => {
  const q = parseQuery(makeQuery('Foo.Example', { type: 28, edns: 4096 }));
  assert.equal(q.question.name, 'foo.example');
  assert.equal(q.question.type, 28);
  assert.deepEqual(q.edns, { udpSize: 4096, version: 0, dnssecOk: false });
});

test('reverse names decode to addresses, partial names do not', () => {
  assert.equal(reverseNameToIp('4.0.18.172.in-addr.arpa'), '172.18.0.4');
  assert.equal(reverseNameToIp('4.0.18.172.IN-ADDR.ARPA.'), '172.18.0.4');
  assert.equal(reverseNameToIp('0.18.172.in-addr.arpa'), undefined);
  assert.equal(reverseNameToIp('256.0.18.172.in-addr.arpa'), undefined);
  assert.equal(reverseNameToIp('01.0.18.172.in-addr.arpa'), undefined);
  const v6 = '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa';
  assert.equal(reverseNameToIp(v6), 'fd00::2');
  assert.equal(reverseNameToIp('2.0.ip6.arpa'), undefined);
});

test('IPv6 parsing and RFC 5952 formatting', () => {
  assert.equal(formatIPv6(parseIPv6('FD00:0:0:0:0:0:0:2')!), 'fd00::2');
  assert.equal(formatIPv6(parseIPv6('::ffff:10.1.2.3')!), '::ffff:a01:203');
  assert.equal(formatIPv6(parseIPv6('1:0:0:1:0:0:0:1')!), '1:0:0:1::1');
  assert.equal(parseIPv6('1::2::3'), undefined);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), undefined);
  assert.equal(parseIPv6('10.0.0.1'), undefined);
});
