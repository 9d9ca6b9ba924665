// `berth build -`: the context from stdin, as docker/cli's build.GetContextFromReader: an archive
// (a tar, or a compressed one: the daemon decompresses it) goes to the daemon as it comes; any
// other input is a Dockerfile, sent as the only file of a context, named "Dockerfile".
import { Readable } from 'node:stream';
import { computeChecksum, detectCompression, TarWriter } from '../../../common/index.ts';
import { StatusError } from '../../framework/types.ts';

/** Bytes peeked to tell an archive from a Dockerfile (one tar block, as docker). */
const HEADER_SIZE = 512;
/** A Dockerfile on stdin is held in memory to be put in a tar: bounded. */
const MAX_STDIN_DOCKERFILE = 16 * 1024 * 1024;

/** archive.IsArchive: a compression magic, or a first block that is a valid tar header. */
export function isArchive(head: Uint8Array): boolean {
  if (detectCompression(head) !== 'none') return true;
  if (head.length < HEADER_SIZE) return false;
  const text = Buffer.from(head.subarray(148, 156)).toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (!/^[0-7]+$/.test(text)) return false;
  return parseInt(text, 8) === computeChecksum(head.subarray(0, HEADER_SIZE));
}

export interface StdinContext {
  body: Readable;
  /** ?dockerfile=: the -f name for an archive, "Dockerfile" for a Dockerfile. */
  dockerfile: string;
  /** Bytes sent so far (for "Sending build context"). */
  size(): number;
}

/** Reads the head of stdin and builds the context to send. */
export async function contextFromStdin(stdin: NodeJS.ReadableStream, dockerfileName: string): Promise<StdinContext> {
  const it = (stdin as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLen = 0;
  let ended = false;
  while (headLen < HEADER_SIZE) {
    const next = await it.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.from(next.value);
    head.push(chunk);
    headLen += chunk.length;
  }
  const first = Buffer.concat(head);
  let sent = 0;
  if (isArchive(first)) {
    async function* all(): AsyncGenerator<Buffer> {
      sent += first.length;
      yield first;
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        const chunk = Buffer.from(next.value);
        sent += chunk.length;
        yield chunk;
      }
    }
    return { body: Readable.from(all(), { objectMode: false }), dockerfile: dockerfileName, size: () => sent };
  }
  if (dockerfileName === '-') throw new StatusError(1, 'unable to prepare context: build context is not an archive');
  const parts = [first];
  let total = first.length;
  while (!ended) {
    const next = await it.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value);
    total += chunk.length;
    if (total > MAX_STDIN_DOCKERFILE) throw new StatusError(1, 'unable to prepare context: the Dockerfile on stdin is larger than 16MiB');
    parts.push(chunk);
  }
  const content = Buffer.concat(parts);
  const tar = new TarWriter();
  const writing = (async () => {
    await tar.addFile({ name: 'Dockerfile', mode: 0o600, size: content.length, mtime: Math.floor(Date.now() / 1000) }, content);
    await tar.finish();
  })();
  writing.catch((err: Error) => tar.readable.destroy(err));
  const counted = Readable.from((async function* () {
    for await (const chunk of tar.readable as AsyncIterable<Buffer>) {
      sent += chunk.length;
      yield chunk;
    }
  })(), { objectMode: false });
  return { body: counted, dockerfile: 'Dockerfile', size: () => sent };
}
