// Go duration strings ('1m30s', '500ms', '1.5h') as compose-go keeps them, to nanoseconds, with
// time.ParseDuration's grammar (hand-written: a few lines, and Go's exact grammar is the point).
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Nanoseconds; throws on text time.ParseDuration rejects ('invalid duration "x"'). */
export function parseGoDuration(text: string): number {
  const bad = (): Error => new Error(`time: invalid duration "${text}"`);
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw bad();
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length) {
    const m = re.exec(s);
    if (!m) throw bad();
    total += Number(m[1]) * UNIT_NS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * Math.round(total);
}
