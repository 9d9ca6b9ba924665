// The two on-disk log formats berth-shim writes (native/shim/log-writer.c), decoded:
//  - json-file: {"log":"...","stream":"stdout","attrs":{...},"time":"RFC3339Nano"}\n per line
//  - local: moby's daemon/logger/local format, a protobuf LogEntry framed by its big-endian
//    uint32 size before and after (so a reader can walk backwards from the end for --tail).
// The protobuf is decoded by hand: one fixed five-field message, read at a million records a
// second; a protobuf runtime would add a dependency and cost more than the decoding itself.
import type { FileHandle } from 'node:fs/promises';
import { parseRfc3339Nano } from '../common/index.ts';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** The bytes the container wrote, with its '\n' unless the line was partial. */
  line: Buffer;
  timeNs: bigint;
  /** json-file: the driver's extra attributes (labels, env, tag), for `logs --details`. */
  attrs?: Record<string, string>;
}

export type LogFormat = 'json-file' | 'local';

export interface LogCodec {
  /**
   * Decodes the complete records of data[0, end) and returns where the first incomplete one
   * starts; with `final`, an incomplete rest is decoded too (json-file) or dropped (local).
   * Malformed records are skipped. Entries may be views into `data`, which may be changed:
   * the caller hands over a buffer it no longer uses.
   */
  scan(data: Buffer, out: LogEntry[], final: boolean): number;
  /** Where the last `need` records of a file start, and how many that is (fewer if shorter). */
  tailStart(fh: FileHandle, size: number, need: number): Promise<{ offset: number; count: number }>;
  /** How many records a whole buffer holds (for compressed files). */
  count(data: Buffer): number;
}

const CHUNK = 64 * 1024;

// ---- json-file ---------------------------------------------------------------------------

const PREFIX = Buffer.from('{"log":"');
const STREAM_OUT = Buffer.from('","stream":"stdout"');
const STREAM_ERR = Buffer.from('","stream":"stderr"');
const TIME_KEY = Buffer.from(',"time":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

// The seconds part of consecutive stamps repeats: its value in ns is cached, keyed by its bytes.
const cachedSec = Buffer.alloc(19);
let cachedSecNs = -1n;

/** "2006-01-02T15:04:05[.fffffffff]Z" in b[s, e) to ns without making strings; else the general parser. */
function timeNsAt(b: Buffer, s: number, e: number): bigint | undefined {
  const len = e - s;
  if (len < 20 || b[e - 1] !== 0x5a || (len > 20 && b[s + 19] !== 0x2e) || len > 30) return parseRfc3339Nano(b.toString('latin1', s, e));
  let same = cachedSecNs >= 0n;
  for (let k = 0; same && k < 19; k++) if (cachedSec[k] !== b[s + k]) same = false;
  if (!same) {
    const ms = Date.parse(`${b.toString('latin1', s, s + 19)}Z`);
    if (Number.isNaN(ms)) return undefined;
    b.copy(cachedSec, 0, s, s + 19);
    cachedSecNs = BigInt(ms) * 1_000_000n;
  }
  if (len === 20) return cachedSecNs;
  let frac = 0;
  let digits = 0;
  for (let k = s + 20; k < e - 1; k++) {
    const d = b[k] - 0x30;
    if (d < 0 || d > 9) return undefined;
    frac = frac * 10 + d;
    digits++;
  }
  if (digits === 0) return undefined;
  return cachedSecNs + BigInt(frac * 10 ** (9 - digits));
}

/** Parses one json-file line; undefined for anything malformed. */
export function parseLogLine(text: string | Buffer): LogEntry | undefined {
  const b = typeof text === 'string' ? Buffer.from(text) : Buffer.from(text);
  return fastJsonLine(b) ?? slowJsonLine(b);
}

function matchAt(b: Buffer, pat: Buffer, off: number): boolean {
  if (off + pat.length > b.length) return false;
  for (let k = 0; k < pat.length; k++) if (b[off + k] !== pat[k]) return false;
  return true;
}

/**
 * The shim's own lines without attrs: {"log":"TEXT","stream":"std...","time":"T"} where TEXT
 * has no escape but perhaps a final \n. Anything else: undefined (the general parser decides).
 * The line is a view into `b`, which the caller owns: a final "\n" escape is turned into the
 * newline byte in place.
 */
function fastJsonLine(b: Buffer): LogEntry | undefined {
  if (b.length < 40 || !matchAt(b, PREFIX, 0)) return undefined;
  const q = b.indexOf(QUOTE, 8);
  if (q < 0) return undefined;
  const bs = b.indexOf(BACKSLASH, 8);
  let end = q;
  if (bs >= 0 && bs < q) {
    if (bs !== q - 2 || b[q - 1] !== 0x6e) return undefined;
    end = bs + 1;
  }
  let stream: 'stdout' | 'stderr';
  if (matchAt(b, STREAM_OUT, q)) stream = 'stdout';
  else if (matchAt(b, STREAM_ERR, q)) stream = 'stderr';
  else return undefined;
  const t = q + STREAM_OUT.length;
  if (!matchAt(b, TIME_KEY, t)) return undefined; // attrs: the slow way
  const ts = t + TIME_KEY.length;
  const te = b.length - 2;
  if (b[te] !== QUOTE || b[te + 1] !== 0x7d || b.indexOf(QUOTE, ts) !== te) return undefined;
  const ns = timeNsAt(b, ts, te);
  if (ns === undefined) return undefined;
  if (end !== q) b[bs] = 0x0a;
  return { stream, line: b.subarray(8, end), timeNs: ns };
}

function slowJsonLine(b: Buffer): LogEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(b.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.log !== 'string' || typeof o.time !== 'string') return undefined;
  if (o.stream !== 'stdout' && o.stream !== 'stderr') return undefined;
  const ns = parseRfc3339Nano(o.time);
  if (ns === undefined) return undefined;
  const e: LogEntry = { stream: o.stream, line: Buffer.from(o.log, 'utf8'), timeNs: ns };
  if (typeof o.attrs === 'object' && o.attrs !== null) {
    const attrs: Record<string, string> = {};
    for (const [k, val] of Object.entries(o.attrs)) if (typeof val === 'string') attrs[k] = val;
    e.attrs = attrs;
  }
  return e;
}

