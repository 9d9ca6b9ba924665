// A container's output from its attach stream (foreground `up`: only what is written from now
// on) into the log consumer; the logs endpoint's counterpart is logs/container-logs.ts.
import type { Readable } from 'node:stream';
import type { ApiClient } from '../../common/index.ts';
import { pipeContainerOutput } from '../logs/container-logs.ts';
import type { LogConsumer } from '../logs/log-consumer.ts';

/**
 * Attaches to the container's stdout/stderr (resolves once attached, so nothing written after
 * a later start is lost) and returns the pump that prints until the stream ends.
 */
export async function openAttach(client: ApiClient, t: { id: string; name: string }, consumer: LogConsumer): Promise<() => Promise<void>> {
  const i = await client.json<{ Config: { Tty?: boolean } }>('GET', `/containers/${encodeURIComponent(t.id)}/json`);
  const conn = await client.hijack(`/containers/${encodeURIComponent(t.id)}/attach`, { query: { stream: 1, stdout: 1, stderr: 1 } });
  async function* body(): AsyncIterable<Uint8Array> {
    if (conn.head.length) yield conn.head;
    try {
      for await (const chunk of conn.socket as unknown as Readable) yield chunk as Uint8Array;
    } catch {
      /* the connection dropped: what came is printed */
    }
  }
  return () => pipeContainerOutput(consumer, t.name, body(), !!i.Config.Tty);
}
