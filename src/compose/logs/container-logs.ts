// A container's output as log lines for the LogConsumer: the daemon's log or attach stream,
// demultiplexed (unless the container has a TTY), cut into lines as compose's utils.GetWriter
// does (a partial last line is printed when the stream ends).
import type { ApiClient } from '../../common/index.ts';
import { Demuxer, STDERR } from '../../common/index.ts';
import type { ContainerSummary } from '../containers.ts';
import { containerName } from '../containers.ts';
import { LABEL } from '../labels.ts';
import type { LogConsumer } from './log-consumer.ts';

/**
 * The name compose shows for a container: its name without the `<project>-` in front when it has
 * compose's default name (`web-1`, `web-run-0a1b2c3d4e5f`), else its own (container_name).
 */
export function containerDisplayName(c: Pick<ContainerSummary, 'Names' | 'Labels'>): string {
  const name = containerName(c as ContainerSummary);
  const project = c.Labels[LABEL.project];
  if (!project || !name.startsWith(`${project}-${c.Labels[LABEL.service] ?? ''}-`)) return name;
  return name.slice(project.length + 1);
}

/** Cuts a byte stream into lines (without the \n), keeping an unfinished line for the next chunk. */
class LineSplitter {
  private pending = '';
  private readonly decoder = new TextDecoder();
  private readonly emit: (line: string) => void;
  constructor(emit: (line: string) => void) {
    this.emit = emit;
  }
  push(data: Uint8Array): void {
    this.pending += this.decoder.decode(data, { stream: true });
    let nl;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      this.emit(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
    }
  }
  end(): void {
    this.pending += this.decoder.decode();
    if (this.pending) this.emit(this.pending);
    this.pending = '';
  }
}

/**
 * Prints a container's output stream (logs or attach) through the consumer under `name`:
 * multiplexed frames go to log/err by stream; a TTY container's raw bytes all go to log.
 */
export async function pipeContainerOutput(consumer: LogConsumer, name: string, body: AsyncIterable<Uint8Array>, tty: boolean): Promise<void> {
  const out = new LineSplitter((line) => consumer.log(name, line));
  const err = new LineSplitter((line) => consumer.err(name, line));
  const demux = new Demuxer();
  try {
    for await (const chunk of body) {
      if (tty) {
        out.push(chunk);
        continue;
      }
      for (const frame of demux.push(chunk)) (frame.stream === STDERR ? err : out).push(frame.data);
    }
  } finally {
    out.end();
    err.end();
  }
}

export interface ContainerLogOptions {
  follow?: boolean;
  /** The API's since/until values (seconds, as the CLI's getTimestamp makes them). */
  since?: string;
  until?: string;
  /** 'all' or a number of lines. */
  tail?: string;
  /** The daemon puts its timestamp in front of each line. */
  timestamps?: boolean;
  signal?: AbortSignal;
}

/** GET /containers/{id}/logs of one project container, printed through the consumer. */
export async function streamContainerLogs(client: ApiClient, c: ContainerSummary, consumer: LogConsumer, opts: ContainerLogOptions = {}): Promise<void> {
  const id = encodeURIComponent(c.Id);
  const inspect = await client.json<{ Config?: { Tty?: boolean } }>('GET', `/containers/${id}/json`, { signal: opts.signal });
  const res = await client.call('GET', `/containers/${id}/logs`, {
    query: {
      stdout: '1',
      stderr: '1',
      follow: opts.follow ? '1' : undefined,
      since: opts.since || undefined,
      until: opts.until || undefined,
      tail: opts.tail || 'all',
      timestamps: opts.timestamps ? '1' : undefined,
    },
    signal: opts.signal,
  });
  const tty = Boolean(inspect.Config?.Tty) || String(res.headers['content-type'] ?? '').includes('raw-stream');
  await pipeContainerOutput(consumer, containerDisplayName(c), res.body, tty);
}
