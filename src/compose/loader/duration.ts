// Go durations ('1m30s', '90s', '1.5h', '2d' as compose-go's str2duration reads them) rewritten in
// the form Go prints a time.Duration (`docker compose config` shows '1m30s' for '90s').
import { ComposeError } from '../errors.ts';

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9 };

/** Nanoseconds of a Go duration string; throws on a bad one. */
export function parseDuration(s: string, field: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)/gy;
  let total = 0;
  let sign = 1;
  let rest = s;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '') throw new ComposeError(`${field}: time: invalid duration ${JSON.stringify(s)}`);
  re.lastIndex = 0;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const m = re.exec(rest);
    if (!m) throw new ComposeError(`${field}: time: invalid duration ${JSON.stringify(s)}`);
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    pos = re.lastIndex;
  }
  return sign * Math.round(total);
}

/** time.Duration.String(). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, div] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFrac(u / (div as number))}${unit as string}`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimFrac(u / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(x: number): string {
  return String(Number(x.toFixed(9)));
}

/** A duration string as compose prints it; other values (the schema allows numbers) are kept as they are. */
export function canonicalDuration(v: unknown, field: string): unknown {
  if (typeof v !== 'string') return v;
  return formatDuration(parseDuration(v, field));
}
