// Streaming tar reader: ustar (prefix field), GNU (long names 'L'/'K', base-256 numbers) and PAX
// ('x' per entry, 'g' global). Tars are untrusted: every header is checksummed, every size is
// bounded, and a short archive is an error, never a silently short file. Names come back as
// written; cleaning them against a root is the extractor's job.
import { invalidParameter } from '../errors.ts';
import { ByteReader, truncatedError } from './byte-reader.ts';
import {
  BLOCK, F, decodeLoose, decodeName, fieldBytes, invalidHeader, isZeroBlock, parseNumeric, parsePax, verifyChecksum,
} from './tar-format.ts';
import type { PaxRecords, TarType } from './tar-format.ts';

export type { TarType } from './tar-format.ts';

export interface TarEntry {
  name: string;
  linkname: string;
  type: TarType;
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of body: 0 for header-only types (links, dirs, devices), whatever the header says. */
  size: number;
  /** Seconds since the epoch; fractional when a PAX record gave sub-second precision. */
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  /** From PAX SCHILY.xattr.* records. */
  xattrs: Record<string, Buffer>;
  /** The file's bytes. Read it before asking for the next entry, or it is skipped. */
  body(): AsyncIterable<Uint8Array>;
}

export interface TarLimits {
  /** Largest body accepted (default: 2^53 - 1). */
  maxEntrySize?: number;
  /** Longest name or link name, in characters (default 32768). */
  maxNameLength?: number;
  /** Largest PAX or GNU long-name record (default 1 MiB, as Go's archive/tar). */
  maxPaxSize?: number;
}

const TYPES: Record<string, TarType> = {
  '0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char', '4': 'block', '5': 'dir', '6': 'fifo',
};
const HEADER_ONLY = new Set<TarType>(['hardlink', 'symlink', 'char', 'block', 'dir', 'fifo']);
// A global 'g' record sets defaults for later entries, except these: a global path or size
// would give every entry the same name or body length, which no sane archive means.
const NOT_GLOBAL = new Set(['path', 'linkpath', 'size']);

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * Reads entries one by one. On a normal end (two zero blocks, or end of input at a block
 * boundary) the source is left open after the end-of-archive blocks, so a caller hashing the
 * whole stream can drain the rest; on an error or an early stop the source is closed.
 */
export async function* readTar(source: AsyncIterable<Uint8Array>, limits: TarLimits = {}): AsyncGenerator<TarEntry> {
  const maxEntrySize = limits.maxEntrySize ?? Number.MAX_SAFE_INTEGER;
  const maxNameLength = limits.maxNameLength ?? 32768;
  const maxPaxSize = limits.maxPaxSize ?? 1 << 20;
  const r = new ByteReader(source);
  const globals: PaxRecords = new Map();
  let seq = 0;
  let normalEnd = false;

  /** Body of a meta entry (PAX record set, GNU long name), bounded. */
  const readMeta = async (size: number, what: string): Promise<Uint8Array> => {
    if (size > maxPaxSize) throw invalidParameter(`archive/tar: ${what} of ${size} bytes exceeds the limit of ${maxPaxSize}`);
    const data = (await r.readExact(size)) ?? new Uint8Array(0);
    if (data.length < size) throw truncatedError();
    await r.skip(padding(size));
    return data;
  };

  try {
    for (;;) {
      let longName: string | undefined;
      let longLink: string | undefined;
      let pax: PaxRecords | undefined;
      let meta = false;
      let block: Uint8Array;
      for (;;) {
        const b = await r.readExact(BLOCK);
        if (b === null) {
          if (meta) throw truncatedError();
          normalEnd = true;
          return;
        }
        if (isZeroBlock(b)) {
          if (meta) throw invalidHeader();
          const b2 = await r.readExact(BLOCK);
          if (b2 !== null && !isZeroBlock(b2)) throw invalidHeader();
          normalEnd = true;
          return;
        }
        verifyChecksum(b);
        const flag = String.fromCharCode(b[F.typeflag[0]]);
        if (!'LKxgXS'.includes(flag)) {
          block = b;
          break;
        }
        meta = true;
        const size = parseNumeric(b, F.size);
        if (flag === 'S') throw invalidParameter('archive/tar: sparse files are not supported');
        const data = await readMeta(size, flag === 'L' || flag === 'K' ? 'GNU long name' : 'PAX header');
        if (flag === 'L') longName = decodeName(fieldBytes(data, [0, data.length]));
        else if (flag === 'K') longLink = decodeName(fieldBytes(data, [0, data.length]));
        else if (flag === 'g') {
          for (const [k, v] of parsePax(data)) {
            if (NOT_GLOBAL.has(k)) continue;
            if (v.length === 0) globals.delete(k);
            else globals.set(k, v);
          }
        } else pax = parsePax(data); // 'x', and 'X' (old Solaris spelling)
      }

      const entry = parseEntry(block, longName, longLink, globals, pax);
      if (entry.name.length > maxNameLength || entry.linkname.length > maxNameLength) {
        throw invalidParameter(`archive/tar: name longer than ${maxNameLength} characters`);
      }
      if (entry.size > maxEntrySize) {
        throw invalidParameter(`archive/tar: entry ${JSON.stringify(entry.name)} is too large (${entry.size} bytes, limit ${maxEntrySize})`);
      }

      const mySeq = ++seq;
      let remaining = entry.size;
      let bodyStarted = false;
      const body = async function* (): AsyncGenerator<Uint8Array> {
        if (mySeq !== seq) throw new Error('archive/tar: body read after moving to the next entry');
        if (bodyStarted) throw new Error('archive/tar: body read twice');
        bodyStarted = true;
        while (remaining > 0) {
          const chunk = await r.readSome(remaining);
          remaining -= chunk.length;
          yield chunk;
          if (mySeq !== seq) throw new Error('archive/tar: body read after moving to the next entry');
        }
      };
      yield { ...entry, body };
      seq++; // invalidates this entry's body()
      await r.skip(remaining);
      remaining = 0;
      // An input that ends right after the last entry's content (no padding, no end blocks) is
      // a complete archive, as Go's tar reader takes it: the docker CLI sends such a tar for
      // `docker build -f` with the Dockerfile outside the context, and dockerd reads it. (Go also
      // takes an end inside the padding; berth keeps calling that truncated.)
      if (await r.skipOrEnd(padding(entry.size))) {
        normalEnd = true;
        return;
      }
    }
  } finally {
    if (!normalEnd) await r.close();
  }
}

