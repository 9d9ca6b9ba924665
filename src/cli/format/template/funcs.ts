// The functions a --format template can call: Go's text/template builtins plus docker/cli's
// (templates/templates.go: json, split, join, title, lower, upper, pad, truncate). Each declares
// its parameter types so the executor can give Go's argument errors.
import { FUNCTION_NAMES } from './parse.ts';
import { sprint, sprintf, sprintln } from './printf.ts';
import { NO_VALUE, goJson, goTypeName, isTrue, kindOf, num } from './values.ts';

export type ParamType = 'any' | 'string' | 'int' | '[]string';

export interface Func {
  params: ParamType[];
  variadic?: ParamType;
  call(args: unknown[]): unknown;
}

/** Thrown by a function; the executor reports it as "error calling NAME: MESSAGE". */
export class CallError extends Error {}

const ESCAPED_JSON = new WeakSet<object>();

/** Marks list rows whose {{json .}} docker prints with HTML escaping (its MarshalJSON uses json.Marshal). */
export function markHtmlEscapedJson(row: object): void {
  ESCAPED_JSON.add(row);
}

export const FUNCS: Record<string, Func> = {
  // and/or are evaluated lazily by the executor; these entries give their arity
  and: { params: ['any'], variadic: 'any', call: (a) => a.find((v) => !isTrue(v)) ?? a[a.length - 1] },
  or: { params: ['any'], variadic: 'any', call: (a) => a.find((v) => isTrue(v)) ?? a[a.length - 1] },
  not: { params: ['any'], call: ([v]) => !isTrue(v) },
  len: { params: ['any'], call: ([v]) => length(v) },
  index: { params: ['any'], variadic: 'any', call: ([item, ...idx]) => index(item, idx) },
  slice: { params: ['any'], variadic: 'any', call: ([item, ...idx]) => slice(item, idx) },
  print: { params: [], variadic: 'any', call: (a) => sprint(a) },
  printf: { params: ['string'], variadic: 'any', call: ([f, ...a]) => sprintf(f as string, a) },
  println: { params: [], variadic: 'any', call: (a) => sprintln(a) },
  eq: { params: ['any'], variadic: 'any', call: ([a, ...bs]) => eq(a, bs) },
  ne: { params: ['any', 'any'], call: ([a, b]) => !eq(a, [b]) },
  lt: { params: ['any', 'any'], call: ([a, b]) => less(a, b) },
  le: { params: ['any', 'any'], call: ([a, b]) => less(a, b) || eq(a, [b]) },
  gt: { params: ['any', 'any'], call: ([a, b]) => !less(a, b) && !eq(a, [b]) },
  ge: { params: ['any', 'any'], call: ([a, b]) => !less(a, b) },
  html: { params: [], variadic: 'any', call: (a) => htmlEscape(evalArgsString(a)) },
  js: { params: [], variadic: 'any', call: (a) => jsEscape(evalArgsString(a)) },
  urlquery: { params: [], variadic: 'any', call: (a) => encodeURIComponent(evalArgsString(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) },
  call: {
    params: ['any'], variadic: 'any', call: ([fn, ...a]) => {
      if (typeof fn !== 'function') throw new CallError(`non-function ${kindOf(fn) === 'invalid' ? '<no value>' : 'value'} of type ${goTypeName(fn)}`);
      return (fn as (...x: unknown[]) => unknown)(...a);
    },
  },
  // docker/cli templates.basicFunctions
  json: { params: ['any'], call: ([v]) => goJson(v, v !== null && typeof v === 'object' && ESCAPED_JSON.has(v)) },
  split: { params: ['string', 'string'], call: ([s, sep]) => (sep === '' ? [...(s as string)] : (s as string).split(sep as string)) },
  join: { params: ['[]string', 'string'], call: ([a, sep]) => (a as string[]).join(sep as string) },
  title: { params: ['string'], call: ([s]) => title(s as string) },
  lower: { params: ['string'], call: ([s]) => (s as string).toLowerCase() },
  upper: { params: ['string'], call: ([s]) => (s as string).toUpperCase() },
  pad: { params: ['string', 'int', 'int'], call: ([s, pre, post]) => (s === '' ? '' : ' '.repeat(Math.max(0, num(pre))) + s + ' '.repeat(Math.max(0, num(post)))) },
  truncate: { params: ['string', 'int'], call: ([s, n]) => truncate(s as string, num(n)) },
};

/** docker/cli templates.HeaderFunctions: table headers stay as they are (pad still pads). */
export const HEADER_FUNCS: Record<string, Func> = {
  ...FUNCS,
  json: { params: ['string'], call: ([v]) => v },
  split: { params: ['string', 'string'], call: ([v]) => v },
  join: { params: ['string', 'string'], call: ([v]) => v },
  title: { params: ['string'], call: ([v]) => v },
  lower: { params: ['string'], call: ([v]) => v },
  upper: { params: ['string'], call: ([v]) => v },
  truncate: { params: ['string', 'int'], call: ([v]) => v },
};

for (const name of Object.keys(FUNCS)) FUNCTION_NAMES.add(name);

function length(v: unknown): number {
  switch (kindOf(v)) {
    case 'string': return Buffer.byteLength(v as string);
    case 'slice': return (v as unknown[]).length;
    case 'map': return Object.keys(v as object).length;
    case 'invalid': case 'nil': throw new CallError('len of nil pointer');
    default: throw new CallError(`len of type ${goTypeName(v)}`);
  }
}

function toIndex(v: unknown): number {
  if (kindOf(v) !== 'int') throw new CallError(kindOf(v) === 'invalid' || kindOf(v) === 'nil' ? 'cannot index slice/array with nil' : `cannot index slice/array with type ${goTypeName(v)}`);
  return num(v);
}

function index(item: unknown, idx: unknown[]): unknown {
  let v = item;
  for (const i of idx) {
    switch (kindOf(v)) {
      case 'slice': case 'string': {
        const n = toIndex(i);
        const len = kindOf(v) === 'string' ? Buffer.byteLength(v as string) : (v as unknown[]).length;
        if (n < 0 || n >= len) throw new CallError(`index out of range: ${n}`);
        v = kindOf(v) === 'string' ? Buffer.from(v as string)[n] : (v as unknown[])[n];
        break;
      }
      case 'map': {
        if (kindOf(i) !== 'string') throw new CallError(`value has type ${goTypeName(i)}; should be string`);
        const obj = v as Record<string, unknown>;
        if (Object.prototype.hasOwnProperty.call(obj, i as string) || (i as string) in obj) v = obj[i as string];
        // docker's typed maps: a missing key of a map[string]string is "", of other maps <no value>
        else v = Object.values(obj).every((x) => typeof x === 'string') ? '' : NO_VALUE;
        break;
      }
      case 'invalid': case 'nil':
        throw new CallError('index of untyped nil');
      default:
        throw new CallError(`can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

function slice(item: unknown, idx: unknown[]): unknown {
  const k = kindOf(item);
  if (k !== 'string' && k !== 'slice') {
    if (k === 'invalid' || k === 'nil') throw new CallError('slice of untyped nil');
    throw new CallError(`can't slice item of type ${goTypeName(item)}`);
  }
  if (idx.length > 3) throw new CallError(`too many slice indexes: ${idx.length}`);
  if (k === 'string' && idx.length === 3) throw new CallError('cannot 3-index slice a string');
  const len = k === 'string' ? Buffer.byteLength(item as string) : (item as unknown[]).length;
  const ns = idx.map((i) => {
    const n = toIndex(i);
    if (n < 0 || n > len) throw new CallError(`index out of range: ${n}`);
    return n;
  });
  const start = ns[0] ?? 0;
  const end = ns[1] ?? len;
  if (start > end) throw new CallError(`invalid slice index: ${start} > ${end}`);
  if (ns.length === 3 && end > ns[2]) throw new CallError(`invalid slice index: ${end} > ${ns[2]}`);
  return k === 'string' ? Buffer.from(item as string).subarray(start, end).toString() : (item as unknown[]).slice(start, end);
}

type BasicKind = 'bool' | 'int' | 'float' | 'string' | 'other';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'other';
}

function isNil(v: unknown): boolean {
  return v === null || v === undefined || v === NO_VALUE;
}

function eq(a: unknown, bs: unknown[]): boolean {
  if (bs.length === 0) throw new CallError('missing argument for comparison');
  const k1 = basicKind(a);
  for (const b of bs) {
    const k2 = basicKind(b);
    if (k1 !== k2) {
      if (!isNil(a) && !isNil(b)) throw new CallError('incompatible types for comparison');
      continue;
    }
    if (k1 === 'other') {
      if (isNil(a) || isNil(b)) {
        if (isNil(a) && isNil(b)) return true;
        continue;
      }
      throw new CallError(`non-comparable type ${goTypeName(Array.isArray(b) ? b : a)}`);
    }
    if (k1 === 'int' || k1 === 'float' ? num(a) === num(b) : a === b) return true;
  }
  return false;
}

function less(a: unknown, b: unknown): boolean {
  const k1 = basicKind(a);
  const k2 = basicKind(b);
  if (k1 === 'bool' || k1 === 'other' || k2 === 'bool' || k2 === 'other') throw new CallError('invalid type for comparison');
  if (k1 !== k2) throw new CallError('incompatible types for comparison');
  return k1 === 'string' ? (a as string) < (b as string) : num(a) < num(b);
}

/** Go's evalArgs: one string argument is used as is, otherwise fmt.Sprint. */
function evalArgsString(a: unknown[]): string {
  return a.length === 1 && typeof a[0] === 'string' ? a[0] : sprint(a);
}

function htmlEscape(s: string): string {
  return s.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '\\': out += '\\\\'; continue;
      case "'": out += "\\'"; continue;
      case '"': out += '\\"'; continue;
      case '<': out += '\\u003C'; continue;
      case '>': out += '\\u003E'; continue;
      case '&': out += '\\u0026'; continue;
      case '=': out += '\\u003D'; continue;
    }
    out += c < 0x20 ? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}` : ch;
  }
  return out;
}

/** strings.Title: upper-case the first letter of every word. */
function title(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? ch.toUpperCase() : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(ch)) return false;
  if (ch.charCodeAt(0) < 0x80) return true;
  if (/^\p{L}|\p{N}$/u.test(ch)) return false;
  return /^\s$/u.test(ch);
}

function truncate(s: string, n: number): string {
  const bytes = Buffer.from(s);
  if (bytes.length < n) return s;
  return bytes.subarray(0, Math.max(0, n)).toString();
}
