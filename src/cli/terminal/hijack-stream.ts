// Copies the user's stdio to and from a hijacked attach/exec connection, as docker's
// hijackedIOStreamer: raw bytes with a TTY, the 8-byte multiplexed frames without; stdin's end
// half-closes the connection; with a TTY the detach keys end the session.
import type { HijackedConnection } from '../framework/types.ts';
import { Demuxer } from '../../common/index.ts';
import { DetachScanner, detachKeysOrDefault } from './detach-keys.ts';
import { makeRaw } from './raw-mode.ts';

export interface StreamOptions {
  conn: HijackedConnection;
  tty: boolean;
  /** Where container input comes from; omitted when stdin is not attached. */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** The --detach-keys / config.json value ('' for ctrl-p,ctrl-q). */
  detachKeys: string;
}

export type StreamEnd = 'done' | 'detached';

/** Error text docker prints when `attach` ends by the detach keys. */
export const ESCAPE_MESSAGE = 'read escape sequence';

export function streamHijacked(o: StreamOptions): Promise<StreamEnd> {
  const { socket } = o.conn;
  const raw = o.stdin && o.tty ? makeRaw(o.stdin) : { restore() {} };
  const scanner = o.stdin && o.tty ? new DetachScanner(detachKeysOrDefault(o.detachKeys)) : undefined;
  const wantsOutput = Boolean(o.stdout || o.stderr);

  return new Promise<StreamEnd>((resolve) => {
    let finished = false;
    let detached = false;
    const finish = (how: StreamEnd) => {
      if (finished) return;
      finished = true;
      stopInput();
      raw.restore();
      socket.removeListener('data', onData);
      resolve(how);
    };

    // ---- output -------------------------------------------------------------------------
    const demux = o.tty ? undefined : new Demuxer();
    const write = (target: NodeJS.WritableStream | undefined, data: Buffer) => {
      if (!target || data.length === 0) return;
      if (!target.write(data)) {
        socket.pause();
        target.once('drain', () => socket.resume());
      }
    };
    const onData = (chunk: Buffer) => {
      if (!demux) {
        write(o.stdout, chunk);
        return;
      }
      for (const f of demux.push(chunk)) {
        if (f.stream === 1) write(o.stdout, f.data);
        else if (f.stream === 2 || f.stream === 3) write(o.stderr, f.data);
      }
    };
    if (o.conn.head.length) onData(o.conn.head);
    socket.on('data', onData);
    const outputEnded = () => {
      raw.restore();
      finish(detached ? 'detached' : 'done');
    };
    socket.once('end', outputEnded);
    socket.once('close', outputEnded);
    socket.on('error', () => outputEnded());
    if (!wantsOutput) socket.resume();

    // ---- input --------------------------------------------------------------------------
    let stopInput = () => {};
    const stdin = o.stdin;
    if (stdin) {
      const onInput = (chunk: Buffer | string) => {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        if (!scanner) {
          socket.write(buf);
          return;
        }
        const { forward, detached: hit } = scanner.push(buf);
        // The keys go on to the daemon too: it ends the attach there without closing the
        // container's stdin, which a dropped connection would do.
        if (forward.length) socket.write(forward);
        if (hit) {
          detached = true;
          stopInput();
          raw.restore();
          // Should the daemon not end the stream, don't wait for ever.
          setTimeout(() => {
            socket.destroy();
            finish('detached');
          }, 2000).unref();
        }
      };
      const onEnd = () => {
        stopInput();
        // EOF on stdin: half-close, the output keeps coming.
        if (!socket.writableEnded) socket.end();
        if (!wantsOutput) finish('done');
      };
      stdin.on('data', onInput);
      stdin.once('end', onEnd);
      stdin.resume();
      stopInput = () => {
        stdin.removeListener('data', onInput);
        stdin.removeListener('end', onEnd);
        stdin.pause();
      };
    }
  });
}
