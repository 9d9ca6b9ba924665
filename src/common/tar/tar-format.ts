// The tar header block (ustar / GNU / PAX), field by field, for both the reader and the writer.
// Offsets and rules follow POSIX pax(1) and Go's archive/tar, whose error texts Docker users know.
import { invalidParameter } from '../errors.ts';

export const BLOCK = 512;
export const ZERO_BLOCK = new Uint8Array(BLOCK);

export const invalidHeader = () => invalidParameter('archive/tar: invalid tar header');

/** Field offsets and widths: [offset, length]. */
export const F = {
  name: [0, 100], mode: [100, 8], uid: [108, 8], gid: [116, 8], size: [124, 12], mtime: [136, 12],
  chksum: [148, 8], typeflag: [156, 1], linkname: [157, 100], magic: [257, 6], version: [263, 2],
  uname: [265, 32], gname: [297, 32], devmajor: [329, 8], devminor: [337, 8], prefix: [345, 155],
} as const;

export type TarType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

export const TYPEFLAG: Record<Exclude<TarType, 'other'>, string> = {
  file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6',
};

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Loose = new TextDecoder('utf-8');

export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** The bytes of a NUL-terminated field, without the terminator. */
export function fieldBytes(block: Uint8Array, [off, len]: readonly [number, number]): Uint8Array {
  const f = block.subarray(off, off + len);
  const nul = f.indexOf(0);
  return nul === -1 ? f : f.subarray(0, nul);
}

/** Names must be UTF-8: a name that is not cannot be created faithfully through Node's fs. */
export function decodeName(bytes: Uint8Array): string {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    throw invalidParameter('archive/tar: entry name is not valid UTF-8');
  }
}

export function decodeLoose(bytes: Uint8Array): string {
  return utf8Loose.decode(bytes);
}

/**
 * A numeric field: octal text (spaces and NULs around it ignored) or, when the high bit of the
 * first byte is set, GNU base-256 two's complement. Values beyond 2^53 are refused.
 */
export function parseNumeric(block: Uint8Array, [off, len]: readonly [number, number], allowNegative = false): number {
  const b = block.subarray(off, off + len);
  if (b[0] & 0x80) {
    const negative = (b[0] & 0x40) !== 0;
    if (negative && !allowNegative) throw invalidHeader();
    let v = 0;
    for (let i = 0; i < b.length; i++) {
      let byte = i === 0 ? b[0] & 0x7f : b[i];
      if (negative) byte = (i === 0 ? 0x7f : 0xff) ^ byte;
      v = v * 256 + byte;
      if (v > Number.MAX_SAFE_INTEGER) throw invalidHeader();
    }
    return negative ? -(v + 1) : v;
  }
  let s = 0;
  let e = b.length;
  while (s < e && (b[s] === 0x20 || b[s] === 0)) s++;
  while (e > s && (b[e - 1] === 0x20 || b[e - 1] === 0)) e--;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 7) throw invalidHeader();
    v = v * 8 + d;
  }
  if (v > Number.MAX_SAFE_INTEGER) throw invalidHeader();
  return v;
}

/** The checksum check: unsigned (POSIX) or signed (historic Sun) byte sum, chksum as spaces. */
export function verifyChecksum(block: Uint8Array): void {
  const stored = parseNumeric(block, F.chksum);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += c;
    signed += c > 127 ? c - 256 : c;
  }
  if (stored !== unsigned && stored !== signed) throw invalidHeader();
}

export function computeChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  return sum;
}

/** Largest value an octal field of `len` bytes holds (len - 1 digits and a NUL). */
export const octalMax = (len: number) => 8 ** (len - 1) - 1;

export function writeOctal(block: Uint8Array, [off, len]: readonly [number, number], v: number): void {
  const s = Math.trunc(v).toString(8).padStart(len - 1, '0');
  for (let i = 0; i < len - 1; i++) block[off + i] = s.charCodeAt(i);
  block[off + len - 1] = 0;
}

/** GNU base-256 for values an octal field cannot hold (non-negative only). */
export function writeBase256(block: Uint8Array, [off, len]: readonly [number, number], v: number): void {
  for (let i = len - 1; i >= 1; i--) {
    block[off + i] = v % 256;
    v = Math.floor(v / 256);
  }
  block[off] = 0x80;
}

export function writeBytes(block: Uint8Array, [off, len]: readonly [number, number], bytes: Uint8Array): void {
  block.set(bytes.subarray(0, len), off);
}

// ---- PAX extended headers ----

/** Parsed PAX records; SCHILY.xattr.* values stay bytes (capabilities are binary). */
export type PaxRecords = Map<string, Buffer>;

export function parsePax(data: Uint8Array): PaxRecords {
  const out: PaxRecords = new Map();
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let pos = 0;
  while (pos < buf.length) {
    // Records are "<len> <key>=<value>\n", len counting the whole record in decimal.
    const sp = buf.indexOf(0x20, pos);
    if (sp === -1 || sp - pos > 20 || sp === pos) throw invalidHeader();
    const lenText = buf.toString('latin1', pos, sp);
    if (!/^[1-9]\d*$/.test(lenText)) throw invalidHeader();
    const n = Number(lenText);
    const end = pos + n;
    if (end > buf.length || end <= sp + 1 || buf[end - 1] !== 0x0a) throw invalidHeader();
    const rec = buf.subarray(sp + 1, end - 1);
    const eq = rec.indexOf(0x3d);
    if (eq <= 0) throw invalidHeader();
    out.set(decodeName(rec.subarray(0, eq)), Buffer.from(rec.subarray(eq + 1)));
    pos = end;
  }
  return out;
}

export function formatPaxRecord(key: string, value: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let n = body.length + 1;
  while (String(n).length + body.length !== n) n = String(n).length + body.length;
  return Buffer.concat([Buffer.from(String(n)), body]);
}

/** "1700000000.5" style times as PAX writes them: up to nanoseconds, trailing zeros cut. */
export function formatPaxTime(t: number): string {
  if (Number.isInteger(t)) return String(t);
  return t.toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
}
