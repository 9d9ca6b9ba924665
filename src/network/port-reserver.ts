// Host ports are reserved by binding a socket on the host address in berthd (never accepting:
// the DNAT rule takes the traffic before any socket sees it). A port someone else holds fails
// the bind, which gives Docker's "port is already allocated" at start instead of a silent clash.
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';
import { systemError } from '../common/index.ts';
import type { PortMapping, PortRequest } from './port-spec.ts';

export interface Reservation {
  mapping: PortMapping;
  close(): void;
}

function bindTcp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
      server.removeListener('error', reject);
      server.on('connection', (s) => s.destroy());
      server.unref();
      const addr = server.address();
      resolve({ port: typeof addr === 'object' && addr ? addr.port : port, close: () => server.close() });
    });
  });
}

function bindUdp(host: string, port: number): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    const sock: Socket = createSocket({ type: 'udp4' });
    sock.once('error', reject);
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.removeListener('error', reject);
      sock.on('message', () => {});
      sock.unref();
      resolve({ port: sock.address().port, close: () => sock.close() });
    });
  });
}

async function bindOne(proto: string, host: string, port: number) {
  return proto === 'udp' ? bindUdp(host, port) : bindTcp(host, port);
}

/** Reserves every request or none: on a failure the ones already bound are released. */
export async function reservePorts(requests: PortRequest[]): Promise<Reservation[]> {
  const done: Reservation[] = [];
  try {
    for (const r of requests) {
      let bound: { port: number; close(): void } | undefined;
      let lastErr: unknown;
      for (let p = r.hostPortFirst; p <= r.hostPortLast; p++) {
        try {
          bound = await bindOne(r.proto, r.hostIp, p);
          break;
        } catch (err) {
          lastErr = err;
        }
      }
      if (!bound) {
        const code = (lastErr as NodeJS.ErrnoException | undefined)?.code;
        const what = `${r.hostIp}:${r.hostPortFirst === r.hostPortLast ? r.hostPortFirst : `${r.hostPortFirst}-${r.hostPortLast}`}`;
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
