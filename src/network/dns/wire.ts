// DNS wire format (RFC 1035, EDNS0 from RFC 6891): just enough to read a query and write the
// answers the embedded server gives. Every read is bounds-checked: packets come from containers,
// and a container is not trusted. Parse errors are thrown as WireError and become FORMERR.

import { formatIPv6, parseIPv4, parseIPv6 } from '../../common/index.ts';

export const TYPE_A = 1;
export const TYPE_PTR = 12;
export const TYPE_MX = 15;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_FORMERR = 1;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;
export const RCODE_NOTIMP = 4;
export const RCODE_REFUSED = 5;
/** Extended RCODE (needs OPT): the query's EDNS version is not supported. */
export const RCODE_BADVERS = 16;

export const HEADER_SIZE = 12;
/** Longest name on the wire, length octets included (RFC 1035 3.1). */
const MAX_NAME_WIRE = 255;
const MAX_LABEL = 63;
/** Smallest UDP payload every resolver accepts (RFC 1035 4.2.1). */
export const MIN_UDP_SIZE = 512;
/** The UDP payload we advertise and accept from EDNS clients (DNS flag day 2020). */
const EDNS_UDP_SIZE = 1232;

export class WireError extends Error {}

export interface Header {
  id: number;
  /** The second 16 bits: QR, opcode, AA, TC, RD, RA, Z, AD, CD, RCODE. */
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface Question {
  /** Presentation form, lower-cased, no trailing dot ('' for the root); '.' and '\' in labels escaped. */
  name: string;
  type: number;
  class: number;
  /** Offset of the question's first byte (the name) in the packet. */
  start: number;
  /** Offset just after qclass. */
  end: number;
}

export interface Edns {
  udpSize: number;
  version: number;
  /** The DO bit: the client wants DNSSEC records (we have none, so we only echo it). */
  dnssecOk: boolean;
}

export interface Query {
  header: Header;
  question: Question;
  edns?: Edns;
}

export function readHeader(buf: Uint8Array): Header {
  if (buf.length < HEADER_SIZE) throw new WireError('short header');
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    id: v.getUint16(0), flags: v.getUint16(2), qdcount: v.getUint16(4),
    ancount: v.getUint16(6), nscount: v.getUint16(8), arcount: v.getUint16(10),
  };
}

export const isResponse = (h: Header): boolean => (h.flags & 0x8000) !== 0;
export const opcodeOf = (h: Header): number => (h.flags >> 11) & 0xf;
export const rcodeOf = (h: Header): number => h.flags & 0xf;

/**
 * Reads a possibly compressed name at `offset`. Pointers must point strictly backwards (so a
 * loop is impossible), the expanded name may not exceed 255 octets, and label types other than
 * plain labels and pointers are refused. Returns the name and the offset after it.
 */
export function readName(buf: Uint8Array, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let wireLen = 0;
  let lowest = offset; // every pointer must go below the lowest position read so far
  for (;;) {
    if (pos >= buf.length) throw new WireError('name runs past the end of the packet');
    const len = buf[pos]!;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new WireError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= lowest) throw new WireError('compression pointer does not point backwards');
      if (next < 0) next = pos + 2;
      pos = target;
      lowest = target;
      continue;
    }
    if (kind !== 0) throw new WireError('unsupported label type');
    wireLen += len + 1;
    if (wireLen > MAX_NAME_WIRE) throw new WireError('name too long');
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if (len > MAX_LABEL) throw new WireError('label too long');
    if (pos + 1 + len > buf.length) throw new WireError('label runs past the end of the packet');
    labels.push(labelText(buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return { name: labels.join('.'), next };
}

/** A label in presentation form, lower-cased; '.', '\' and non-printable bytes escaped as dig does. */
function labelText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) s += '\\' + String.fromCharCode(b);
    else if (b <= 0x20 || b >= 0x7f) s += '\\' + String(b).padStart(3, '0');
    else s += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 0x20 : b);
  }
  return s;
}

