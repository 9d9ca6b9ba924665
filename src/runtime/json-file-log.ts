// Reader for the logs berth-shim writes: json-file (one JSON object per line) and local
// (moby's framed protobuf records), rotated as FILE.(N-1) ... FILE.1, FILE (oldest to newest),
// rotated files perhaps gzip-compressed (FILE.1.gz). Logs can be large: files are read in
// chunks and decoded in batches (a generator step per record costs more than decoding it), the
// tail is found by scanning backwards, compressed files are streamed through gunzip, and
// nothing reads a whole file into memory.
import { createReadStream, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createGunzip } from 'node:zlib';
import { isErrno, nowNs } from '../common/index.ts';
import { codecFor, jsonFileCodec, type LogCodec, type LogEntry, type LogFormat } from './log-codecs.ts';

export type { LogEntry, LogFormat } from './log-codecs.ts';
export { parseLogLine } from './log-codecs.ts';

export interface ReadLogsOptions {
  /** json-file (default) or local. */
  format?: LogFormat;
  /** Only entries at or after this time (ns since the epoch). */
  since?: bigint;
  /** Only entries at or before this time; reading stops at the first later one. */
  until?: bigint;
  /** Lines from the end, counted across rotated files before since/until apply; -1 = all. */
  tail?: number;
  follow: boolean;
  signal?: AbortSignal;
  /** How many files rotation keeps (FILE plus FILE.1..FILE.(maxFile-1)); probed if absent. */
  maxFile?: number;
  /** Follow ends once this says the writer is done and the file is drained. */
  stopWhen?: () => boolean;
  /** Poll interval behind fs.watch, in ms. */
  pollMs?: number;
  /**
   * The consumer is done with a batch (and the entries' buffers) when it asks for the next:
   * buffers are reused. Only for consumers that copy what they keep.
   */
  recycle?: boolean;
}

const CHUNK = 64 * 1024;
const MAX_PROBE = 1000;

/** The log files that exist, oldest first, ending with `path` itself (FILE.N or FILE.N.gz). */
export async function logFiles(path: string, maxFile?: number): Promise<string[]> {
  const rotated: string[] = [];
  const limit = maxFile !== undefined ? Math.max(0, Math.trunc(maxFile) - 1) : MAX_PROBE;
  for (let i = 1; i <= limit; i++) {
    // While the shim compresses FILE.i both may exist for a moment: the plain one is whole.
    const p = `${path}.${i}`;
    if (await exists(p)) rotated.push(p);
    else if (await exists(`${p}.gz`)) rotated.push(`${p}.gz`);
    else if (maxFile === undefined) break;
  }
  return [...rotated.reverse(), path];
}

/** Where the last `need` json-file lines of a file start (kept for callers of the old API). */
export function tailStart(fh: FileHandle, size: number, need: number): Promise<{ offset: number; count: number }> {
  return jsonFileCodec.tailStart(fh, size, need);
}

type Segment =
  | { kind: 'file'; fh: FileHandle; start: number; current: boolean }
  | { kind: 'gz'; path: string; skip: number };

/** One entry at a time (see readLogBatches). */
export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  for await (const batch of readLogBatches(path, opts)) yield* batch;
}