const MAX_LINE = 4 * 1024 * 1024; // a log line is at most ~100 KiB; longer is garbage

export const jsonFileCodec: LogCodec = {
  scan(data, out, final) {
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl < 0) break;
      if (nl > start) {
        const line = data.subarray(start, nl);
        const e = fastJsonLine(line) ?? slowJsonLine(line);
        if (e) out.push(e);
      }
      start = nl + 1;
    }
    if (final && start < data.length) {
      const line = data.subarray(start);
      const e = fastJsonLine(line) ?? slowJsonLine(line);
      if (e) out.push(e);
      return data.length;
    }
    // A rest that can never be a line is dropped rather than kept growing.
    return data.length - start > MAX_LINE ? data.length : start;
  },
  async tailStart(fh, size, need) {
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
  },
  count(data) {
    let n = 0;
    for (let i = data.indexOf(0x0a); i >= 0; i = data.indexOf(0x0a, i + 1)) n++;
    return n;
  },
};

// ---- local (protobuf LogEntry framed by its size) ---------------------------------------

const MAX_RECORD = 1024 * 1024; // moby's local driver: a message is at most 1 MiB (maxMsgLen)
const TWO_28 = 268_435_456;
let cachedHi = -1;
let cachedHiNs = 0n;
let cur = 0;

/** A varint that fits a double (all but time_nano); -1 when truncated or too long. */
function readVarint(m: Buffer, end: number): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    if (cur >= end) return -1;
    const b = m[cur++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) return v;
    mul *= 128;
    if (mul > 2 ** 63) return -1;
  }
}

/** time_nano: low 28 bits and the rest as doubles, joined as a bigint (the high part cached). */
function readTimeVarint(m: Buffer, end: number): bigint | undefined {
  let lo = 0;
  let hi = 0;
  let shift = 0;
  for (;;) {
    if (cur >= end) return undefined;
    const b = m[cur++];
    if (shift < 28) lo += (b & 0x7f) * 2 ** shift;
    else hi += (b & 0x7f) * 2 ** (shift - 28);
    if (b < 0x80) break;
    shift += 7;
    if (shift > 63) return undefined;
  }
  if (hi !== cachedHi) {
    cachedHi = hi;
    cachedHiNs = BigInt(hi) * BigInt(TWO_28);
  }
  return cachedHiNs + BigInt(lo);
}

/** Decodes one LogEntry message; undefined if it is malformed. */
export function decodeLocalEntry(m: Buffer): LogEntry | undefined {
  return decodeLocalAt(m, 0, m.length, false);
}

/**
 * Decodes the LogEntry in b[s, e). With `spare`, b[e] belongs to the caller and may be
 * overwritten: a whole line that ends the message gets its newline there and stays a view
 * into b (one object per record, no copy).
 */
