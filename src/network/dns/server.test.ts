// The embedded DNS server on 127.0.0.1 with port 0, against a fake upstream on 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startDnsServer, type DnsServer, type RecordType } from './index.ts';
import { FakeUpstream, UdpClient, decodeReply, framed, makeQuery, tcpExchange } from './dns.test-helpers.ts';

const RECORDS: Record<string, string[]> = {
  web: ['172.18.0.2', '172.18.0.3'],
  db: ['172.18.0.4', 'fd00::4'],
  many: Array.from({ length: 100 }, (_, i) => `10.9.${i >> 8}.${i & 0xff}`),
};
const PTRS: Record<string, string[]> = { '172.18.0.4': ['db.mynet'] };

const calls: { clientIp: string; name: string; type: RecordType }[] = [];
function resolve(clientIp: string, name: string, type: RecordType): string[] | undefined {
  calls.push({ clientIp, name, type });
  if (name === 'boom') throw new Error('backend failure');
  if (type === 'PTR') return PTRS[name];
  const ips = RECORDS[name];
  if (!ips) return undefined;
  return ips.filter((ip) => (type === 'A' ? !ip.includes(':') : ip.includes(':')));
}

describe('embedded DNS server', () => {
  let upstream: FakeUpstream;
  let deadUpstream: FakeUpstream;
  let server: DnsServer;
  let isolated: DnsServer;
  let client: UdpClient;

  before(async () => {
    upstream = await new FakeUpstream({
      'example.test': { kind: 'a', ip: '192.0.2.7' },
      'refused.test': { kind: 'rcode', rcode: 5 },
    }).start();
    deadUpstream = await new FakeUpstream({ 'example.test': { kind: 'silent' }, 'refused.test': { kind: 'silent' } }).start();
    server = await startDnsServer({ address: '127.0.0.1', port: 0, resolve, upstreams: [`127.0.0.1:${upstream.port}`] });
    isolated = await startDnsServer({ address: '127.0.0.1', port: 0, resolve, upstreams: [] });
    client = await UdpClient.open();
  });

  after(async () => {
    client.close();
    await server.close();
    await isolated.close();
    await upstream.close();
    await deadUpstream.close();
  });

  test('answers A records for a known name with TTL 600', async () => {
    const r = await client.ask(server.port, makeQuery('web', { id: 0xbeef }));
    assert.equal(r.id, 0xbeef);
    assert.equal(r.qr, true);
    assert.equal(r.ra, true);
    assert.equal(r.rcode, 0);
    assert.deepEqual(r.answers.map((a) => a.data).sort(), ['172.18.0.2', '172.18.0.3']);
    for (const a of r.answers) {
      assert.equal(a.ttl, 600);
      assert.equal(a.name, 'web');
    }
    assert.equal(calls.at(-1)!.clientIp, '127.0.0.1');
  });

  test('names are case-insensitive, with or without a trailing dot, and the reply keeps the case asked', async () => {
    const r = await client.ask(server.port, makeQuery('WeB.'));
    assert.equal(r.rcode, 0);
    assert.equal(r.answers.length, 2);
    assert.equal(calls.at(-1)!.name, 'web');
    assert.ok(r.raw.includes(Buffer.from('WeB')), 'question echoed with the client\'s case');
  });

  test('AAAA for a known name without IPv6 is NODATA, not NXDOMAIN; with IPv6 it is answered', async () => {
    const none = await client.ask(server.port, makeQuery('web', { type: 28 }));
    assert.equal(none.rcode, 0);
    assert.equal(none.answers.length, 0);
    const some = await client.ask(server.port, makeQuery('db', { type: 28 }));
    assert.deepEqual(some.answers.map((a) => a.data), ['fd000000000000000000000000000004']);
    assert.equal(upstream.seen.filter((s) => s.name === 'web' || s.name === 'db').length, 0, 'not forwarded');
  });

  test('PTR for a container address', async () => {
    const r = await client.ask(server.port, makeQuery('4.0.18.172.in-addr.arpa', { type: 12 }));
    assert.equal(r.rcode, 0);
    assert.deepEqual(r.answers.map((a) => [a.data, a.ttl, a.name]), [['db.mynet', 600, '4.0.18.172.in-addr.arpa']]);
    assert.deepEqual(calls.at(-1), { clientIp: '127.0.0.1', name: '172.18.0.4', type: 'PTR' });
  });

  test('MX for a known name is NODATA', async () => {
    const r = await client.ask(server.port, makeQuery('web', { type: 15 }));
    assert.equal(r.rcode, 0);
    assert.equal(r.answers.length, 0);
  });

  test('unknown names are forwarded; the upstream\'s answer comes back with the client\'s ID', async () => {
    const r = await client.ask(server.port, makeQuery('example.test', { id: 4242 }));
    assert.equal(r.id, 4242);
    assert.equal(r.rcode, 0);
    assert.deepEqual(r.answers.map((a) => a.data), ['192.0.2.7']);
    assert.equal(upstream.seen.at(-1)!.transport, 'udp');
  });

  test('an unusable upstream entry is skipped, not fatal', async () => {
    const logs: string[] = [];
    const s = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreams: ['not-an-address', `127.0.0.1:${upstream.port}`], log: (m) => logs.push(m),
    });
    try {
      const r = await client.ask(s.port, makeQuery('example.test'));
      assert.deepEqual(r.answers.map((a) => a.data), ['192.0.2.7']);
      assert.ok(logs.some((l) => l.includes('not-an-address')));
    } finally {
      await s.close();
    }
  });

  test('NXDOMAIN: from the upstream, and for unknown names on a network without upstreams', async () => {
    const fwd = await client.ask(server.port, makeQuery('nothing.test'));
    assert.equal(fwd.rcode, 3);
    assert.equal(upstream.seen.at(-1)!.name, 'nothing.test');
    const seen = upstream.seen.length;
    const local = await client.ask(isolated.port, makeQuery('nothing.test'));
    assert.equal(local.rcode, 3);
    assert.equal(upstream.seen.length, seen);
    const ptr = await client.ask(isolated.port, makeQuery('9.9.9.9.in-addr.arpa', { type: 12 }));
    assert.equal(ptr.rcode, 3);
  });

  test('an upstream that does not answer is skipped; all failing gives SERVFAIL', async () => {
    const fallback = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreamTimeoutMs: 200,
      upstreams: [`127.0.0.1:${deadUpstream.port}`, `127.0.0.1:${upstream.port}`],
    });
    const onlyDead = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreamTimeoutMs: 200, upstreams: [`127.0.0.1:${deadUpstream.port}`],
    });
    try {
      const ok = await client.ask(fallback.port, makeQuery('example.test'));
      assert.deepEqual(ok.answers.map((a) => a.data), ['192.0.2.7']);
      assert.ok(deadUpstream.seen.some((s) => s.name === 'example.test'), 'the first upstream was tried');
      const fail = await client.ask(onlyDead.port, makeQuery('example.test'));
      assert.equal(fail.rcode, 2);
    } finally {
      await fallback.close();
      await onlyDead.close();
    }
  });

  test('closing with forwards in flight answers nothing and throws nothing', async () => {
    const s = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreamTimeoutMs: 5000, upstreams: [`127.0.0.1:${deadUpstream.port}`],
    });
    const before = deadUpstream.seen.length;
    client.send(s.port, makeQuery('example.test', { id: 0x4444 }));
    const tcp = tcpExchange(s.port, framed(makeQuery('example.test', { id: 0x4445 })), 1);
    while (deadUpstream.seen.length < before + 2) await new Promise((r) => setTimeout(r, 10));
    await s.close();
    const { replies, closed } = await tcp;
    assert.deepEqual([replies.length, closed], [0, true]);
    // The UDP client got nothing either: the next reply it sees is from the live server.
    const r = await client.ask(server.port, makeQuery('web', { id: 0x4446 }));
    assert.equal(r.id, 0x4446);
  });

  test('clients the caller does not accept get no answer at all', async () => {
    const s = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreams: [`127.0.0.1:${upstream.port}`], acceptClient: (ip) => ip !== '127.0.0.1',
    });
    try {
      const seen = upstream.seen.length;
      client.send(s.port, makeQuery('example.test', { id: 0x3331 }));
      client.send(s.port, makeQuery('web', { id: 0x3332 }));
      // Nothing comes back from `s`; the live server's answer is the next reply.
      const r = await client.ask(server.port, makeQuery('web', { id: 0x3333 }));
      assert.equal(r.id, 0x3333);
      const { replies, closed } = await tcpExchange(s.port, framed(makeQuery('web')), 1);
      assert.deepEqual([replies.length, closed], [0, true]);
      assert.equal(upstream.seen.length, seen, 'nothing forwarded');
    } finally {
      await s.close();
    }
  });

  test('REFUSED from every upstream becomes SERVFAIL', async () => {
    const r = await client.ask(server.port, makeQuery('refused.test'));
    assert.equal(r.rcode, 2);
  });

  test('a failing backend gives SERVFAIL', async () => {
    const r = await client.ask(server.port, makeQuery('boom'));
    assert.equal(r.rcode, 2);
  });

  test('concurrent forwards are capped', async () => {
    const capped = await startDnsServer({
      address: '127.0.0.1', port: 0, resolve, upstreamTimeoutMs: 300, maxConcurrentForwards: 1,
      upstreams: [`127.0.0.1:${deadUpstream.port}`],
    });
    try {
      const before = deadUpstream.seen.length;
      client.send(capped.port, makeQuery('example.test', { id: 1 }));
      client.send(capped.port, makeQuery('example.test', { id: 2 }));
      const first = decodeReply(await client.next());
      const second = decodeReply(await client.next());
      // The second query is refused at once, so its SERVFAIL arrives before the first's timeout.
      assert.deepEqual([first.id, first.rcode, second.id, second.rcode], [2, 2, 1, 2]);
      assert.equal(deadUpstream.seen.length - before, 1);
    } finally {
      await capped.close();
    }
  });

  test('UDP answers that do not fit are truncated with TC; EDNS raises the limit; TCP gets them all', async () => {
    const small = await client.ask(server.port, makeQuery('many'));
    assert.equal(small.tc, true);
    assert.ok(small.raw.length <= 512);
    assert.ok(small.answers.length > 0 && small.answers.length < 100);
    const edns = await client.ask(server.port, makeQuery('many', { edns: 4096 }));
    assert.equal(edns.tc, false);
    assert.equal(edns.answers.length, 100);
    assert.equal(edns.hasOpt, true);
    const { replies } = await tcpExchange(server.port, framed(makeQuery('many')), 1);
    const tcp = decodeReply(replies[0]!);
    assert.equal(tcp.tc, false);
    assert.equal(tcp.answers.length, 100);
  });

  test('EDNS version other than 0 gets BADVERS', async () => {
    const r = await client.ask(server.port, makeQuery('web', { edns: 1232, ednsVersion: 1 }));
    assert.equal(r.extendedRcode, 1); // 16 >> 4
    assert.equal(r.rcode, 0);
    assert.equal(r.answers.length, 0);
  });

  test('TCP: several queries on one connection, local and forwarded over TCP', async () => {
    const { replies } = await tcpExchange(server.port, framed(makeQuery('web', { id: 7 }), makeQuery('example.test', { id: 8 })), 2);
    const byId = new Map(replies.map((b) => decodeReply(b)).map((r) => [r.id, r]));
    assert.equal(byId.get(7)!.answers.length, 2);
    assert.deepEqual(byId.get(8)!.answers.map((a) => a.data), ['192.0.2.7']);
    assert.equal(upstream.seen.at(-1)!.transport, 'tcp');
    assert.notEqual(upstream.seen.at(-1)!.id, 8, 'forwarded with a fresh ID');
  });

  test('malformed packets get FORMERR/NOTIMP or no answer, and the server keeps serving', async () => {
    const valid = makeQuery('web');
    const withCounts = (qd: number, an: number, ar: number, body: Buffer): Buffer => {
      const h = Buffer.alloc(12);
      h.writeUInt16BE(0x5151, 0);
      h.writeUInt16BE(0x0100, 2);
      h.writeUInt16BE(qd, 4);
      h.writeUInt16BE(an, 6);
      h.writeUInt16BE(ar, 10);
      return Buffer.concat([h, body]);
    };
    const question = valid.subarray(12);
    const cases: { what: string; packet: Buffer; expect: 'drop' | number }[] = [
      { what: 'empty', packet: Buffer.alloc(0), expect: 'drop' },
      { what: 'short header', packet: valid.subarray(0, 11), expect: 'drop' },
      { what: 'a response', packet: Buffer.concat([Buffer.from([0x51, 0x51, 0x81, 0x80]), valid.subarray(4)]), expect: 'drop' },
      { what: 'header only', packet: withCounts(1, 0, 0, Buffer.alloc(0)), expect: 1 },
      { what: 'no question', packet: withCounts(0, 0, 0, Buffer.alloc(0)), expect: 1 },
      { what: 'two questions', packet: withCounts(2, 0, 0, Buffer.concat([question, question])), expect: 1 },
      { what: 'label past the end', packet: withCounts(1, 0, 0, Buffer.from([40, 0x61, 0x62])), expect: 1 },
      { what: 'pointer to itself', packet: withCounts(1, 0, 0, Buffer.from([0xc0, 12, 0, 1, 0, 1])), expect: 1 },
      { what: 'forward pointer', packet: withCounts(1, 0, 0, Buffer.from([0xc0, 20, 0, 1, 0, 1, 0, 0, 1, 0x61, 0])), expect: 1 },
      { what: 'extended label type', packet: withCounts(1, 0, 0, Buffer.from([0x41, 0x61, 0, 0, 1, 0, 1])), expect: 1 },
      {
        what: 'name over 255 octets',
        packet: withCounts(1, 0, 0, Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0, 0, 1, 0, 1])])),
        expect: 1,
      },
      { what: 'truncated qtype', packet: withCounts(1, 0, 0, Buffer.from([3, 0x77, 0x65, 0x62, 0, 0])), expect: 1 },
      { what: 'missing additional record', packet: withCounts(1, 0, 1, question), expect: 1 },
      { what: 'answer record past the end', packet: withCounts(1, 1, 0, Buffer.concat([question, Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 200, 1])])), expect: 1 },
      { what: 'OPT with truncated rdata', packet: withCounts(1, 0, 1, Buffer.concat([question, Buffer.from([0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 9, 1])])), expect: 1 },
      { what: 'two OPT records', packet: withCounts(1, 0, 2, Buffer.concat([question, Buffer.from([0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0])])), expect: 1 },
      { what: 'opcode STATUS', packet: Buffer.concat([Buffer.from([0x51, 0x51, 0x11, 0x00]), valid.subarray(4)]), expect: 4 },
    ];
    for (const c of cases) {
      client.send(server.port, c.packet);
      // A valid query right behind it: if the bad one is dropped, this answer comes first.
      client.send(server.port, makeQuery('web', { id: 0x7777 }));
      const first = decodeReply(await client.next());
      if (c.expect === 'drop') {
        assert.equal(first.id, 0x7777, `${c.what}: dropped`);
        continue;
      }
      assert.equal(first.qr, true, c.what);
      assert.equal(first.rcode, c.expect, c.what);
      assert.equal(first.answers.length, 0, c.what);
      const second = decodeReply(await client.next());
      assert.equal(second.id, 0x7777, c.what);
      assert.equal(second.answers.length, 2, `${c.what}: still serving`);
    }
  });

  test('random garbage over UDP and TCP never stops the server', async () => {
    let seed = 12345;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    // Batches of 50, each followed by a valid query, so no socket buffer overflows.
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 50; i++) {
        const len = rand(80);
        const p = Buffer.alloc(len);
        for (let j = 0; j < len; j++) p[j] = rand(256);
        if (len > 2) p[2] = p[2]! & 0x7f; // mostly queries, so they reach the parser
        client.send(server.port, p);
      }
      const id = 0x6000 + batch;
      client.send(server.port, makeQuery('web', { id }));
      // Drain what the garbage got back until our answer arrives.
      for (;;) {
        const r = await client.next();
        if (r.readUInt16BE(0) === id && decodeReply(r).answers.length === 2) break;
      }
    }
    const garbage = await tcpExchange(server.port, Buffer.from([0, 5, 1, 2, 3, 4, 5]), 1);
    assert.equal(garbage.replies.length, 0);
    assert.equal(garbage.closed, true, 'a short message closes the connection');
    const { replies } = await tcpExchange(server.port, framed(makeQuery('web')), 1);
    assert.equal(decodeReply(replies[0]!).answers.length, 2);
  });
});
