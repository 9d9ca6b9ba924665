// Test helpers for the DNS box: builds queries, sends them over UDP or TCP on loopback, decodes
// replies, and runs a fake upstream server. Used only by the *.test.ts files beside it.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeName, readHeader, readName, HEADER_SIZE, TYPE_A, TYPE_AAAA, TYPE_PTR, TYPE_OPT } from './wire.ts';

export interface QueryOptions {
  id?: number;
  type?: number;
  klass?: number;
  /** EDNS UDP payload size (adds an OPT record); with ednsVersion for BADVERS tests. */
  edns?: number;
  ednsVersion?: number;
  rd?: boolean;
}

export function makeQuery(name: string, opts: QueryOptions = {}): Buffer {
  const head = Buffer.alloc(HEADER_SIZE);
  head.writeUInt16BE(opts.id ?? 0x1234, 0);
  head.writeUInt16BE(opts.rd === false ? 0 : 0x0100, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(opts.edns ? 1 : 0, 10);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(opts.type ?? TYPE_A, 0);
  tail.writeUInt16BE(opts.klass ?? 1, 2);
  const parts = [head, encodeName(name), tail];
  if (opts.edns) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(TYPE_OPT, 1);
    opt.writeUInt16BE(opts.edns, 3);
    opt.writeUInt32BE(((opts.ednsVersion ?? 0) & 0xff) << 16, 5);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

export interface Answer {
  name: string;
  type: number;
  ttl: number;
  /** A/AAAA: the address; PTR: the target name; others: hex. */
  data: string;
}

export interface Reply {
  id: number;
  flags: number;
  rcode: number;
  qr: boolean;
  tc: boolean;
  ra: boolean;
  questionName: string;
  answers: Answer[];
  /** Raw question name bytes as sent back (to check case is preserved). */
  raw: Buffer;
  hasOpt: boolean;
  extendedRcode: number;
}

export function decodeReply(buf: Buffer): Reply {
  const h = readHeader(buf);
  let pos = HEADER_SIZE;
  let questionName = '';
  for (let i = 0; i < h.qdcount; i++) {
    const { name, next } = readName(buf, pos);
    questionName = name;
    pos = next + 4;
  }
  const answers: Answer[] = [];
  let hasOpt = false;
  let extendedRcode = 0;
  for (let i = 0; i < h.ancount + h.nscount + h.arcount; i++) {
    const { name, next } = readName(buf, pos);
    const type = buf.readUInt16BE(next);
    const ttl = buf.readUInt32BE(next + 4);
    const len = buf.readUInt16BE(next + 8);
    const rd = next + 10;
    if (type === TYPE_OPT) {
      hasOpt = true;
      extendedRcode = ttl >>> 24;
    } else if (i < h.ancount) {
      let data: string;
      if (type === TYPE_A) data = [...buf.subarray(rd, rd + 4)].join('.');
      else if (type === TYPE_AAAA) data = buf.subarray(rd, rd + 16).toString('hex');
      else if (type === TYPE_PTR) data = readName(buf, rd).name;
      else data = buf.subarray(rd, rd + len).toString('hex');
      answers.push({ name, type, ttl, data });
    }
    pos = rd + len;
  }
  return {
    id: h.id, flags: h.flags, rcode: h.flags & 0xf, qr: (h.flags & 0x8000) !== 0, tc: (h.flags & 0x0200) !== 0,
    ra: (h.flags & 0x0080) !== 0, questionName, answers, raw: buf, hasOpt, extendedRcode,
  };
}

/** A UDP client socket that collects replies in order. */
export class UdpClient {
  private readonly sock: UdpSocket;
  private readonly queue: Buffer[] = [];
  private waiters: ((b: Buffer) => void)[] = [];

  private constructor(sock: UdpSocket) {
    this.sock = sock;
    sock.on('message', (m) => {
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }

  static async open(): Promise<UdpClient> {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    return new UdpClient(sock);
  }

  send(port: number, packet: Buffer): void {
    this.sock.send(packet, port, '127.0.0.1');
  }

  /** The next reply; rejects after `ms` (a safety net against a hung test, not a timing assertion). */
  next(ms = 5000): Promise<Buffer> {
    const q = this.queue.shift();
    if (q) return Promise.resolve(q);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('no reply'));
      }, ms);
      const done = (b: Buffer): void => {
        clearTimeout(t);
        resolve(b);
      };
      this.waiters.push(done);
    });
  }

  async ask(port: number, packet: Buffer): Promise<Reply> {
    this.send(port, packet);
    return decodeReply(await this.next());
  }

  close(): void {
    this.sock.close();
  }
}