type ParsedEntry = Omit<TarEntry, 'body'>;

function parseEntry(
  b: Uint8Array, longName: string | undefined, longLink: string | undefined, globals: PaxRecords, local: PaxRecords | undefined,
): ParsedEntry {
  const magic = decodeLoose(b.subarray(257, 263));
  const version = decodeLoose(b.subarray(263, 265));
  const ustar = magic === 'ustar\0' && version === '00';
  const gnu = magic === 'ustar ' && version === ' \0';
  let name = decodeName(fieldBytes(b, F.name));
  if (ustar) {
    // star puts "tar\0" at 508 and has a 131-byte prefix; POSIX ustar has 155 bytes.
    const star = b[508] === 0x74 && b[509] === 0x61 && b[510] === 0x72 && b[511] === 0;
    const prefix = decodeName(fieldBytes(b, [345, star ? 131 : 155]));
    if (prefix) name = `${prefix}/${name}`;
  }
  const flag = String.fromCharCode(b[F.typeflag[0]]);
  let type: TarType = TYPES[flag] ?? 'other';
  // Old (v7) archives mark directories only by a trailing slash.
  if (type === 'file' && flag !== '7' && name.endsWith('/')) type = 'dir';

  const e: ParsedEntry = {
    name: longName ?? name,
    linkname: longLink ?? decodeName(fieldBytes(b, F.linkname)),
    type,
    mode: parseNumeric(b, F.mode) & 0o7777,
    uid: parseNumeric(b, F.uid),
    gid: parseNumeric(b, F.gid),
    size: parseNumeric(b, F.size),
    mtime: parseNumeric(b, F.mtime, true),
    uname: ustar || gnu ? decodeLoose(fieldBytes(b, F.uname)) : '',
    gname: ustar || gnu ? decodeLoose(fieldBytes(b, F.gname)) : '',
    devmajor: ustar || gnu ? parseNumeric(b, F.devmajor) : 0,
    devminor: ustar || gnu ? parseNumeric(b, F.devminor) : 0,
    xattrs: {},
  };
  for (const records of local ? [globals, local] : [globals]) {
    for (const [key, raw] of records) applyPax(e, key, raw);
  }
  if (e.name.includes('\0') || e.linkname.includes('\0')) throw invalidHeader();
  if (HEADER_ONLY.has(e.type)) e.size = 0;
  return e;
}

const integer = (raw: Buffer): number => {
  const s = raw.toString('latin1');
  if (!/^\d{1,16}$/.test(s) || Number(s) > Number.MAX_SAFE_INTEGER) throw invalidHeader();
  return Number(s);
};

function applyPax(e: ParsedEntry, key: string, raw: Buffer): void {
  if (key.startsWith('SCHILY.xattr.')) {
    e.xattrs[key.slice('SCHILY.xattr.'.length)] = raw;
    return;
  }
  if (key.startsWith('GNU.sparse.')) throw invalidParameter('archive/tar: sparse files are not supported');
  if (raw.length === 0) return; // an empty value means "use the header's field"
  switch (key) {
    case 'path': e.name = decodeName(raw); break;
    case 'linkpath': e.linkname = decodeName(raw); break;
    case 'size': e.size = integer(raw); break;
    case 'uid': e.uid = integer(raw); break;
    case 'gid': e.gid = integer(raw); break;
    case 'uname': e.uname = decodeLoose(raw); break;
    case 'gname': e.gname = decodeLoose(raw); break;
    case 'mtime': {
      const s = raw.toString('latin1');
      if (!/^-?\d{1,16}(\.\d{1,19})?$/.test(s)) throw invalidHeader();
      e.mtime = Number(s);
      break;
    }
    default: break; // atime, ctime, comment, charset, LIBARCHIVE.*: not needed
  }
}
