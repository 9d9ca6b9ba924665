// Layer blobs arrive gzip- or zstd-compressed (or plain). Decompression is done in-process with
// node:zlib; nothing from a container (its xz, its bzip2) is ever run (DESIGN.md decision 5).
import { Readable, pipeline } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { invalidParameter } from '../errors.ts';

export type Compression = 'gzip' | 'zstd' | 'bzip2' | 'xz' | 'none';

const DECOMPRESS_CHUNK = 256 * 1024;
const READ_AHEAD = 1024 * 1024;

const startsWith = (b: Uint8Array, magic: number[]) => magic.every((m, i) => b[i] === m);

/** The compression of a stream from its first bytes (6 are enough). */
export function detectCompression(head: Uint8Array): Compression {
  if (startsWith(head, [0x1f, 0x8b, 0x08])) return 'gzip';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(head, [0x42, 0x5a, 0x68])) return 'bzip2';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  return 'none';
}

/**
 * Detects the compression of `source` and yields the uncompressed bytes. bzip2 and xz give an
 * "unsupported compression" error; corrupt data gives an invalidParameter error. Errors thrown
 * by `source` itself come through unchanged.
 */
export async function* decompressStream(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLen = 0;
  let ended = false;
  try {
    while (headLen < 6) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      headLen += r.value.length;
    }
  } catch (err) {
    await it.return?.();
    throw err;
  }
  const kind = detectCompression(Buffer.concat(head));
  if (kind === 'bzip2' || kind === 'xz') {
    if (!ended) await it.return?.();
    throw invalidParameter(`unsupported compression: ${kind} (only gzip and zstd layers are accepted)`);
  }

  let sourceError: unknown;
  const rest = async function* (): AsyncGenerator<Uint8Array> {
    yield* head;
    if (ended) return;
    try {
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    } catch (err) {
      sourceError = err;
      throw err;
    } finally {
      await it.return?.();
    }
  };
  if (kind === 'none') {
    yield* rest();
    return;
  }

  // 256 KiB output chunks instead of zlib's 16 KiB: each chunk crosses several async
  // iterators downstream (tar reader, hashing), so fewer chunks is several times faster.
  // The decoder runs up to READ_AHEAD ahead of the consumer (zlib works in the thread pool
  // meanwhile) instead of waiting for each chunk to be taken.
  const opts = { chunkSize: DECOMPRESS_CHUNK, readableHighWaterMark: READ_AHEAD };
  const decoder = kind === 'gzip' ? createGunzip(opts) : createZstdDecompress(opts);
  const input = Readable.from(rest(), { objectMode: false });
  pipeline(input, decoder, () => {});
  try {
    for await (const chunk of decoder) yield chunk as Buffer;
  } catch (err) {
    if (sourceError !== undefined) throw sourceError;
    throw invalidParameter(`invalid ${kind} data: ${(err as Error).message}`, err);
  } finally {
    input.destroy();
    decoder.destroy();
  }
}