function decodeLocalAt(b: Buffer, s: number, e: number, spare: boolean): LogEntry | undefined {
  // One cursor at module level and no closures: this runs a million times for a large log.
  cur = s;
  let stream: 'stdout' | 'stderr' | undefined;
  let ls = -1;
  let le = -1;
  let ns = 0n;
  let partial = false;
  let last = false;
  while (cur < e) {
    const key = readVarint(b, e);
    if (key < 0) return undefined;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (field === 2 && wire === 0) {
      const t = readTimeVarint(b, e);
      if (t === undefined) return undefined;
      ns = t;
    } else if (wire === 0) {
      const v = readVarint(b, e);
      if (v < 0) return undefined;
      if (field === 4) partial = v !== 0;
    } else if (wire === 2) {
      const len = readVarint(b, e);
      if (len < 0 || cur + len > e) return undefined;
      if (field === 1) {
        // "stdout" or "stderr", compared as bytes.
        stream = undefined;
        if (len === 6 && b[cur] === 0x73 && b[cur + 1] === 0x74 && b[cur + 2] === 0x64) {
          if (b[cur + 3] === 0x6f && b[cur + 4] === 0x75 && b[cur + 5] === 0x74) stream = 'stdout';
          else if (b[cur + 3] === 0x65 && b[cur + 4] === 0x72 && b[cur + 5] === 0x72) stream = 'stderr';
        }
      } else if (field === 3) {
        ls = cur;
        le = cur + len;
      } else if (field === 5) last = partialIsLast(b.subarray(cur, cur + len));
      cur += len;
    } else if (wire === 1) cur += 8;
    else if (wire === 5) cur += 4;
    else return undefined;
  }
  if (!stream || cur !== e) return undefined;
  // moby protoToMessage + the reader: a whole line (or the last piece of one) gets its '\n' back.
  const whole = !partial || last;
  if (ls < 0) return { stream, line: Buffer.from(whole ? '\n' : ''), timeNs: ns };
  let line: Buffer;
  if (spare && le === e) {
    line = b.subarray(ls, le + (whole ? 1 : 0));
    if (whole) b[le] = 0x0a;
  } else if (whole) {
    line = Buffer.allocUnsafe(le - ls + 1);
    b.copy(line, 0, ls, le);
    line[le - ls] = 0x0a;
  } else line = Buffer.from(b.subarray(ls, le));
  return { stream, line, timeNs: ns };
}

function partialIsLast(sub: Buffer): boolean {
  // PartialLogEntryMetadata: field 1 (bool last) is what matters here.
  let i = 0;
  while (i < sub.length) {
    const key = sub[i++];
    const wire = key & 7;
    if (key === 0x08) return sub[i] === 1;
    if (wire === 0) {
      while (i < sub.length && sub[i] >= 0x80) i++;
      i++;
    } else if (wire === 2) {
      const len = sub[i++];
      if (len >= 0x80) return false;
      i += len;
    } else return false;
  }
  return false;
}

export const localCodec: LogCodec = {
  scan(data, out) {
    let start = 0;
    while (start + 4 <= data.length) {
      const size = data.readUInt32BE(start);
      if (size > MAX_RECORD) return data.length; // corrupt: nothing after it can be framed
      const end = start + 8 + size;
      if (end > data.length) break;
      const e = decodeLocalAt(data, start + 4, start + 4 + size, true);
      if (e) out.push(e);
      start = end;
    }
    return start;
  },
  async tailStart(fh, size, need) {
    if (size === 0 || need <= 0) return { offset: size, count: 0 };
    const b = Buffer.alloc(4);
    let count = 0;
    let pos = size;
    while (pos >= 8 && count < need) {
      await fh.read(b, 0, 4, pos - 4);
      const len = b.readUInt32BE(0);
      if (len > MAX_RECORD || pos - 8 - len < 0) break;
      pos -= len + 8;
      count++;
    }
    return { offset: pos, count };
  },
  count(data) {
    let n = 0;
    let start = 0;
    while (start + 4 <= data.length) {
      const size = data.readUInt32BE(start);
      if (size > MAX_RECORD || start + 8 + size > data.length) break;
      start += 8 + size;
      n++;
    }
    return n;
  },
};

export function codecFor(format: LogFormat): LogCodec {
  return format === 'local' ? localCodec : jsonFileCodec;
}

/** A local-format record, as the shim writes it (tests and tools). */
export function encodeLocalEntry(e: { stream: 'stdout' | 'stderr'; line: Buffer; timeNs: bigint; partial?: { id: string; ordinal: number; last: boolean } }): Buffer {
  const parts: Buffer[] = [];
  const varint = (v: bigint) => {
    const out: number[] = [];
    while (v >= 0x80n) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return Buffer.from(out);
  };
  const field = (key: number, payload: Buffer) => parts.push(Buffer.from([key]), varint(BigInt(payload.length)), payload);
  field(0x0a, Buffer.from(e.stream));
  if (e.timeNs !== 0n) parts.push(Buffer.from([0x10]), varint(e.timeNs));
  if (e.line.length) field(0x1a, e.line);
  if (e.partial) {
    parts.push(Buffer.from([0x20, 1]));
    const sub = Buffer.concat([
      e.partial.last ? Buffer.from([0x08, 1]) : Buffer.alloc(0),
      Buffer.from([0x12, e.partial.id.length]), Buffer.from(e.partial.id),
      Buffer.from([0x18]), varint(BigInt(e.partial.ordinal)),
    ]);
    parts.push(Buffer.from([0x2a]), varint(BigInt(sub.length)), sub);
  }
  const msg = Buffer.concat(parts);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(msg.length);
  return Buffer.concat([size, msg, size]);
}

