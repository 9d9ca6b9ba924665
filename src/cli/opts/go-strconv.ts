// Go's strconv number parsing, with its error texts: docker prints them unchanged.
import { OptionError } from './errors.ts';

function syntax(fn: string, s: string): OptionError {
  return new OptionError(`strconv.${fn}: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function range(fn: string, s: string): OptionError {
  return new OptionError(`strconv.${fn}: parsing ${JSON.stringify(s)}: value out of range`);
}

/** strconv.ParseInt(s, 10, bits). */
export function parseGoInt(s: string, bits = 64): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw syntax('ParseInt', s);
  const v = BigInt(s);
  const max = (1n << BigInt(bits - 1)) - 1n;
  if (v > max || v < -max - 1n) throw range('ParseInt', s);
  return Number(v);
}

/** strconv.ParseUint(s, 10, bits). */
export function parseGoUint(s: string, bits = 64): number {
  if (!/^[0-9]+$/.test(s)) throw syntax('ParseUint', s);
  const v = BigInt(s);
  if (v > (1n << BigInt(bits)) - 1n) throw range('ParseUint', s);
  return Number(v);
}

export { parseGoBool } from '../../common/index.ts';
