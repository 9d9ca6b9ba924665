// Go's value parsers as the docker CLI uses them through pflag (strconv.ParseBool, ParseInt with
// base 0, ParseFloat, time.ParseDuration), with Go's exact error texts: users see them in
// messages such as `invalid argument "x" for "-t, --time" flag: strconv.ParseInt: ...`.

import { goQuote } from '../format/template/printf.ts';
import { parseGoBool as parseBool } from '../../common/index.ts';

export { goQuote };

/** Go's %q of one byte: 'x'. */
export function goQuoteRune(ch: string): string {
  if (ch === "'" || ch === '\\') return `'\\${ch}'`;
  return `'${ch}'`;
}

export class GoParseError extends Error {}

function syntaxError(fn: string, s: string): GoParseError {
  return new GoParseError(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
}

function rangeError(fn: string, s: string): GoParseError {
  return new GoParseError(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);
}

export function parseGoBool(s: string): boolean {
  const b = parseBool(s);
  if (b === undefined) throw syntaxError('ParseBool', s);
  return b;
}

const INT64_MAX = (1n << 63n) - 1n;

/** strconv.ParseInt(s, 0, 64): sign, 0x/0o/0b/0 prefixes, underscores between digits. */
export function parseGoInt(s: string): number {
  let body = s;
  let negative = false;
  if (body.startsWith('+') || body.startsWith('-')) {
    negative = body[0] === '-';
    body = body.slice(1);
  }
  let base = 10;
  let digits = body;
  let prefixed = false;
  if (/^0[xX]/.test(body)) [base, digits, prefixed] = [16, body.slice(2), true];
  else if (/^0[oO]/.test(body)) [base, digits, prefixed] = [8, body.slice(2), true];
  else if (/^0[bB]/.test(body)) [base, digits, prefixed] = [2, body.slice(2), true];
  else if (body.length > 1 && body[0] === '0') [base, digits] = [8, body.slice(1)];
  if (!underscoresOk(prefixed || base === 8 ? '0' + digits : digits)) throw syntaxError('ParseInt', s);
  const clean = digits.replaceAll('_', '');
  if (clean === '') throw syntaxError('ParseInt', s);
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(clean)) throw syntaxError('ParseInt', s);
  let n = 0n;
  for (const ch of clean) n = n * BigInt(base) + BigInt(parseInt(ch, 16));
  if (negative ? n > INT64_MAX + 1n : n > INT64_MAX) throw rangeError('ParseInt', s);
  return Number(negative ? -n : n);
}

// Go's underscoreOK: underscores only between digits (or right after a base prefix).
function underscoresOk(s: string): boolean {
  if (!s.includes('_')) return true;
  let saw = '^';
  let i = 0;
  if (s.length >= 2 && s[0] === '0' && /[xXoObB]/.test(s[1])) {
    i = 2;
    saw = '0';
  } else if (s[0] === '0') {
    saw = '0';
    i = 1;
  }
  for (; i < s.length; i++) {
    const ch = s[i];
    if (/[0-9a-fA-F]/.test(ch)) {
      saw = '0';
      continue;
    }
    if (ch !== '_' || saw !== '0') return false;
    saw = '_';
  }
  return saw !== '_';
}

/** strconv.ParseFloat(s, 64) for decimal notation, inf and nan. */
export function parseGoFloat(s: string): number {
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw syntaxError('ParseFloat', s);
  const n = Number(s);
  if (!Number.isFinite(n)) throw rangeError('ParseFloat', s);
  return n;
}

const UNITS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
};

/** time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string): number {
  const invalid = () => new GoParseError(`time: invalid duration ${goQuote(s)}`);
  let rest = s;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw invalid();
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?/.exec(rest)!;
    const [whole, intPart, fracPart] = m;
    if ((intPart ?? '') === '' && (fracPart ?? '') === '') throw invalid();
    rest = rest.slice(whole.length);
    const unitMatch = /^[^\d.]*/.exec(rest)![0];
    if (unitMatch === '') throw new GoParseError(`time: missing unit in duration ${goQuote(s)}`);
    const unit = UNITS[unitMatch];
    if (unit === undefined) throw new GoParseError(`time: unknown unit ${goQuote(unitMatch)} in duration ${goQuote(s)}`);
    rest = rest.slice(unitMatch.length);
    total += Number(`${intPart || '0'}.${fracPart || '0'}`) * unit;
  }
  if (total > 9223372036854775807) throw invalid();
  return Math.round(negative ? -total : total);
}

/** Go's Duration.String(): '1m30s', '10s', '1.5s', '100ms', '0s'. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let n = Math.abs(ns);
  if (n < 1e9) {
    const [div, unit] = n < 1e3 ? [1, 'ns'] : n < 1e6 ? [1e3, 'µs'] : [1e6, 'ms'];
    return sign + trimFraction(n / div) + unit;
  }
  let out = '';
  const h = Math.floor(n / 3600e9);
  n -= h * 3600e9;
  const m = Math.floor(n / 60e9);
  n -= m * 60e9;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  return sign + out + trimFraction(n / 1e9) + 's';
}

function trimFraction(x: number): string {
  return String(Number(x.toFixed(9)));
}
