// --cpus: a decimal number of CPUs sent as NanoCpus (docker's ParseCPUs, which reads a rational
// number exactly and refuses what does not land on a whole nanosecond).
import { OptionError } from './errors.ts';

const NANO = 1_000_000_000n;

export function parseCpus(value: string): number {
  const bad = () => new OptionError(`failed to parse ${value} as a rational number`);
  let m = /^([+-]?)([0-9]+)\/([0-9]+)$/.exec(value);
  if (m) {
    const den = BigInt(m[3]);
    if (den === 0n) throw bad();
    const num = BigInt(m[2]) * NANO;
    if (num % den !== 0n) throw new OptionError('value is too precise');
    return Number((m[1] === '-' ? -1n : 1n) * (num / den));
  }
  m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(value);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw bad();
  let digits = m[2] + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) - (m[3] ?? '').length + 9;
  if (exp < 0) {
    const cut = digits.length + exp;
    const frac = cut > 0 ? digits.slice(cut) : digits;
    if (/[1-9]/.test(frac)) throw new OptionError('value is too precise');
    digits = cut > 0 ? digits.slice(0, cut) : '0';
    exp = 0;
  }
  const nano = BigInt(digits || '0') * 10n ** BigInt(exp);
  return Number(m[1] === '-' ? -nano : nano);
}
