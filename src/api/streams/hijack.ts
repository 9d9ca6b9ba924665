// The HTTP upgrade hijack used by attach and exec start: the connection stops being HTTP
// after a `101 UPGRADED` (or, for clients that did not ask to upgrade, after a 200 with the
// raw-stream content type) and carries the container's stdio both ways. Byte for byte as moby's
// postContainersAttach and postContainerExecStart write it.
import type { Duplex } from 'node:stream';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

/**
 * `multiplexedType`: say multiplexed-stream (API 1.42+, no TTY) on an upgrade; a client that
 * did not ask to upgrade always gets raw-stream, whatever the framing. `headers` (exec start
 * only) are written after the fixed ones, sorted by name as Go's Header.WriteSubset does.
 */
export function writeUpgradeResponse(socket: Duplex, upgrade: boolean, multiplexedType: boolean, headers: Record<string, string> = {}): void {
  let head = upgrade
    ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${multiplexedType ? MULTIPLEXED_STREAM : RAW_STREAM}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
    : `HTTP/1.1 200 OK\r\nContent-Type: ${RAW_STREAM}\r\n`;
  for (const k of Object.keys(headers).sort()) head += `${k}: ${headers[k]}\r\n`;
  socket.write(`${head}\r\n`);
}
