// --ulimit name=soft[:hard] (go-units ParseUlimit); a later flag for the same name wins.
import { OptionError } from './errors.ts';
import { parseGoInt } from './go-strconv.ts';

export interface Ulimit {
  Name: string;
  Hard: number;
  Soft: number;
}

const NAMES = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw new OptionError(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  const limits = value.slice(eq + 1);
  if (!NAMES.has(name)) throw new OptionError(`invalid ulimit type: ${name}`);
  const parts = limits.split(':');
  if (parts.length > 2) throw new OptionError(`too many limit value arguments - ${limits}, can only have up to two, \`soft[:hard]\``);
  const hardGiven = parts.length === 2 ? parseGoInt(parts[1]) : undefined;
  const soft = parseGoInt(parts[0]);
  const hard = hardGiven ?? soft;
  if (hard !== -1 && soft > hard) throw new OptionError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Hard: hard, Soft: soft };
}

/** One limit per name, the last one given winning. */
export function mergeUlimits(limits: Ulimit[]): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const u of limits) byName.set(u.Name, u);
  return [...byName.values()];
}
