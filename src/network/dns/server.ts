// The embedded DNS server (Docker's libnetwork resolver.go): containers on user-defined networks
// ask it for each other's names; it answers A/AAAA/PTR from the daemon's records and forwards
// everything else to the host's resolvers. Listens on UDP and TCP at the same address and port.
import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { isIP } from 'node:net';
import { createForwarder, parseUpstream, type Forwarder } from './forwarder.ts';
import {
  CLASS_IN, HEADER_SIZE, MIN_UDP_SIZE, RCODE_BADVERS, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP,
  RCODE_NXDOMAIN, RCODE_SERVFAIL, TYPE_A, TYPE_AAAA, TYPE_MX, TYPE_PTR, WireError, aRecord, aaaaRecord,
  buildHeaderOnlyReply, buildReply, isResponse, opcodeOf, parseQuery, ptrRecord, readHeader,
  reverseNameToIp, type Query,
} from './wire.ts';

/** Docker's TTL for the records its resolver answers. */
const RESPONSE_TTL = 600;
const TCP_MAX_MESSAGE = 65535;
/** A TCP client that sends nothing for this long is dropped (RFC 7766 suggests seconds). */
const TCP_IDLE_MS = 10_000;
const TCP_MAX_CONNECTIONS = 256;
/** Queries from one TCP connection answered at once; more wait (pipelining without unbounded work). */
const TCP_MAX_PENDING = 16;

export type RecordType = 'A' | 'AAAA' | 'PTR';

/**
 * Looks a name up in the daemon's records for the container at `clientIp`.
 * - 'A' / 'AAAA': `name` is lower-case without a trailing dot; return the container's addresses
 *   (addresses of the other family are ignored), [] when the name is known but has none of that
 *   family (answered NODATA), undefined when the name is not ours (forwarded).
 * - 'PTR': `name` is the address asked about ('172.18.0.2', 'fd00::2', RFC 5952 form), decoded
 *   from the in-addr.arpa / ip6.arpa question; return the names (without or with trailing dot),
 *   or undefined / [] when the address is not ours (forwarded).
 */
export type ResolveFn = (clientIp: string, name: string, type: RecordType) => string[] | undefined;

export interface DnsServerOptions {
  address: string;
  /** 53 by default; 0 picks a free port (tests). */
  port?: number;
  resolve: ResolveFn;
  /** 'ip', 'ip:port', '[ipv6]:port'. Empty: unknown names get NXDOMAIN (an internal network). */
  upstreams: string[];
  log?: (msg: string) => void;
  /** Per-upstream timeout (Docker: 4 s). */
  upstreamTimeoutMs?: number;
  /** Forwarded queries in flight at once (Docker: 100). */
  maxConcurrentForwards?: number;
  /**
   * Who may ask (e.g. addresses in the network's subnet). Docker's resolver is only reachable
   * inside containers; a server on a gateway address could otherwise be an open resolver for
   * anyone who can route to it. Queries from others are dropped without an answer.
   */
  acceptClient?: (clientIp: string) => boolean;
}

export interface DnsServer {
  port: number;
  close(): Promise<void>;
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const family = isIP(opts.address);
  if (!family) throw new Error(`invalid DNS listen address: ${opts.address}`);
  const log = opts.log ?? (() => {});
  // One unusable resolv.conf line must not cost the network its DNS: skip it and say so.
  const upstreams = opts.upstreams.flatMap((u) => {
    try {
      return [parseUpstream(u)];
    } catch (err) {
      log(`dns: ${(err as Error).message}`);
      return [];
    }
  });
  const forwarder = createForwarder({
    upstreams,
    timeoutMs: opts.upstreamTimeoutMs ?? 4000,
    maxConcurrent: opts.maxConcurrentForwards ?? 100,
    log,
  });
  const accept = opts.acceptClient ?? (() => true);
  const handler = async (raw: Buffer, clientIp: string, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> =>
    accept(clientIp) ? handleQuery(raw, clientIp, transport, opts.resolve, forwarder, upstreams.length > 0, log) : undefined;

  const udp = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port ?? 53, opts.address, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;
  udp.on('error', (err) => log(`dns: udp: ${err.message}`));
  let closed = false;
  udp.on('message', (msg, rinfo) => {
    handler(msg, rinfo.address, 'udp').then((reply) => {
      // A forward may finish after close(); sending then would throw.
      if (!reply || closed) return;
      udp.send(reply, rinfo.port, rinfo.address, (err) => err && log(`dns: udp send: ${err.message}`));
    }).catch((err: Error) => log(`dns: ${err.message}`));
  });

  let tcp: { server: Server; sockets: Set<Socket> };
  try {
    tcp = await listenTcp(opts.address, port, handler, log);
  } catch (err) {
    udp.close();
    throw err;
  }

  return {
    port,
    async close() {
      if (closed) return;
      closed = true;
      forwarder.close();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => {
          tcp.server.close(() => resolve());
          for (const s of tcp.sockets) s.destroy();
        }),
      ]);
    },
  };
}

function listenTcp(
  address: string, port: number,
  handler: (raw: Buffer, clientIp: string, transport: 'tcp') => Promise<Buffer | undefined>,
  log: (msg: string) => void,
): Promise<{ server: Server; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    if (sockets.size >= TCP_MAX_CONNECTIONS) {
      sock.destroy();
      return;
    }
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    serveTcpConnection(sock, handler, log);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', (err) => log(`dns: tcp: ${err.message}`));
      resolve({ server, sockets });
    });
  });
}