/** The log's entries in batches (in order, never empty), filtered by since/until. */
export async function* readLogBatches(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry[]> {
  const { since, until, signal } = opts;
  const codec = codecFor(opts.format ?? 'json-file');
  const tail = opts.tail === undefined || opts.tail < 0 ? -1 : Math.trunc(opts.tail);
  const pollMs = opts.pollMs ?? 250;
  const segments: Segment[] = [];
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let dirty = false;
  const notify = () => {
    dirty = true;
    wake?.();
  };
  signal?.addEventListener('abort', notify);
  let stop = false;
  // The batch's entries that pass since/until; sets `stop` once past until.
  const filter = (batch: LogEntry[]): LogEntry[] => {
    if (since === undefined && until === undefined) return batch;
    const out: LogEntry[] = [];
    for (const e of batch) {
      if (until !== undefined && e.timeNs > until) {
        stop = true;
        break;
      }
      if (since !== undefined && e.timeNs < since) continue;
      out.push(e);
    }
    return out;
  };

  try {
    if (signal?.aborted) return;
    if (opts.follow) {
      // Watch the directory: it sees writes, and the rename and re-creation on rotation.
      try {
        const base = basename(path);
        watcher = watch(dirname(path), { persistent: false }, (_ev, name) => {
          if (name === null || String(name).startsWith(base)) notify();
        });
        watcher.on('error', () => {
          watcher?.close();
          watcher = undefined;
        });
      } catch {
        watcher = undefined; // polling alone still works
      }
    }

    // Open every plain file up front, newest first, so a rotation while we read changes nothing.
    const files = await logFiles(path, opts.maxFile);
    const found: Array<{ fh: FileHandle; size: number; current: boolean } | { gz: string }> = [];
    for (let i = files.length - 1; i >= 0; i--) {
      if (files[i].endsWith('.gz') && files[i] !== path) {
        found.push({ gz: files[i] });
        continue;
      }
      const fh = await open(files[i], 'r').catch((e: unknown) => {
        if (isErrno(e, 'ENOENT')) return undefined;
        throw e;
      });
      if (!fh) continue;
      found.push({ fh, size: (await fh.stat()).size, current: files[i] === path });
    }
    // Pick where each file starts: the tail counts records from the newest backwards.
    let need = tail;
    for (const h of found) {
      if ('gz' in h) {
        if (need === 0) continue;
        if (need < 0) segments.push({ kind: 'gz', path: h.gz, skip: 0 });
        else {
          const total = await countGz(h.gz, codec);
          const take = Math.min(total, need);
          need -= take;
          segments.push({ kind: 'gz', path: h.gz, skip: total - take });
        }
        continue;
      }
      if (need === 0) {
        if (h.current) segments.push({ kind: 'file', fh: h.fh, start: h.size, current: true });
        else await h.fh.close();
        continue;
      }
      if (need < 0) {
        segments.push({ kind: 'file', fh: h.fh, start: 0, current: h.current });
        continue;
      }
      const { offset, count } = await codec.tailStart(h.fh, h.size, need);
      need -= count;
      segments.push({ kind: 'file', fh: h.fh, start: offset, current: h.current });
    }
    segments.reverse(); // oldest first

    let live: { reader: RecordReader; ino: number } | undefined;
    for (const seg of segments) {
      if (seg.kind === 'gz') {
        for await (const batch of gzBatches(seg.path, codec, seg.skip)) {
          const out = filter(batch);
          if (out.length) yield out;
          if (stop || signal?.aborted) return;
        }
        continue;
      }
      const reader = new RecordReader(seg.fh, seg.start, codec, opts.recycle);
      for await (const batch of reader.batches(!(seg.current && opts.follow))) {
        const out = filter(batch);
        if (out.length) yield out;
        if (stop || signal?.aborted) return;
      }
      if (seg.current && opts.follow) {
        live = { reader, ino: (await seg.fh.stat()).ino };
        segments.splice(segments.indexOf(seg), 1); // closed by the follow loop instead
        break;
      }
    }
    if (!opts.follow) return;

    // ---- follow ----
    let reader = live?.reader;
    let ino = live?.ino;
    let stopping = false;
    try {
      for (;;) {
        if (signal?.aborted) return;
        if (reader) {
          let got = false;
          for await (const batch of reader.batches(false)) {
            got = true;
            const out = filter(batch);
            if (out.length) yield out;
            if (stop || signal?.aborted) return;
          }
          if (got) continue;
        }
        // At the end of what we have: was the file rotated or truncated under us?
        const st = await stat(path).catch(() => undefined);
        if (st && (reader === undefined || st.ino !== ino)) {
          // Rotated (or created): the old handle is drained, move to the new file.
          if (reader) {
            for await (const batch of reader.batches(true)) {
              const out = filter(batch);
              if (out.length) yield out;
              if (stop) return;
            }
            await reader.fh.close();
          }
          const fh = await open(path, 'r').catch(() => undefined);
          reader = fh ? new RecordReader(fh, 0, codec, opts.recycle) : undefined;
          ino = fh ? (await fh.stat()).ino : undefined;
          continue;
        }
        if (st && reader && st.size < reader.pos) {
          reader.reset(0); // truncated in place (max-file 1)
          continue;
        }
        if (stopping) return;
        if (opts.stopWhen?.()) {
          stopping = true; // one more pass: whatever was written before the stop is read
          continue;
        }
        if (until !== undefined && nowNs() > until) return;
        if (!dirty) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            timer = setTimeout(resolve, pollMs);
          });
          clearTimeout(timer);
          wake = undefined;
        }
        dirty = false;
      }
    } finally {
      await reader?.fh.close().catch(() => {});
    }
  } finally {
    signal?.removeEventListener('abort', notify);
    clearTimeout(timer);
    watcher?.close();
    for (const s of segments) if (s.kind === 'file') await s.fh.close().catch(() => {});
  }
}

