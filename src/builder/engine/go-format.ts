// Go's fmt verbs as moby's classic builder uses them in history lines (`CMD %q`,
// `VOLUME %v`, `HEALTHCHECK %q`): the history must read as dockerd's, byte for byte.

const SIMPLE_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' };

function isGoPrintable(cp: number): boolean {
  if (cp < 0x20 || cp === 0x7f) return false;
  if (cp >= 0x80 && cp < 0xa0) return false;
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S}\u0020]$/u.test(String.fromCodePoint(cp));
}

function escapeRune(cp: number, quote: string): string {
  const ch = String.fromCodePoint(cp);
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (isGoPrintable(cp)) return ch;
  const simple = SIMPLE_ESCAPES[cp];
  if (simple) return simple;
  if (cp < 0x80) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp === 0xfffd) return '\\ufffd';
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote. */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, '"');
  return `${out}"`;
}

/** `%q` of an int: strconv.QuoteRune (moby's HEALTHCHECK history prints Retries this way: '\x03'). */
export function goQuoteRune(n: number): string {
  const cp = n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ? 0xfffd : n;
  return `'${escapeRune(cp, "'")}'`;
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteSlice(items: readonly string[] | null | undefined): string {
  return `[${(items ?? []).map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goSlice(items: readonly string[] | null | undefined): string {
  return `[${(items ?? []).join(' ')}]`;
}

function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
  let text = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print ||= digit !== 0n;
    if (print) text = digit.toString() + text;
    v /= 10n;
  }
  return { text: print ? `.${text}` : '', rest: v };
}

/** time.Duration.String() for nanoseconds: "5m0s", "30s", "1.5s", "500ms", "0s". */
export function goDuration(ns: number | bigint): string {
  let u = BigInt(ns);
  const neg = u < 0n;
  if (neg) u = -u;
  let out: string;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const { text, rest } = fmtFrac(u, prec);
    out = `${rest}${text}${unit}`;
  } else {
    const { text, rest } = fmtFrac(u, 9);
    let secs = rest;
    out = `${secs % 60n}${text}s`;
    secs /= 60n;
    if (secs > 0n) {
      out = `${secs % 60n}m${out}`;
      const hours = secs / 60n;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}
