// Interpolation of a parsed compose file (compose-go interpolation/ + loader/interpolate.go):
// every string value (never a key) goes through the template substitution, then the values of the
// fields compose-go casts are turned into booleans and numbers. Errors name the path as compose-go
// does, list items as `[]`: "invalid interpolation format for services.web.volumes.[]".
import { ComposeError } from '../errors.ts';
import { InvalidTemplateError, substitute, type Lookup } from './template.ts';
import { Tagged } from './yaml-file.ts';

type Cast = (value: string, warn: (m: string) => void) => unknown;

const toInt: Cast = (v) => {
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
};
const toInt64: Cast = (v) => {
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
};
const toFloat: Cast = (v) => {
  const n = Number(v);
  if (v.trim() === '' || Number.isNaN(n)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
  return n;
};
const toBoolean: Cast = (v, warn) => {
  const l = v.toLowerCase();
  if (l === 'true') return true;
  if (l === 'false') return false;
  if (l === 'y' || l === 'yes' || l === 'on') {
    warn(`${JSON.stringify(v)} for boolean is not supported by YAML 1.2, please use \`true\``);
    return true;
  }
  if (l === 'n' || l === 'no' || l === 'off') {
    warn(`${JSON.stringify(v)} for boolean is not supported by YAML 1.2, please use \`false\``);
    return false;
  }
  throw new Error(`invalid boolean: ${v}`);
};

// compose-go's interpolateTypeCastMapping; `*` one key, `[]` one list item.
const CASTS: [string[], Cast][] = [
  [['configs', '[]', 'mode'], toInt],
  [['cpu_count'], toInt64],
  [['cpu_percent'], toFloat],
  [['cpu_period'], toInt64],
  [['cpu_quota'], toInt64],
  [['cpu_rt_period'], toInt64],
  [['cpu_rt_runtime'], toInt64],
  [['cpus'], toFloat],
  [['cpu_shares'], toInt64],
  [['init'], toBoolean],
  [['deploy', 'replicas'], toInt],
  [['deploy', 'update_config', 'parallelism'], toInt],
  [['deploy', 'update_config', 'max_failure_ratio'], toFloat],
  [['deploy', 'rollback_config', 'parallelism'], toInt],
  [['deploy', 'rollback_config', 'max_failure_ratio'], toFloat],
  [['deploy', 'restart_policy', 'max_attempts'], toInt],
  [['deploy', 'placement', 'max_replicas_per_node'], toInt],
  [['healthcheck', 'retries'], toInt],
  [['healthcheck', 'disable'], toBoolean],
  [['oom_kill_disable'], toBoolean],
  [['oom_score_adj'], toInt64],
  [['pids_limit'], toInt64],
  [['ports', '[]', 'target'], toInt],
  [['privileged'], toBoolean],
  [['read_only'], toBoolean],
  [['scale'], toInt],
  [['secrets', '[]', 'mode'], toInt],
  [['stdin_open'], toBoolean],
  [['tty'], toBoolean],
  [['ulimits', '*'], toInt],
  [['ulimits', '*', 'hard'], toInt],
  [['ulimits', '*', 'soft'], toInt],
  [['volumes', '[]', 'read_only'], toBoolean],
  [['volumes', '[]', 'volume', 'nocopy'], toBoolean],
].map(([p, c]) => [['services', '*', ...(p as string[])], c as Cast]);
for (const top of ['networks', 'volumes', 'secrets', 'configs']) CASTS.push([[top, '*', 'external'], toBoolean]);
for (const k of ['internal', 'attachable', 'enable_ipv6']) CASTS.push([['networks', '*', k], toBoolean]);

function casterFor(path: string[]): Cast | undefined {
  for (const [pattern, cast] of CASTS) {
    if (pattern.length !== path.length) continue;
    if (pattern.every((p, i) => p === '*' || p === path[i])) return cast;
  }
  return undefined;
}

export interface InterpolateOptions {
  lookup: Lookup;
  /** Hears each variable used but not set (once per name). */
  onMissing(name: string): void;
  warn(message: string): void;
}

/** Interpolates a whole parsed file (a new object; the input is left alone). */
export function interpolateConfig(config: Record<string, unknown>, opts: InterpolateOptions): Record<string, unknown> {
  return walk(config, [], opts) as Record<string, unknown>;
}

function walk(value: unknown, path: string[], opts: InterpolateOptions): unknown {
  if (value instanceof Tagged) return new Tagged(value.tag, walk(value.value, path, opts));
  if (typeof value === 'string') {
    let out: string;
    try {
      out = substitute(value, opts.lookup, opts.onMissing);
    } catch (err) {
      if (err instanceof InvalidTemplateError) {
        throw new ComposeError(`invalid interpolation format for ${path.join('.')}.\nYou may need to escape any $ with another $.\n${err.template}`);
      }
      throw new ComposeError(`error while interpolating ${path.join('.')}: ${(err as Error).message}`);
    }
    const cast = casterFor(path);
    if (!cast) return out;
    try {
      return cast(out, opts.warn);
    } catch (err) {
      throw new ComposeError(`error while interpolating ${path.join('.')}: failed to cast to expected type: ${(err as Error).message}`);
    }
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, [...path, '[]'], opts));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k], opts);
    return out;
  }
  return value;
}
