// Byte sizes as docker/go-units RAMInBytes reads them ('512m', '1g', '1.5GB', 1024): a number of bytes.
import { ComposeError } from '../errors.ts';

const MULT: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

export function toBytes(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  const s = String(value).trim();
  const m = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP]?)[iI]?[bB]?$/.exec(s);
  if (!m) throw new ComposeError(`${field}: invalid size: '${s}'`);
  const unit = m[2]!.toLowerCase();
  return Math.trunc(Number(m[1]) * MULT[unit]!);
}
