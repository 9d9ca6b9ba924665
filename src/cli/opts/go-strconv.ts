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

/** strconv.Atoi. */
export function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new OptionError(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** strconv.ParseFloat(s, 64) for the decimal forms people type. */
export function parseGoFloat(s: string): number {
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s.replace(/_/g, ''))) throw syntax('ParseFloat', s);
  return Number(s.replace(/_/g, ''));
}

export { parseGoBool } from '../../common/go-bool.ts';
