// Go rounds %f, %e and %g on the exact binary value with ties to even (2.25 -> "2.2"); JS's
// toFixed/toExponential round ties away from zero. These work on the double's exact decimal
// expansion instead.

/** The exact decimal expansion of a finite, non-negative double: "2.25", "0.1000000000000000055511151231257827...". */
function exactDecimal(x: number): [intPart: string, fracPart: string] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) return [(mant << BigInt(e)).toString(), ''];
  const digits = (mant * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
  return [digits.slice(0, digits.length + e), digits.slice(digits.length + e).replace(/0+$/, '')];
}

/** Keeps `keep` leading digits of `all`, rounding half to even; may return keep+1 digits on carry. */
function roundDigits(all: string, keep: number): string {
  if (all.length <= keep) return all.padEnd(keep, '0');
  const head = all.slice(0, keep);
  const rest = all.slice(keep);
  let up = rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1)));
  if (rest[0] === '5' && !up) up = Number(head[head.length - 1] ?? '0') % 2 === 1;
  if (!up) return head;
  return (BigInt(head || '0') + 1n).toString().padStart(head.length, '0');
}

/** Go's %.{prec}f. */
export function toFixedEven(x: number, prec: number): string {
  const ax = Math.abs(x);
  if (ax < 1e21) {
    // JS agrees with Go except on exact ties, whose shortest form ends in a 5 right after `prec`
    const short = String(ax);
    const frac = short.includes('e') ? '' : (short.split('.')[1] ?? '');
    if (!(frac.length === prec + 1 && frac.endsWith('5'))) return x.toFixed(prec);
  }
  const neg = x < 0 || Object.is(x, -0);
  const [ip, fp] = exactDecimal(Math.abs(x));
  const rounded = roundDigits(ip + fp, ip.length + prec);
  const intLen = rounded.length - prec;
  const s = rounded.slice(0, intLen) + (prec > 0 ? `.${rounded.slice(intLen)}` : '');
  return (neg ? '-' : '') + s;
}

/** Go's %.{prec}e digits, in JS's shape ("1.23e+4") for callers that already handle that. */
export function toExponentialEven(x: number, prec: number): string {
  const neg = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  if (ax === 0) return `${neg ? '-' : ''}${prec > 0 ? `0.${'0'.repeat(prec)}` : '0'}e+0`;
  const shortDigits = ax.toExponential().split('e')[0].replace('.', '');
  if (!(shortDigits.length === prec + 2 && shortDigits.endsWith('5'))) return x.toExponential(prec);
  const [ip, fp] = exactDecimal(ax);
  const all = ip + fp;
  const lead = all.search(/[1-9]/);
  let exp = ip.length - 1 - lead;
  let sig = roundDigits(all.slice(lead), prec + 1);
  if (sig.length > prec + 1) {
    exp++;
    sig = sig.slice(0, prec + 1);
  }
  const mantissa = sig[0] + (prec > 0 ? `.${sig.slice(1)}` : '');
  return `${neg ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}
