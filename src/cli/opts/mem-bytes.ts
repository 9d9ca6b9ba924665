// Memory sizes as docker reads them (go-units RAMInBytes): "512m", "1g", "1.5G", "64KiB", "100".
// Binary multiples; a bare number is bytes.
import { OptionError } from './errors.ts';
import { parseGoFloat } from './go-strconv.ts';

const MULTIPLIERS: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function ramInBytes(value: string): number {
  let sep = -1;
  for (let i = value.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(value[i])) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new OptionError(`invalid size: '${value}'`);
  const num = value[sep] === ' ' ? value.slice(0, sep) : value.slice(0, sep + 1);
  let sfx = value.slice(sep + 1);
  let size = parseGoFloat(num);
  if (size < 0) throw new OptionError(`invalid size: '${value}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new OptionError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = MULTIPLIERS[sfx[0]];
  if (mul === undefined) throw bad();
  size *= mul;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size);
}

/** --memory-swap: like ramInBytes, but "-1" means unlimited swap. */
export function memSwapBytes(value: string): number {
  return value === '-1' ? -1 : ramInBytes(value);
}
