// Host ports are reserved by binding a socket on the host address in berthd (never accepting:
// the DNAT rule takes the traffic before any socket sees it). A port someone else holds fails
// the bind, which gives Docker's "port is already allocated" at start instead of a silent clash.
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { systemError } from '../common/index.ts';
import type { PortMapping, PortRequest } from './port-spec.ts';
import { proxyTcp, proxyUdp } from './port-proxy.ts';

/** Where the userland proxy of a mapping sends its traffic (IPv6 host addresses only; port-proxy.ts). */
export type ProxyTarget = (r: PortRequest) => string | undefined;

export interface Reservation {
  mapping: PortMapping;
  close(): void;
}

function bindTcp(host: string, port: number, target?: { host: string; port: number }): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    // An IPv6 address binds IPv6 only: the IPv4 side of the same port is its own mapping.
    server.listen({ host, port, exclusive: true, backlog: target ? 511 : 1, ipv6Only: host.includes(':') }, () => {
      server.removeListener('error', reject);
      server.on('connection', (s) => (target ? proxyTcp(s, target.host, target.port) : s.destroy()));
      server.unref();
      const addr = server.address();
      resolve({ port: typeof addr === 'object' && addr ? addr.port : port, close: () => server.close() });
    });
  });
}

function bindUdp(host: string, port: number, target?: { host: string; port: number }): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const v6 = host.includes(':');
    const sock: Socket = createSocket(v6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.removeListener('error', reject);
      if (target) proxyUdp(sock, target.host, target.port);
      else sock.on('message', () => {});
      sock.unref();
      resolve({ port: sock.address().port, close: () => sock.close() });
    });
  });
}

async function bindOne(proto: string, host: string, port: number, target?: { host: string; port: number }) {
  return proto === 'udp' ? bindUdp(host, port, target) : bindTcp(host, port, target);
}

/**
 * Reserves every request or none: on a failure the ones already bound are released. A request
 * `pairedWith` an earlier one (the [::] side of a default binding) takes the port that one got.
 */
export async function reservePorts(requests: PortRequest[], proxyTarget?: ProxyTarget): Promise<Reservation[]> {
  const done: Reservation[] = [];
  try {
    for (const r of requests) {
      let bound: { port: number; close(): void } | undefined;
      let lastErr: unknown;
      const pair = r.pairedWith !== undefined ? done[r.pairedWith]?.mapping.hostPort : undefined;
      const [first, last] = pair !== undefined ? [pair, pair] : [r.hostPortFirst, r.hostPortLast];
      const targetHost = proxyTarget?.(r);
      const target = targetHost ? { host: targetHost, port: r.containerPort } : undefined;
      for (let p = first; p <= last; p++) {
        try {
          bound = await bindOne(r.proto, r.hostIp, p, target);
          break;
        } catch (err) {
          lastErr = err;
        }
      }
      if (!bound) {
        const code = (lastErr as NodeJS.ErrnoException | undefined)?.code;
        const host = r.hostIp.includes(':') ? `[${r.hostIp}]` : r.hostIp;
        const what = `${host}:${first === last ? first : `${first}-${last}`}`;
        throw systemError(code === 'EADDRINUSE' ? `Bind for ${what} failed: port is already allocated` : `Bind for ${what} failed: ${(lastErr as Error)?.message}`);
      }
      done.push({ mapping: { proto: r.proto, containerPort: r.containerPort, hostIp: r.hostIp, hostPort: bound.port }, close: bound.close });
    }
    return done;
  } catch (err) {
    for (const d of done) d.close();
    throw err;
  }
}
