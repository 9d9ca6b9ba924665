// Byte sizes as Docker reads them (go-units): "512m", "1g", "1.5G", "64KiB", "100". RAMInBytes
// takes k, m, g as binary multiples, FromHumanSize as decimal ones; a bare number is bytes.
// One parser for the CLI's flags and the daemon's options.

export class ByteSizeError extends Error {}

const BINARY: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** strconv.ParseFloat(s, 64) for the decimal forms people type. */
function parseDecimal(s: string): number {
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s.replace(/_/g, ''))) {
    throw new ByteSizeError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  }
  return Number(s.replace(/_/g, ''));
}

/** go-units RAMInBytes ("1k" is 1024): memory limits, shm and tmpfs sizes. */
export function ramInBytes(value: string): number {
  return parseSize(value, BINARY);
}

/** go-units FromHumanSize ("1k" is 1000): the json-file log driver's max-size. */
export function fromHumanSize(value: string): number {
  return parseSize(value, DECIMAL);
}

function parseSize(value: string, multipliers: Record<string, number>): number {
  let sep = -1;
  for (let i = value.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(value[i])) {
      sep = i;
      break;
    }
  }
  if (sep === -1) throw new ByteSizeError(`invalid size: '${value}'`);
  const num = value[sep] === ' ' ? value.slice(0, sep) : value.slice(0, sep + 1);
  let sfx = value.slice(sep + 1);
  let size = parseDecimal(num);
  if (size < 0) throw new ByteSizeError(`invalid size: '${value}'`);
  if (sfx.length === 0) return Math.trunc(size);
  const bad = () => new ByteSizeError(`invalid suffix: '${sfx}'`);
  if (sfx.length > 3) throw bad();
  sfx = sfx.toLowerCase();
  if (sfx[0] === 'b') {
    if (sfx.length > 1) throw bad();
    return Math.trunc(size);
  }
  const mul = multipliers[sfx[0]];
  if (mul === undefined) throw bad();
  size *= mul;
  if ((sfx.length === 2 && sfx[1] !== 'b') || (sfx.length === 3 && sfx.slice(1) !== 'ib')) throw bad();
  return Math.trunc(size);
}