/** Encodes a presentation-form name ('a.b.c', trailing dot optional) without compression. */
export function encodeName(name: string): Buffer {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const parts: Buffer[] = [];
  let total = 1;
  if (trimmed !== '') {
    for (const label of trimmed.split('.')) {
      const bytes = Buffer.from(label, 'latin1');
      if (bytes.length === 0 || bytes.length > MAX_LABEL) throw new WireError(`bad label in name ${JSON.stringify(name)}`);
      parts.push(Buffer.from([bytes.length]), bytes);
      total += bytes.length + 1;
    }
  }
  if (total > MAX_NAME_WIRE) throw new WireError(`name too long: ${name}`);
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Skips one resource record; returns its type, class, ttl, rdata bounds and the offset after it. */
function readRecord(buf: Uint8Array, offset: number): { type: number; klass: number; ttl: number; rdStart: number; next: number } {
  const { next: afterName } = readName(buf, offset);
  if (afterName + 10 > buf.length) throw new WireError('truncated resource record');
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = v.getUint16(afterName);
  const klass = v.getUint16(afterName + 2);
  const ttl = v.getUint32(afterName + 4);
  const rdlength = v.getUint16(afterName + 8);
  const rdStart = afterName + 10;
  if (rdStart + rdlength > buf.length) throw new WireError('resource data runs past the end of the packet');
  return { type, klass, ttl, rdStart, next: rdStart + rdlength };
}

/**
 * Parses a query: the header, exactly one question, and the records after it (only an OPT in
 * the additional section is used). Throws WireError for anything malformed.
 */
export function parseQuery(buf: Uint8Array): Query {
  const header = readHeader(buf);
  if (header.qdcount !== 1) throw new WireError(`expected one question, got ${header.qdcount}`);
  const { name, next } = readName(buf, HEADER_SIZE);
  if (next + 4 > buf.length) throw new WireError('truncated question');
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const question: Question = { name, type: v.getUint16(next), class: v.getUint16(next + 2), start: HEADER_SIZE, end: next + 4 };
  let pos = question.end;
  let edns: Edns | undefined;
  const records = header.ancount + header.nscount + header.arcount;
  for (let i = 0; i < records; i++) {
    const rr = readRecord(buf, pos);
    if (rr.type === TYPE_OPT) {
      const inAdditional = i >= header.ancount + header.nscount;
      if (!inAdditional || edns || buf[pos] !== 0) throw new WireError('misplaced or repeated OPT record');
      edns = { udpSize: rr.klass, version: (rr.ttl >>> 16) & 0xff, dnssecOk: (rr.ttl & 0x8000) !== 0 };
    }
    pos = rr.next;
  }
  return { header, question, edns };
}

export interface ReplyOptions {
  rcode: number;
  /** Answer records, already encoded (see aRecord, aaaaRecord, ptrRecord). */
  answers?: Buffer[];
  /** The largest message the client accepts; answers that do not fit are dropped and TC is set. */
  maxSize?: number;
}

/**
 * Builds a reply to `query` (whose raw bytes are `raw`): same ID, opcode, RD and CD bits, the
 * question copied verbatim (so the answers can point at its name), RA set as Docker does, and
 * an OPT record when the query had one.
 */
export function buildReply(raw: Uint8Array, query: Query, opts: ReplyOptions): Buffer {
  const q = query.header;
  const extended = opts.rcode >> 4;
  const question = raw.subarray(query.question.start, query.question.end);
  const opt = query.edns ? optRecord(extended, query.edns.dnssecOk) : undefined;
  const maxSize = opts.maxSize ?? MIN_UDP_SIZE;
  let size = HEADER_SIZE + question.length + (opt?.length ?? 0);
  const answers: Buffer[] = [];
  let truncated = false;
  for (const a of opts.answers ?? []) {
    if (size + a.length > maxSize) {
      truncated = true;
      break;
    }
    answers.push(a);
    size += a.length;
  }
  const head = Buffer.alloc(HEADER_SIZE);
  head.writeUInt16BE(q.id, 0);
  // QR | opcode | TC | RD (copied) | RA | CD (copied) | rcode
  const flags = 0x8000 | (q.flags & 0x7800) | (truncated ? 0x0200 : 0) | (q.flags & 0x0100) | 0x0080 | (q.flags & 0x0010) | (opts.rcode & 0xf);
  head.writeUInt16BE(flags, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt16BE(answers.length, 6);
  head.writeUInt16BE(0, 8);
  head.writeUInt16BE(opt ? 1 : 0, 10);
  return Buffer.concat([head, question, ...answers, ...(opt ? [opt] : [])]);
}

/** A header-only error reply (FORMERR, NOTIMP) for a query whose body could not be trusted. */
export function buildHeaderOnlyReply(header: Header, rcode: number): Buffer {
  const head = Buffer.alloc(HEADER_SIZE);
  head.writeUInt16BE(header.id, 0);
  head.writeUInt16BE(0x8000 | (header.flags & 0x7800) | (header.flags & 0x0100) | 0x0080 | (rcode & 0xf), 2);
  return head;
}

function optRecord(extendedRcode: number, dnssecOk: boolean): Buffer {
  const b = Buffer.alloc(11);
  b[0] = 0; // root name
  b.writeUInt16BE(TYPE_OPT, 1);
  b.writeUInt16BE(EDNS_UDP_SIZE, 3);
  b.writeUInt32BE(((extendedRcode & 0xff) << 24) | (dnssecOk ? 0x8000 : 0), 5);
  b.writeUInt16BE(0, 9);
  return b;
}

/** A pointer to the question's name (always at offset 12 in our replies). */
const QUESTION_NAME_POINTER = Buffer.from([0xc0, HEADER_SIZE]);

function record(type: number, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([QUESTION_NAME_POINTER, fixed, rdata]);
}

/** An A record for the question's name; undefined when `ip` is not a dotted IPv4 address. */
export function aRecord(ip: string, ttl: number): Buffer | undefined {
  const bytes = parseIPv4(ip);
  return bytes && record(TYPE_A, ttl, Buffer.from(bytes));
}

/** An AAAA record for the question's name; undefined when `ip` is not an IPv6 address. */
export function aaaaRecord(ip: string, ttl: number): Buffer | undefined {
  const bytes = parseIPv6(ip);
  return bytes && record(TYPE_AAAA, ttl, Buffer.from(bytes));
}

/** A PTR record for the question's name pointing at `target`; undefined for an unencodable name. */
export function ptrRecord(target: string, ttl: number): Buffer | undefined {
  try {
    return record(TYPE_PTR, ttl, encodeName(target));
  } catch {
    return undefined;
  }
}



/**
 * The address a reverse-lookup name stands for: '4.3.2.1.in-addr.arpa' -> '1.2.3.4', 32 nibbles
 * under ip6.arpa -> an RFC 5952 IPv6 address. Undefined for anything else (partial names).
 */
export function reverseNameToIp(name: string): string | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.endsWith('.in-addr.arpa')) {
    const parts = n.slice(0, -'.in-addr.arpa'.length).split('.');
    if (parts.length !== 4) return undefined;
    const ip = parts.reverse().join('.');
    return parseIPv4(ip) ? ip : undefined;
  }
  if (n.endsWith('.ip6.arpa')) {
    const nibbles = n.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32 || !nibbles.every((x) => /^[0-9a-f]$/.test(x))) return undefined;
    const hex = nibbles.reverse();
    const bytes: number[] = [];
    for (let i = 0; i < 32; i += 2) bytes.push(parseInt(hex[i]! + hex[i + 1]!, 16));
    return formatIPv6(bytes);
  }
  return undefined;
}