/** Sends length-prefixed messages on one TCP connection; resolves with the replies (or what came before close). */
export function tcpExchange(port: number, payload: Buffer, expected: number): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const sock: Socket = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const replies: Buffer[] = [];
    const t = setTimeout(() => {
      sock.destroy();
      reject(new Error('tcp exchange did not finish'));
    }, 5000);
    const finish = (closed: boolean): void => {
      clearTimeout(t);
      sock.destroy();
      resolve({ replies, closed });
    };
    sock.on('connect', () => sock.write(payload));
    sock.on('error', reject);
    sock.on('close', () => finish(true));
    sock.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const n = buf.readUInt16BE(0);
        replies.push(Buffer.from(buf.subarray(2, 2 + n)));
        buf = buf.subarray(2 + n);
      }
      if (replies.length >= expected) finish(false);
    });
  });
}

export function framed(...msgs: Buffer[]): Buffer {
  return Buffer.concat(msgs.flatMap((m) => {
    const l = Buffer.alloc(2);
    l.writeUInt16BE(m.length);
    return [l, m];
  }));
}

export type UpstreamBehaviour = { kind: 'a'; ip: string } | { kind: 'rcode'; rcode: number } | { kind: 'silent' };

/**
 * A fake upstream resolver on 127.0.0.1 (UDP and TCP, same port): answers each name as the
 * table says, and records what it was asked over which transport.
 */
export class FakeUpstream {
  readonly seen: { name: string; transport: 'udp' | 'tcp'; id: number }[] = [];
  port = 0;
  private udp!: UdpSocket;
  private tcp!: Server;
  private readonly sockets = new Set<Socket>();
  private readonly table: Record<string, UpstreamBehaviour>;

  constructor(table: Record<string, UpstreamBehaviour>) {
    this.table = table;
  }

  async start(): Promise<this> {
    this.udp = createSocket('udp4');
    await new Promise<void>((r) => this.udp.bind(0, '127.0.0.1', () => r()));
    this.port = this.udp.address().port;
    this.udp.on('message', (m, rinfo) => {
      const reply = this.answer(m, 'udp');
      if (reply) this.udp.send(reply, rinfo.port, rinfo.address);
    });
    this.tcp = createServer((s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      let buf = Buffer.alloc(0);
      s.on('data', (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const n = buf.readUInt16BE(0);
          const reply = this.answer(buf.subarray(2, 2 + n), 'tcp');
          buf = buf.subarray(2 + n);
          if (reply) s.write(framed(reply));
        }
      });
    });
    await new Promise<void>((r) => this.tcp.listen(this.port, '127.0.0.1', () => r()));
    return this;
  }

  private answer(m: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const { name, next } = readName(m, HEADER_SIZE);
    this.seen.push({ name, transport, id: m.readUInt16BE(0) });
    const b = this.table[name] ?? { kind: 'rcode', rcode: 3 };
    if (b.kind === 'silent') return undefined;
    const question = m.subarray(HEADER_SIZE, next + 4);
    const head = Buffer.alloc(HEADER_SIZE);
    head.writeUInt16BE(m.readUInt16BE(0), 0);
    head.writeUInt16BE(0x8180 | (b.kind === 'rcode' ? b.rcode : 0), 2);
    head.writeUInt16BE(1, 4);
    if (b.kind === 'rcode') return Buffer.concat([head, question]);
    head.writeUInt16BE(1, 6);
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(TYPE_A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(30, 6);
    rr.writeUInt16BE(4, 10);
    b.ip.split('.').forEach((x, i) => (rr[12 + i] = Number(x)));
    return Buffer.concat([head, question, rr]);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await Promise.all([
      new Promise<void>((r) => this.udp.close(() => r())),
      new Promise<void>((r) => this.tcp.close(() => r())),
    ]);
  }
}
