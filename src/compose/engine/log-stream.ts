// A container's output into the log printer: from the attach stream (foreground `up`: only what
// is written from now on) or from the logs endpoint (`logs`, with follow/tail/since/timestamps).
// Non-TTY streams are multiplexed (8-byte frame headers); TTY streams are raw.
import type { Readable } from 'node:stream';
import { Demuxer, type ApiClient } from '../../common/index.ts';
import type { LogPrinter } from './log-printer.ts';

export interface LogTarget {
  id: string;
  /** The prefix: the container's name ('web-1' style names are what compose prints). */
  name: string;
  /** The container has a TTY (raw stream); looked up when absent. */
  tty?: boolean;
}

async function isTty(client: ApiClient, t: LogTarget): Promise<boolean> {
  if (t.tty !== undefined) return t.tty;
  const i = await client.json<{ Config: { Tty?: boolean } }>('GET', `/containers/${encodeURIComponent(t.id)}/json`);
  return !!i.Config.Tty;
}

async function pump(stream: AsyncIterable<Buffer | string>, head: Buffer, tty: boolean, name: string, printer: LogPrinter): Promise<void> {
  const demux = tty ? undefined : new Demuxer();
  const feed = (chunk: Buffer) => {
    if (!demux) {
      printer.out(name, chunk.toString());
      return;
    }
    for (const f of demux.push(chunk)) printer.out(name, f.data.toString(), f.stream === 2 ? 'stderr' : 'stdout');
  };
  if (head.length) feed(head);
  try {
    for await (const chunk of stream) feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch {
    /* the connection dropped: what came is printed */
  }
  printer.flush(name);
}

/** Attaches to the container's stdout/stderr and prints until the stream ends (the container stopped). */
export async function attachOutput(client: ApiClient, t: LogTarget, printer: LogPrinter, signal?: AbortSignal): Promise<void> {
  const tty = await isTty(client, t);
  const conn = await client.hijack(`/containers/${encodeURIComponent(t.id)}/attach`, { query: { stream: 1, stdout: 1, stderr: 1 }, signal });
  const onAbort = () => conn.socket.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await pump(conn.socket as unknown as Readable, conn.head, tty, t.name, printer);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export interface LogQuery {
  follow?: boolean;
  /** 'all' or a number of lines. */
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
}

/** GET /containers/{id}/logs into the printer (for `compose logs`). */
export async function streamContainerLogs(client: ApiClient, t: LogTarget, printer: LogPrinter, q: LogQuery = {}, signal?: AbortSignal): Promise<void> {
  const tty = await isTty(client, t);
  printer.register(t.name);
  const res = await client.call('GET', `/containers/${encodeURIComponent(t.id)}/logs`, {
    query: { stdout: 1, stderr: 1, follow: q.follow ? 1 : undefined, tail: q.tail, since: q.since, until: q.until, timestamps: q.timestamps ? 1 : undefined },
    signal,
  });
  await pump(res.body, Buffer.alloc(0), tty, t.name, printer);
}