/** Length-prefixed messages (RFC 1035 4.2.2), several per connection, replies in any order. */
function serveTcpConnection(
  sock: Socket,
  handler: (raw: Buffer, clientIp: string, transport: 'tcp') => Promise<Buffer | undefined>,
  log: (msg: string) => void,
): void {
  const clientIp = sock.remoteAddress ?? '';
  let buf = Buffer.alloc(0);
  let pending = 0;
  sock.setTimeout(TCP_IDLE_MS, () => {
    // Idle means no query waiting on us; a slow upstream is not the client's fault.
    if (pending === 0) sock.destroy();
    else sock.setTimeout(TCP_IDLE_MS);
  });
  sock.on('error', () => sock.destroy());
  const pump = (): void => {
    while (pending < TCP_MAX_PENDING && buf.length >= 2) {
      const n = buf.readUInt16BE(0);
      if (buf.length < 2 + n) break;
      const msg = Buffer.from(buf.subarray(2, 2 + n));
      buf = buf.subarray(2 + n);
      pending++;
      handler(msg, clientIp, 'tcp').then((reply) => {
        if (!reply) {
          // Nothing to say to a client that sent garbage: close rather than leave it waiting.
          sock.destroy();
          return;
        }
        if (sock.destroyed) return;
        const len = Buffer.alloc(2);
        len.writeUInt16BE(reply.length);
        sock.write(Buffer.concat([len, reply]));
      }).catch((err: Error) => {
        log(`dns: ${err.message}`);
        sock.destroy();
      }).finally(() => {
        pending--;
        if (pending < TCP_MAX_PENDING) sock.resume();
        pump();
      });
    }
    if (pending >= TCP_MAX_PENDING) sock.pause();
  };
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length > 2 * (TCP_MAX_MESSAGE + 2)) {
      sock.destroy(); // a client that does not wait for answers
      return;
    }
    pump();
  });
}

/** Answers one raw query: a reply to send, or undefined to stay silent. Never throws. */
async function handleQuery(
  raw: Buffer, clientIp: string, transport: 'udp' | 'tcp', resolve: ResolveFn, forwarder: Forwarder,
  haveUpstreams: boolean, log: (msg: string) => void,
): Promise<Buffer | undefined> {
  if (raw.length < HEADER_SIZE) return undefined;
  const header = readHeader(raw);
  if (isResponse(header)) return undefined; // never answer answers (reflection loops)
  if (opcodeOf(header) !== 0) return buildHeaderOnlyReply(header, RCODE_NOTIMP);
  let query: Query;
  try {
    query = parseQuery(raw);
  } catch (err) {
    if (err instanceof WireError) return buildHeaderOnlyReply(header, RCODE_FORMERR);
    throw err;
  }
  if (query.edns && query.edns.version > 0) return buildReply(raw, query, { rcode: RCODE_BADVERS });
  const maxSize = transport === 'tcp' ? TCP_MAX_MESSAGE : Math.max(MIN_UDP_SIZE, query.edns?.udpSize ?? 0);

  let answers: Buffer[] | undefined;
  try {
    answers = lookup(query, clientIp, resolve);
  } catch (err) {
    log(`dns: resolving ${query.question.name}: ${(err as Error).message}`);
    return buildReply(raw, query, { rcode: RCODE_SERVFAIL });
  }
  if (answers) return buildReply(raw, query, { rcode: RCODE_NOERROR, answers, maxSize });

  if (!haveUpstreams) return buildReply(raw, query, { rcode: RCODE_NXDOMAIN });
  const reply = await forwarder.forward(raw, transport);
  return reply ?? buildReply(raw, query, { rcode: RCODE_SERVFAIL });
}

/** Our answers for the question ([] = NODATA), or undefined when it is not ours to answer. */
function lookup(query: Query, clientIp: string, resolve: ResolveFn): Buffer[] | undefined {
  const q = query.question;
  if (q.class !== CLASS_IN) return undefined;
  switch (q.type) {
    case TYPE_A:
    case TYPE_AAAA: {
      const type = q.type === TYPE_A ? 'A' : 'AAAA';
      const ips = resolve(clientIp, q.name, type);
      if (ips === undefined) return undefined;
      const make = type === 'A' ? aRecord : aaaaRecord;
      return shuffle(ips.map((ip) => make(ip, RESPONSE_TTL)).filter((r): r is Buffer => r !== undefined));
    }
    case TYPE_PTR: {
      const ip = reverseNameToIp(q.name);
      if (!ip) return undefined;
      const names = resolve(clientIp, ip, 'PTR');
      if (!names || names.length === 0) return undefined;
      const records = names.map((n) => ptrRecord(n, RESPONSE_TTL)).filter((r): r is Buffer => r !== undefined);
      return records.length ? records : undefined;
    }
    case TYPE_MX:
      // A container has no mail exchanger: NODATA for our names, as Docker answers.
      return resolve(clientIp, q.name, 'A') === undefined ? undefined : [];
    default:
      return undefined;
  }
}

/** Round-robin between containers sharing an alias, as Docker shuffles its answers. */
function shuffle<T>(xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}
