// docker/go-units' human sizes and durations, and the daemon's container status string
// (moby container.State.String), which `ps` shows in its STATUS column.
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

/** Go's math.Round: half away from zero. */
function round(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** units.HumanDuration (go-units 0.5: hours rounded, then Go's integer division for days, weeks, months; years from truncated hours). */
export function humanDurationMs(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** Milliseconds since the epoch for an RFC 3339 string or epoch seconds; NaN for Go's zero time. */
export function parseTime(when: string | number): number {
  if (typeof when === 'number') return when * 1000;
  if (when === '' || when.startsWith('0001-01-01')) return NaN;
  return Date.parse(when);
}
