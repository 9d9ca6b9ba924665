// Reader for Docker's json-file log as berth-shim writes it: one JSON object per line,
// {"log":"...","stream":"stdout|stderr","time":"RFC3339Nano"}, rotated as FILE.(N-1) ... FILE.1,
// FILE (oldest to newest). Logs can be large: the tail is found by scanning backwards in
// chunks, and nothing reads a whole file into memory.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { isErrno, nowNs, parseRfc3339Nano } from '../common/index.ts';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** The bytes the container wrote, with its '\n' unless the line was partial. */
  line: Buffer;
  timeNs: bigint;
  time: string;
}

export interface ReadLogsOptions {
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
}

const CHUNK = 64 * 1024;
const MAX_LINE = 4 * 1024 * 1024; // a log line is at most ~100 KiB; longer is garbage
const MAX_PROBE = 1000;

/** Parses one log line; undefined for anything malformed. */
export function parseLogLine(text: string | Buffer): LogEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(typeof text === 'string' ? text : text.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.log !== 'string' || typeof o.time !== 'string') return undefined;
  if (o.stream !== 'stdout' && o.stream !== 'stderr') return undefined;
  const timeNs = parseRfc3339Nano(o.time);
  if (timeNs === undefined) return undefined;
  return { stream: o.stream, line: Buffer.from(o.log, 'utf8'), timeNs, time: o.time };
}

/** The log files that exist, oldest first, ending with `path` itself. */
export async function logFiles(path: string, maxFile?: number): Promise<string[]> {
  const rotated: string[] = [];
  const limit = maxFile !== undefined ? Math.max(0, Math.trunc(maxFile) - 1) : MAX_PROBE;
  for (let i = 1; i <= limit; i++) {
    const p = `${path}.${i}`;
    if (await exists(p)) rotated.push(p);
    else if (maxFile === undefined) break;
  }
  return [...rotated.reverse(), path];
}

interface Segment {
  fh: FileHandle;
  start: number;
  current: boolean; // the live file (followed, may be rotated)
}

export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const { since, until, signal } = opts;
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

  // The entry if it passes since/until, 'stop' once past until.
  const accept = (e: LogEntry | undefined): LogEntry | 'stop' | undefined => {
    if (!e) return undefined;
    if (until !== undefined && e.timeNs > until) return 'stop';
    if (since !== undefined && e.timeNs < since) return undefined;
    return e;
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

    // Open every file up front, newest first, so a rotation while we read changes nothing.
    const files = await logFiles(path, opts.maxFile);
    const handles: { fh: FileHandle; size: number; current: boolean }[] = [];
    for (let i = files.length - 1; i >= 0; i--) {
      const fh = await open(files[i], 'r').catch((e: unknown) => {
        if (isErrno(e, 'ENOENT')) return undefined;
        throw e;
      });
      if (!fh) continue;
      handles.push({ fh, size: (await fh.stat()).size, current: files[i] === path });
    }
    // Pick where each file starts: the tail counts lines from the newest backwards.
    let need = tail;
    for (const h of handles) {
      if (need === 0) {
        if (h.current) segments.push({ fh: h.fh, start: h.size, current: true });
        else await h.fh.close();
        continue;
      }
      if (need < 0) {
        segments.push({ fh: h.fh, start: 0, current: h.current });
        continue;
      }
      const { offset, count } = await tailStart(h.fh, h.size, need);
      need -= count;
      segments.push({ fh: h.fh, start: offset, current: h.current });
    }
    segments.reverse(); // oldest first

    let live: { reader: LineReader; ino: number } | undefined;
    for (const seg of segments) {
      const reader = new LineReader(seg.fh, seg.start);
      for await (const raw of reader.lines(!(seg.current && opts.follow))) {
        const r = accept(parseLogLine(raw));
        if (r === 'stop') return;
        if (r) yield r;
        if (signal?.aborted) return;
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
          for await (const raw of reader.lines(false)) {
            got = true;
            const r = accept(parseLogLine(raw));
            if (r === 'stop') return;
            if (r) yield r;
            if (signal?.aborted) return;
          }
          if (got) continue;
        }
        // At the end of what we have: was the file rotated or truncated under us?
        const st = await stat(path).catch(() => undefined);
        if (st && (reader === undefined || st.ino !== ino)) {
          // Rotated (or created): the old handle is drained, move to the new file.
          if (reader) {
            for await (const raw of reader.lines(true)) {
              const r = accept(parseLogLine(raw));
              if (r === 'stop') return;
              if (r) yield r;
            }
            await reader.fh.close();
          }
          const fh = await open(path, 'r').catch(() => undefined);
          reader = fh ? new LineReader(fh, 0) : undefined;
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
    for (const s of segments) await s.fh.close().catch(() => {});
  }
}

/**
 * Where the last `need` lines of a file start, scanning backwards in chunks, and how many
 * lines that is (fewer if the file is shorter).
 */
export async function tailStart(fh: FileHandle, size: number, need: number): Promise<{ offset: number; count: number }> {
  if (size === 0 || need <= 0) return { offset: size, count: 0 };
  const buf = Buffer.alloc(CHUNK);
  let count = 0;
  let pos = size;
  while (pos > 0) {
    const start = Math.max(0, pos - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, pos - start, start);
    for (let i = bytesRead - 1; i >= 0; i--) {
      if (buf[i] !== 0x0a) continue;
      const abs = start + i;
      if (abs === size - 1) continue; // the terminator of the last line
      count++; // a line starts right after this newline
      if (count === need) return { offset: abs + 1, count };
    }
    pos = start;
  }
  return { offset: 0, count: count + 1 };
}

/** Reads complete lines from a position on; keeps an unterminated rest for later. */
class LineReader {
  readonly fh: FileHandle;
  pos: number; // file offset of the first byte not yet read
  #rest: Buffer = Buffer.alloc(0);
  #buf = Buffer.alloc(CHUNK);

  constructor(fh: FileHandle, pos: number) {
    this.fh = fh;
    this.pos = pos;
  }

  reset(pos: number): void {
    this.pos = pos;
    this.#rest = Buffer.alloc(0);
  }

  /** Lines up to the current end of file; with `final`, an unterminated rest too. */
  async *lines(final: boolean): AsyncGenerator<Buffer> {
    for (;;) {
      const { bytesRead } = await this.fh.read(this.#buf, 0, CHUNK, this.pos);
      if (bytesRead === 0) break;
      this.pos += bytesRead;
      let data = this.#rest.length ? Buffer.concat([this.#rest, this.#buf.subarray(0, bytesRead)]) : this.#buf.subarray(0, bytesRead);
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        const line = data.subarray(0, nl);
        data = data.subarray(nl + 1);
        if (line.length) yield Buffer.from(line);
      }
      this.#rest = data.length > MAX_LINE ? Buffer.alloc(0) : Buffer.from(data);
    }
    if (final && this.#rest.length) {
      const line = this.#rest;
      this.#rest = Buffer.alloc(0);
      yield line;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
