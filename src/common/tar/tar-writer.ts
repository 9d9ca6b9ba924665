// Streaming tar writer: ustar headers, with a PAX 'x' record set in front of an entry whenever a
// value does not fit ustar (long or non-ASCII names, big ids and sizes, sub-second times,
// xattrs). Output depends only on the calls made (no clock, no host lookups), so the caller's
// order (sorted) gives reproducible archives. The end is two zero blocks, as Go writes.
import { PassThrough } from 'node:stream';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import {
  BLOCK, F, TYPEFLAG, ZERO_BLOCK, computeChecksum, formatPaxRecord, formatPaxTime, octalMax, writeBase256, writeBytes, writeOctal,
} from './tar-format.ts';

export interface TarHeader {
  name: string;
  mode?: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch, fractions kept through PAX. Default 0. */
  mtime?: number;
  uname?: string;
  gname?: string;
  xattrs?: Record<string, Uint8Array>;
}

interface FullHeader extends TarHeader {
  type: keyof typeof TYPEFLAG;
  size: number;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const isAscii = (s: string) => /^[\x00-\x7f]*$/.test(s);

export class TarWriter {
  /** The archive bytes; consume it while adding entries (writes wait for the reader). */
  readonly readable: Readable;
  #out: PassThrough;
  #busy = false;
  #finished = false;

  /** `highWaterMark`: bytes buffered before a write waits for the reader (default 16 KiB). */
  constructor(opts: { highWaterMark?: number } = {}) {
    this.#out = new PassThrough(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {});
    this.readable = this.#out;
  }

  async addFile(h: TarHeader & { size: number }, data: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    await this.#entry({ ...h, type: 'file', linkname: '', devmajor: 0, devminor: 0 }, data);
  }

  async addDir(h: TarHeader): Promise<void> {
    const name = h.name.endsWith('/') ? h.name : `${h.name}/`;
    await this.#entry({ ...h, name, type: 'dir', size: 0, linkname: '', devmajor: 0, devminor: 0 });
  }

  async addSymlink(h: TarHeader, target: string): Promise<void> {
    await this.#entry({ ...h, type: 'symlink', size: 0, linkname: target, devmajor: 0, devminor: 0 });
  }

  /** `target` is the archive name of an entry written earlier. */
  async addHardlink(h: TarHeader, target: string): Promise<void> {
    await this.#entry({ ...h, type: 'hardlink', size: 0, linkname: target, devmajor: 0, devminor: 0 });
  }

  async addDevice(h: TarHeader, kind: 'char' | 'block' | 'fifo', major = 0, minor = 0): Promise<void> {
    await this.#entry({ ...h, type: kind, size: 0, linkname: '', devmajor: major, devminor: minor });
  }

  /** Writes the end-of-archive blocks and ends the stream. */
  async finish(): Promise<void> {
    this.#begin();
    try {
      await this.#write(ZERO_BLOCK);
      await this.#write(ZERO_BLOCK);
      this.#finished = true;
      this.#out.end();
    } finally {
      this.#busy = false;
    }
  }

  /** Ends the stream with an error (the consumer sees it). */
  destroy(err?: Error): void {
    this.#finished = true;
    this.#out.destroy(err);
  }

  #begin(): void {
    if (this.#finished) throw new Error('tar writer: already finished');
    if (this.#busy) throw new Error('tar writer: entries must be added one at a time');
    this.#busy = true;
  }

  async #entry(h: FullHeader, data?: Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
    this.#begin();
    try {
      for (const [k, v] of [['size', h.size], ['uid', h.uid ?? 0], ['gid', h.gid ?? 0], ['devmajor', h.devmajor], ['devminor', h.devminor]] as const) {
        if (!Number.isSafeInteger(v) || v < 0) throw new Error(`tar writer: bad ${k} ${v} for ${JSON.stringify(h.name)}`);
      }
      if (h.mtime !== undefined && !Number.isFinite(h.mtime)) throw new Error(`tar writer: bad mtime for ${JSON.stringify(h.name)}`);
      const pax = paxRecords(h);
      if (pax.length > 0) {
        const body = Buffer.concat(pax);
        await this.#write(encodeHeader({ ...h, name: paxName(h.name), type: 'file', size: body.length, linkname: '', mode: 0o644, uid: 0, gid: 0, mtime: 0, uname: '', gname: '', devmajor: 0, devminor: 0 }, 'x'));
        await this.#write(body);
        await this.#pad(body.length);
      }
      await this.#write(encodeHeader(h, TYPEFLAG[h.type]));
      if (h.type !== 'file') return;
      let written = 0;
      const chunks = data instanceof Uint8Array ? [data] : (data ?? []);
      for await (const chunk of chunks) {
        written += chunk.length;
        if (written > h.size) break;
        await this.#write(chunk);
      }
      if (written !== h.size) {
        const err = new Error(`tar writer: ${JSON.stringify(h.name)} declared ${h.size} bytes but ${written > h.size ? 'more' : written} were given`);
        this.destroy(err);
        throw err;
      }
      await this.#pad(h.size);
    } finally {
      this.#busy = false;
    }
  }

