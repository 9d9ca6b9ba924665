// The userland proxy for published ports on IPv6 host addresses. DNAT cannot take traffic to
// [::1] (the kernel never routes a loopback source out of lo, and IPv6 has no route_localnet),
// and a container without IPv6 has no address an ip6tables DNAT could send to: as dockerd's
// docker-proxy, the socket that reserves the host port forwards what reaches it to the
// container. Hand-written: a few lines over node:net and node:dgram, and no package offers a
// proxy that binds the reserving socket itself.
import { connect, type Socket as TcpSocket } from 'node:net';
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';

/** Pipes one accepted connection to the container, both ways; either side's end or error ends both. */
export function proxyTcp(client: TcpSocket, host: string, port: number): void {
  const upstream = connect({ host, port });
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.pipe(upstream);
  upstream.pipe(client);
}

const UDP_IDLE_MS = 30_000;
const UDP_MAX_FLOWS = 1024;

/** Relays datagrams between the clients of `front` and the container, one upstream socket per client. */
export function proxyUdp(front: UdpSocket, host: string, port: number): void {
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  const family = host.includes(':') ? 'udp6' : 'udp4';
  const drop = (key: string) => {
    const f = flows.get(key);
    if (!f) return;
    flows.delete(key);
    clearTimeout(f.timer);
    f.sock.close();
  };
  front.on('message', (msg: Buffer, rinfo: RemoteInfo) => {
    const key = `[${rinfo.address}]:${rinfo.port}`;
    let f = flows.get(key);
    if (!f) {
      if (flows.size >= UDP_MAX_FLOWS) drop(flows.keys().next().value!);
      const sock = createSocket(family);
      sock.on('message', (reply) => front.send(reply, rinfo.port, rinfo.address));
      sock.on('error', () => drop(key));
      f = { sock, timer: setTimeout(() => drop(key), UDP_IDLE_MS).unref() };
      flows.set(key, f);
    }
    f.timer.refresh();
    f.sock.send(msg, port, host);
  });
  front.on('close', () => {
    for (const key of [...flows.keys()]) drop(key);
  });
}
