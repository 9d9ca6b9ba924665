// Decompression of build contexts, remote contexts and ADD archives: plain, gzip, zstd, bzip2, xz,
// detected by magic as moby's archive.DecompressStream does.
//  - gzip and zstd: node:zlib in-process (common's decompressStream, shared with layer pulls).
//  - bzip2 and xz: the HOST's `bzip2 -d` / `xz -d` (the Debian packages bzip2 and xz-utils),
//    spawned with a fixed argv, as moby does for xz (cmdStream "xz -d -c -q"). npm has no
//    maintained streaming pure-JS decoder for them with few dependencies (unbzip2-stream and
//    seek-bzip are unmaintained; xz decoders are native or wasm). Never anything from a
//    container: the binaries are looked up on the daemon's own PATH.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { decompressStream, detectCompression, invalidParameter } from '../../common/index.ts';

/** Reads at least `n` bytes (or all there is) from the front of `source`; returns them and the whole stream again. */
export async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let len = 0;
  let ended = false;
  while (len < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    chunks.push(r.value);
    len += r.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* stream(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (ended) return;
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } finally {
      await it.return?.();
    }
  }
  return { head, stream: stream() };
}

/** The uncompressed bytes of `source` (plain, gzip, zstd, bzip2 or xz). Corrupt data: InvalidParameter. */
export async function* decompressAny(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const { head, stream } = await peek(source, 6);
  const kind = detectCompression(head);
  if (kind === 'bzip2' || kind === 'xz') yield* hostTool(kind, stream);
  else yield* decompressStream(stream);
}

async function* hostTool(kind: 'bzip2' | 'xz', source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const child = spawn(kind, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  let sourceError: unknown;
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (err) => {
    sourceError = err;
    child.kill('SIGKILL');
  });
  child.stdin.on('error', () => {}); // EPIPE when the tool stops early: its exit status tells
  input.pipe(child.stdin);
  let done = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    done = true;
    if (sourceError !== undefined) throw sourceError;
    if (spawnError) throw invalidParameter(`unsupported compression: ${kind} (the host's ${kind} could not be run: ${spawnError.message})`, spawnError);
    if (code !== 0) throw invalidParameter(`invalid ${kind} data: ${stderr.trim() || `${kind} exited with status ${code}`}`);
  } finally {
    if (!done) child.kill('SIGKILL');
    input.destroy();
  }
}
