// Memory sizes as docker reads them (go-units RAMInBytes): "512m", "1g", "1.5G", "64KiB", "100".
// Binary multiples; a bare number is bytes.
import { OptionError } from './errors.ts';
import { ramInBytes as parseRamInBytes, ByteSizeError } from '../../common/index.ts';

export function ramInBytes(value: string): number {
  try {
    return parseRamInBytes(value);
  } catch (err) {
    throw err instanceof ByteSizeError ? new OptionError(err.message) : err;
  }
}

/** --memory-swap: like ramInBytes, but "-1" means unlimited swap. */
export function memSwapBytes(value: string): number {
  return value === '-1' ? -1 : ramInBytes(value);
}
