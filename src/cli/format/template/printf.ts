// Go's fmt.Sprintf, Sprint and Sprintln for template values: the verbs people use in --format
// (%s %d %v %q %x %X %o %b %c %f %e %g %t), flags (- + 0 space #), width and precision, and Go's
// complaints (%!d(string=x), %!s(MISSING), %!(EXTRA int=2)).
import { toExponentialEven, toFixedEven } from './decimal.ts';
import { formatFloatG, formatValue, goTypeName, kindOf, mapKeys, num } from './values.ts';

interface Spec {
  minus: boolean;
  plus: boolean;
  zero: boolean;
  space: boolean;
  sharp: boolean;
  width?: number;
  prec?: number;
}

export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const spec: Spec = { minus: false, plus: false, zero: false, space: false, sharp: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '0') spec.zero = !spec.minus;
      else if (c === ' ') spec.space = true;
      else if (c === '#') spec.sharp = true;
      else break;
    }
    if (format[i] === '*') {
      i++;
      const w = args[argi++];
      if (kindOf(w) === 'int') {
        spec.width = Math.abs(num(w));
        if (num(w) < 0) spec.minus = true;
      } else out += '%!(BADWIDTH)';
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m) {
        spec.width = Number(m[0]);
        i += m[0].length;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        i++;
        const p = args[argi++];
        if (kindOf(p) === 'int' && num(p) >= 0) spec.prec = num(p);
        else out += '%!(BADPREC)';
      } else {
        const m = /^\d+/.exec(format.slice(i));
        spec.prec = m ? Number(m[0]) : 0;
        if (m) i += m[0].length;
      }
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[argi++], verb, spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args.slice(argi).map((a) => (kindOf(a) === 'invalid' || kindOf(a) === 'nil' ? '<nil>' : `${goTypeName(a)}=${formatValue(a)}`)).join(', ')})`;
  }
  return out;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a);
  });
  return out;
}

export function sprintln(args: readonly unknown[]): string {
  return args.map((a) => formatValue(a)).join(' ') + '\n';
}

function bad(v: unknown, verb: string): string {
  const k = kindOf(v);
  if (k === 'invalid' || k === 'nil') return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function formatOne(v: unknown, verb: string, spec: Spec): string {
  const k = kindOf(v);
  // Go formats the elements of slices and maps with the same verb, width and flags
  if (k === 'slice' && verb !== 'T') return `[${(v as unknown[]).map((e) => formatOne(e, verb, spec)).join(' ')}]`;
  if (k === 'map' && verb !== 'T') {
    const obj = v as Record<string, unknown>;
    return `map[${mapKeys(obj).map((key) => `${formatOne(key, verb, spec)}:${formatOne(obj[key], verb, spec)}`).join(' ')}]`;
  }
  switch (verb) {
    case 'T':
      return pad(k === 'invalid' || k === 'nil' ? '<nil>' : goTypeName(v), spec);
    case 'v':
      if (k === 'int') return fmtInt(num(v), 10, spec);
      if (k === 'float') return padNumber(signed(formatFloatG(num(v), spec.prec ?? -1), spec), spec);
      if (k === 'string') return pad(truncRunes(v as string, spec.prec), spec);
      return pad(k === 'invalid' ? '<nil>' : formatValue(v), spec);
    case 's':
      if (k === 'string') return pad(truncRunes(v as string, spec.prec), spec);
      return bad(v, verb);
    case 'q':
      if (k === 'string') return pad(goQuote(truncRunes(v as string, spec.prec)), spec);
      if (k === 'int') return pad(`'${goQuote(String.fromCodePoint(num(v))).slice(1, -1).replace(/'/g, "\\'").replace(/\\"/g, '"')}'`, spec);
      return bad(v, verb);
    case 'd':
      return k === 'int' ? fmtInt(num(v), 10, spec) : bad(v, verb);
    case 'o': case 'O':
      return k === 'int' ? fmtInt(num(v), 8, spec, verb === 'O' ? '0o' : spec.sharp ? '0' : '') : bad(v, verb);
    case 'b':
      return k === 'int' ? fmtInt(num(v), 2, spec, spec.sharp ? '0b' : '') : bad(v, verb);
    case 'x': case 'X': {
      let s: string;
      if (k === 'int') return fmtInt(num(v), 16, spec, spec.sharp ? '0x' : '', verb === 'X');
      if (k === 'string') {
        const bytes = Buffer.from(v as string, 'utf8');
        s = (spec.prec !== undefined ? bytes.subarray(0, spec.prec) : bytes).toString('hex');
      } else return bad(v, verb);
      return pad(verb === 'X' ? s.toUpperCase() : s, spec);
    }
    case 'c':
      return k === 'int' ? pad(String.fromCodePoint(num(v)), spec) : bad(v, verb);
    case 't':
      return k === 'bool' ? pad(String(v), spec) : bad(v, verb);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': {
      if (k !== 'float') return bad(v, verb);
      const f = num(v);
      let s: string;
      if (!Number.isFinite(f)) s = Number.isNaN(f) ? 'NaN' : f > 0 ? 'Inf' : '-Inf';
      else if (verb === 'f' || verb === 'F') s = toFixedEven(f, spec.prec ?? 6);
      else if (verb === 'e' || verb === 'E') s = expDigits(toExponentialEven(f, spec.prec ?? 6), verb === 'E');
      else s = formatFloatG(f, spec.prec ?? -1, verb === 'G');
      return padNumber(signed(s, spec), spec);
    }
    default:
      return bad(v, verb);
  }
}

function expDigits(s: string, upper: boolean): string {
  const out = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? out.toUpperCase() : out;
}

function signed(s: string, spec: Spec): string {
  if (s.startsWith('-')) return s;
  if (spec.plus) return `+${s}`;
  if (spec.space) return ` ${s}`;
  return s;
}

function fmtInt(n: number, base: number, spec: Spec, prefix = '', upper = false): string {
  let digits = Math.abs(n).toString(base);
  if (upper) digits = digits.toUpperCase();
  if (spec.prec !== undefined) digits = spec.prec === 0 && n === 0 ? '' : digits.padStart(spec.prec, '0');
  const sign = n < 0 ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  if (spec.zero && !spec.minus && spec.prec === undefined && spec.width !== undefined) {
    const body = sign + prefix;
    return body + digits.padStart(spec.width - body.length, '0');
  }
  return pad(sign + prefix + digits, spec);
}

function padNumber(s: string, spec: Spec): string {
  if (spec.zero && !spec.minus && spec.width !== undefined && /\d/.test(s)) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + s.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return pad(s, spec);
}

function pad(s: string, spec: Spec): string {
  if (spec.width === undefined) return s;
  const n = spec.width - [...s].length;
  if (n <= 0) return s;
  return spec.minus ? s + ' '.repeat(n) : (spec.zero ? '0' : ' ').repeat(n) + s;
}

function truncRunes(s: string, prec: number | undefined): string {
  if (prec === undefined) return s;
  return [...s].slice(0, prec).join('');
}

/** strconv.Quote: Go escapes, printable Unicode kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || (c >= 0xd800 && c < 0xe000) || c === 0xfeff) {
      out += c > 0xffff ? `\\U${c.toString(16).padStart(8, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}
