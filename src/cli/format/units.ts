// docker/go-units' human sizes and durations, and the daemon's container status string
// (moby container.State.String), which `ps` shows in its STATUS column.
import { humanDuration } from '../../common/index.ts';
import { formatFloatG } from './template/values.ts';

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, units: string[]): [number, string] {
  let i = 0;
  while (size >= base && i < units.length - 1) {
    size /= base;
    i++;
  }
  return [size, units[i]];
}

/** units.HumanSizeWithPrecision(size, precision): '%.*g' of the decimal size plus the unit. */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  const [n, unit] = sizeAndUnit(bytes, 1000, DECIMAL);
  return formatFloatG(n, precision) + unit;
}

/** units.BytesSize: '%.4g' of the binary size plus the unit. */
export function bytesSize(bytes: number): string {
  const [n, unit] = sizeAndUnit(bytes, 1024, BINARY);
  return formatFloatG(n, 4) + unit;
}

/** units.HumanDuration of a duration in milliseconds (the one go-units port is in common/). */
export function humanDurationMs(ms: number): string {
  return humanDuration(ms / 1000);
}

/** Milliseconds since the epoch for an RFC 3339 string or epoch seconds; NaN for Go's zero time. */
export function parseTime(when: string | number): number {
  if (typeof when === 'number') return when * 1000;
  if (when === '' || when.startsWith('0001-01-01')) return NaN;
  return Date.parse(when);
}
