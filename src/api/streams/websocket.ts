// The websocket side of GET /containers/{id}/attach/ws, on the `ws` package (the framing is
// not hand-written). As moby's wsContainersAttach (a golang.org/x/net/websocket Server, which
// checks no Origin): the container's output goes out as it comes, never multiplexed (binary
// frames from API 1.28, text before), client messages are the container's stdin, and the end
// of the attach closes with a normal (1000) close frame.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';

let server: WebSocketServer | undefined;

/** x/net/websocket's answer to a request that is not a websocket handshake: a bare 400, its reason, close. */
export const NOT_WEBSOCKET_REPLY = 'HTTP/1.1 400 Bad Request\r\n\r\nnot websocket protocol';

/**
 * Completes the websocket handshake on an upgraded connection and returns a byte stream over
 * it (one message per write); undefined when the handshake was refused (already answered).
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, opts: { textFrames: boolean }): Promise<Duplex | undefined> {
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || !/upgrade/i.test(req.headers.connection ?? '')) {
    socket.end(NOT_WEBSOCKET_REPLY);
    return Promise.resolve(undefined);
  }
  server ??= new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 1 << 20 });
  const wss = server;
  return new Promise((resolve) => {
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      // The stream's end closes the websocket with a code (x/net sends 1000), not an empty close frame.
      const close = ws.close.bind(ws);
      ws.close = (code?: number, reason?: string | Buffer) => close(code ?? 1000, reason);
      const stream = createWebSocketStream(ws);
      if (opts.textFrames) {
        // API < 1.28: dockerd sent text frames.
        stream._write = (chunk: Buffer, _enc, cb) => {
          if (ws.readyState !== ws.OPEN) return cb();
          ws.send(chunk.toString('utf8'), { binary: false }, cb);
        };
      }
      stream.on('error', () => {});
      resolve(stream);
    });
  });
}