  async #pad(size: number): Promise<void> {
    const n = (BLOCK - (size % BLOCK)) % BLOCK;
    if (n > 0) await this.#write(ZERO_BLOCK.subarray(0, n));
  }

  async #write(chunk: Uint8Array): Promise<void> {
    if (this.#out.destroyed) throw new Error('tar writer: output stream was destroyed');
    if (!this.#out.write(chunk)) {
      const ac = new AbortController();
      try {
        await Promise.race([
          once(this.#out, 'drain', { signal: ac.signal }),
          once(this.#out, 'close', { signal: ac.signal }).then(() => { throw new Error('tar writer: output stream was closed'); }),
        ]);
      } finally {
        ac.abort(); // drop the listener that did not fire
      }
    }
  }
}

/** Splits a name into ustar prefix and name fields, or returns undefined if it cannot be. */
function splitUstarName(name: string): [string, string] | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return ['', name];
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    if (name.length - i - 1 > 100) return undefined;
    if (i <= 155 && name.length - i - 1 > 0) return [name.slice(0, i), name.slice(i + 1)];
  }
  return undefined;
}

function paxRecords(h: FullHeader): Buffer[] {
  const recs = new Map<string, Uint8Array>();
  const str = (k: string, v: string) => recs.set(k, Buffer.from(v));
  if (!splitUstarName(h.name)) str('path', h.name);
  if (h.linkname.length > 100 || !isAscii(h.linkname)) str('linkpath', h.linkname);
  if (h.size > octalMax(12)) str('size', String(h.size));
  if ((h.uid ?? 0) > octalMax(8)) str('uid', String(h.uid));
  if ((h.gid ?? 0) > octalMax(8)) str('gid', String(h.gid));
  const mtime = h.mtime ?? 0;
  if (!Number.isInteger(mtime) || mtime < 0 || mtime > octalMax(12)) str('mtime', formatPaxTime(mtime));
  for (const [k, v] of [['uname', h.uname ?? ''], ['gname', h.gname ?? '']] as const) {
    if (Buffer.byteLength(v) > 32 || !isAscii(v)) str(k, v);
  }
  for (const [k, v] of Object.entries(h.xattrs ?? {})) recs.set(`SCHILY.xattr.${k}`, v);
  return [...recs.keys()].sort().map((k) => formatPaxRecord(k, recs.get(k)!));
}

/** The PAX header's own name, as Go names it: dir/PaxHeaders.0/base, cut to fit. */
function paxName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  const dir = i === -1 ? '' : `${trimmed.slice(0, i)}/`;
  return `${dir}PaxHeaders.0/${trimmed.slice(i + 1)}`.replace(/[^\x20-\x7e]/g, '_').slice(0, 100);
}

function encodeHeader(h: FullHeader, flag: string): Uint8Array {
  const b = new Uint8Array(BLOCK);
  const ascii = (s: string) => Buffer.from(s.replace(/[^\x00-\x7f]/g, '_'), 'latin1');
  const split = splitUstarName(h.name);
  writeBytes(b, F.name, ascii(split ? split[1] : h.name));
  if (split) writeBytes(b, F.prefix, ascii(split[0]));
  writeOctal(b, F.mode, (h.mode ?? (h.type === 'dir' ? 0o755 : 0o644)) & 0o7777);
  writeOctal(b, F.uid, (h.uid ?? 0) > octalMax(8) ? 0 : (h.uid ?? 0));
  writeOctal(b, F.gid, (h.gid ?? 0) > octalMax(8) ? 0 : (h.gid ?? 0));
  writeOctal(b, F.size, h.size > octalMax(12) ? 0 : h.size);
  const mtime = Math.floor(h.mtime ?? 0);
  writeOctal(b, F.mtime, mtime < 0 || mtime > octalMax(12) ? 0 : mtime);
  b[F.typeflag[0]] = flag.charCodeAt(0);
  writeBytes(b, F.linkname, ascii(h.linkname.length > 100 ? h.linkname.slice(0, 100) : h.linkname));
  writeBytes(b, F.magic, Buffer.from('ustar\0', 'latin1'));
  writeBytes(b, F.version, Buffer.from('00', 'latin1'));
  writeBytes(b, F.uname, ascii(h.uname ?? '').subarray(0, 32));
  writeBytes(b, F.gname, ascii(h.gname ?? '').subarray(0, 32));
  for (const [field, v] of [[F.devmajor, h.devmajor], [F.devminor, h.devminor]] as const) {
    if (v > octalMax(8)) writeBase256(b, field, v);
    else writeOctal(b, field, v);
  }
  const sum = computeChecksum(b).toString(8).padStart(6, '0');
  for (let i = 0; i < 6; i++) b[148 + i] = sum.charCodeAt(i);
  b[154] = 0;
  b[155] = 0x20;
  return b;
}
