// The HTTP upgrade hijack used by attach and exec start: the connection stops being HTTP
// after a `101 UPGRADED` (or, for clients that did not ask to upgrade, after a 200 with the
// raw-stream content type) and carries the container's stdio both ways.
import type { Duplex } from 'node:stream';

const RAW_STREAM = 'application/vnd.docker.raw-stream';
const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

export function writeUpgradeResponse(socket: Duplex, upgrade: boolean, multiplexed: boolean): void {
  const contentType = multiplexed ? MULTIPLEXED_STREAM : RAW_STREAM;
  if (upgrade) {
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  } else {
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n\r\n`);
  }
}