/**
 * Reads complete records from a position on; keeps an unfinished rest for later. With
 * `recycle`, one read buffer serves every batch (the consumer is done with a batch when it asks
 * for the next), so reading a large log allocates next to nothing.
 */
class RecordReader {
  readonly fh: FileHandle;
  pos: number; // file offset of the first byte not yet read
  readonly #codec: LogCodec;
  readonly #recycle: boolean;
  #buf: Buffer | undefined;
  #rest: Buffer = Buffer.alloc(0); // without recycle: a copy; with it: a view into #buf

  constructor(fh: FileHandle, pos: number, codec: LogCodec, recycle = false) {
    this.fh = fh;
    this.pos = pos;
    this.#codec = codec;
    this.#recycle = recycle;
  }

  reset(pos: number): void {
    this.pos = pos;
    this.#rest = Buffer.alloc(0);
  }

  /** Batches up to the current end of file; with `final`, an unfinished rest too. */
  async *batches(final: boolean): AsyncGenerator<LogEntry[]> {
    for (;;) {
      const restLen = this.#rest.length;
      let buf: Buffer;
      if (this.#recycle) {
        if (!this.#buf || this.#buf.length < restLen + CHUNK) {
          const bigger = Buffer.allocUnsafe(restLen + CHUNK);
          this.#rest.copy(bigger, 0);
          this.#buf = bigger;
        } else if (restLen > 0 && this.#rest.byteOffset !== this.#buf.byteOffset) {
          this.#buf.copyWithin(0, this.#rest.byteOffset - this.#buf.byteOffset, this.#rest.byteOffset - this.#buf.byteOffset + restLen);
        }
        buf = this.#buf;
      } else {
        // A fresh buffer each time: decoded entries are views into it.
        buf = Buffer.allocUnsafe(restLen + CHUNK);
        this.#rest.copy(buf, 0);
      }
      const { bytesRead } = await this.fh.read(buf, restLen, CHUNK, this.pos);
      if (bytesRead === 0) {
        if (this.#recycle) this.#rest = buf.subarray(0, restLen);
        break;
      }
      this.pos += bytesRead;
      const data = buf.subarray(0, restLen + bytesRead);
      const out: LogEntry[] = [];
      const used = this.#codec.scan(data, out, false);
      this.#rest = this.#recycle ? data.subarray(used) : Buffer.from(data.subarray(used));
      if (out.length) yield out;
    }
    if (final && this.#rest.length) {
      const out: LogEntry[] = [];
      this.#codec.scan(Buffer.from(this.#rest), out, true);
      this.#rest = Buffer.alloc(0);
      if (out.length) yield out;
    }
  }
}

async function* gzChunks(path: string): AsyncGenerator<Buffer> {
  const src = createReadStream(path, { highWaterMark: CHUNK });
  const gunzip = createGunzip({ chunkSize: CHUNK });
  src.on('error', (e) => gunzip.destroy(e));
  src.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (e) {
    if (!isErrno(e, 'ENOENT')) throw e; // removed by rotation meanwhile: its records are gone
  } finally {
    src.destroy();
    gunzip.destroy();
  }
}

/** A compressed file's records, the first `skip` left out. */
async function* gzBatches(path: string, codec: LogCodec, skip: number): AsyncGenerator<LogEntry[]> {
  let rest = Buffer.alloc(0);
  for await (const chunk of gzChunks(path)) {
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let out: LogEntry[] = [];
    const used = codec.scan(data, out, false);
    rest = Buffer.from(data.subarray(used));
    if (skip > 0) {
      const drop = Math.min(skip, out.length);
      skip -= drop;
      out = out.slice(drop);
    }
    if (out.length) yield out;
  }
  if (rest.length) {
    const out: LogEntry[] = [];
    codec.scan(rest, out, true);
    if (out.length > skip) yield out.slice(skip);
  }
}

async function countGz(path: string, codec: LogCodec): Promise<number> {
  let n = 0;
  let rest = Buffer.alloc(0);
  for await (const chunk of gzChunks(path)) {
    const data = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    // Counting decodes nothing: record boundaries only.
    const end = boundary(data, codec);
    n += codec.count(data.subarray(0, end));
    rest = Buffer.from(data.subarray(end));
  }
  if (rest.length && codec === jsonFileCodec) n++;
  return n;
}

/** Where the complete records of data end. */
function boundary(data: Buffer, codec: LogCodec): number {
  if (codec === jsonFileCodec) return data.lastIndexOf(0x0a) + 1;
  let start = 0;
  while (start + 4 <= data.length) {
    const end = start + 8 + data.readUInt32BE(start);
    if (end > data.length) break;
    start = end;
  }
  return start;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
