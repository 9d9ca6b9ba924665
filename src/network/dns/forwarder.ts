// Forwards queries the embedded server cannot answer to the host's upstream resolvers, as
// Docker's resolver does: each upstream in turn, over the client's transport, with a timeout;
// SERVFAIL/REFUSED or a failure moves on to the next one. A query gets a fresh random ID and a
// fresh socket per attempt, and only a reply from that upstream with that ID is accepted.
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import {
  HEADER_SIZE, RCODE_REFUSED, RCODE_SERVFAIL, WireError, isResponse, rcodeOf, readHeader,
} from './wire.ts';

export interface Upstream {
  host: string;
  port: number;
}

/** Parses '1.2.3.4', '1.2.3.4:5353', '::1', '[::1]:5353'. */
export function parseUpstream(s: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (bracketed) return checked(bracketed[1]!, bracketed[2], s);
  if (isIP(s) === 6) return { host: s, port: 53 };
  const colon = s.lastIndexOf(':');
  if (colon > 0 && isIP(s.slice(0, colon)) === 4) return checked(s.slice(0, colon), s.slice(colon + 1), s);
  return checked(s, undefined, s);
}

function checked(host: string, port: string | undefined, original: string): Upstream {
  const p = port === undefined ? 53 : Number(port);
  if (!isIP(host) || !Number.isInteger(p) || p < 1 || p > 65535 || (port !== undefined && !/^\d+$/.test(port))) {
    throw new Error(`invalid DNS upstream: ${original}`);
  }
  return { host, port: p };
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  timeoutMs: number;
  /** Queries in flight at once; more are answered SERVFAIL at once (Docker's cap is 100). */
  maxConcurrent: number;
  log: (msg: string) => void;
}

export interface Forwarder {
  /** The upstream's reply with the client's ID restored, or undefined when every upstream failed. */
  forward(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined>;
  /** Aborts the queries in flight (their callers get undefined). */
  close(): void;
}

export function createForwarder(opts: ForwarderOptions): Forwarder {
  let inFlight = 0;
  let warned = false;
  const aborts = new Set<AbortController>();
  return {
    async forward(query, transport) {
      if (opts.upstreams.length === 0) return undefined;
      if (inFlight >= opts.maxConcurrent) {
        if (!warned) opts.log(`dns: more than ${opts.maxConcurrent} concurrent queries to upstream servers`);
        warned = true;
        return undefined;
      }
      inFlight++;
      const ac = new AbortController();
      aborts.add(ac);
      try {
        for (const up of opts.upstreams) {
          if (ac.signal.aborted) return undefined;
          const id = randomInt(0, 0x10000);
          const out = Buffer.from(query);
          out.writeUInt16BE(id, 0);
          try {
            const reply = transport === 'tcp'
              ? await exchangeTcp(up, out, id, opts.timeoutMs, ac.signal)
              : await exchangeUdp(up, out, id, opts.timeoutMs, ac.signal);
            const rcode = rcodeOf(readHeader(reply));
            if (rcode === RCODE_SERVFAIL || rcode === RCODE_REFUSED) {
              opts.log(`dns: upstream ${transport}:${up.host}:${up.port} answered rcode ${rcode}`);
              continue;
            }
            reply.writeUInt16BE(query.readUInt16BE(0), 0);
            return reply;
          } catch (err) {
            opts.log(`dns: upstream ${transport}:${up.host}:${up.port}: ${(err as Error).message}`);
          }
        }
        return undefined;
      } finally {
        inFlight--;
        aborts.delete(ac);
        if (inFlight < opts.maxConcurrent) warned = false;
      }
    },
    close() {
      for (const ac of aborts) ac.abort();
    },
  };
}

/** True when `reply` answers the query we sent with `id` (spoofed or stray packets are ignored). */
function matches(reply: Buffer, id: number): boolean {
  if (reply.length < HEADER_SIZE) return false;
  const h = readHeader(reply);
  return h.id === id && isResponse(h);
}

type Settle = (err: Error | undefined, reply?: Buffer) => void;

/** One exchange with an upstream: settles once (reply, error, timeout or abort), then closes the socket. */
function exchange(timeoutMs: number, signal: AbortSignal, run: (done: Settle) => () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let finished = false;
    let close = (): void => {};
    const done: Settle = (err, reply) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      close();
      if (err) reject(err);
      else resolve(reply!);
    };
    const onAbort = (): void => done(new Error('aborted'));
    const timer = setTimeout(() => done(new Error('timeout')), timeoutMs);
    signal.addEventListener('abort', onAbort);
    close = run(done);
  });
}

function exchangeUdp(up: Upstream, query: Buffer, id: number, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  return exchange(timeoutMs, signal, (done) => {
    const sock = createSocket(isIP(up.host) === 6 ? 'udp6' : 'udp4');
    sock.on('error', (err) => done(err));
    sock.on('message', (msg) => {
      if (matches(msg, id)) done(undefined, msg);
    });
    // connect() makes the kernel drop datagrams from any other address and port.
    sock.connect(up.port, up.host, () => sock.send(query));
    return () => sock.close();
  });
}

function exchangeTcp(up: Upstream, query: Buffer, id: number, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
  return exchange(timeoutMs, signal, (done) => {
    const sock = connect({ host: up.host, port: up.port });
    let buf = Buffer.alloc(0);
    sock.on('error', (err) => done(err));
    sock.on('close', () => done(new Error('connection closed before a reply')));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) return;
        const msg = buf.subarray(2, 2 + n);
        buf = buf.subarray(2 + n);
        if (matches(msg, id)) return done(undefined, Buffer.from(msg));
        if (msg.length >= HEADER_SIZE) continue;
        return done(new WireError('short reply'));
      }
    });
    return () => sock.destroy();
  });
}
