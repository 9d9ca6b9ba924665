// Go formats time.Time as RFC3339Nano with trailing zeros of the fraction removed; Docker's
// JSON and logs use that form, so clients parse it and people compare it. Node has only
// milliseconds in Date, so nanosecond stamps are carried as bigint (process.hrtime-based).

const NS_PER_MS = 1_000_000n;
let lastNs = 0n;

/**
 * Wall-clock time in nanoseconds since the epoch: Date.now() for the wall clock (the monotonic
 * clock stops while a VM is suspended, the wall clock does not), hrtime for the digits below a
 * millisecond, never going backwards within this process.
 */
export function nowNs(): bigint {
  const ns = BigInt(Date.now()) * NS_PER_MS + (process.hrtime.bigint() % NS_PER_MS);
  lastNs = ns > lastNs ? ns : lastNs + 1n;
  return lastNs;
}

export function formatRfc3339Nano(ns: bigint): string {
  const ms = Number(ns / NS_PER_MS);
  const iso = new Date(ms).toISOString(); // 2006-01-02T15:04:05.000Z
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return iso.slice(0, 19) + (frac ? `.${frac}` : '') + 'Z';
}

/** Parses RFC3339(Nano) into nanoseconds since the epoch; undefined if it is not one. */
export function parseRfc3339Nano(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * NS_PER_MS + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** Go's zero time as Docker prints it for "never". */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * Docker's `since`/`until` arguments: a Unix timestamp with optional fraction
 * ("1700000000.123"), an RFC3339 date, or a duration relative to now ("10m", "1h30m").
 * Returns nanoseconds since the epoch.
 */
export function parseTimeArg(value: string, now: bigint = nowNs()): bigint | undefined {
  if (/^\d+(\.\d{1,9})?$/.test(value)) {
    const [sec, frac = ''] = value.split('.');
    return BigInt(sec) * 1_000_000_000n + BigInt(frac.padEnd(9, '0') || '0');
  }
  const rfc = parseRfc3339Nano(value);
  if (rfc !== undefined) return rfc;
  const dur = parseGoDuration(value);
  if (dur !== undefined) return now - dur;
  return undefined;
}

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration ("1h30m", "500ms", "2.5s"), in nanoseconds. */
export function parseGoDuration(text: string): bigint | undefined {
  if (text === '0') return 0n;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0n;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const unit = UNIT_NS[m[2]];
    const [whole, frac = ''] = m[1].split('.');
    total += BigInt(whole) * unit + (frac ? (BigInt(frac.padEnd(9, '0').slice(0, 9)) * unit) / 1_000_000_000n : 0n);
    consumed = re.lastIndex;
  }
  return consumed === text.length && consumed > 0 ? total : undefined;
}
