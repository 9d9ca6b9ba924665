// -e/--env, --env-file, -l/--label, --label-file (docker's opts/env.go, opts/file.go, parse.go).
import { readFileSync } from 'node:fs';
import { OptionError } from './errors.ts';

export type LookupEnv = (name: string) => string | undefined;

const WHITESPACE = ' \t';

/** -e K=V as given; -e K takes K's value from the client's environment when it is set there. */
export function validateEnv(value: string, lookup: LookupEnv): string {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === '') throw new OptionError(`invalid environment variable: ${value}`);
  if (eq >= 0) return value;
  const v = lookup(key);
  return v === undefined ? value : `${key}=${v}`;
}

/** -l key[=value]: a name without whitespace. */
export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new OptionError(`invalid label '${value}': empty name`);
  if ([...key].some((c) => WHITESPACE.includes(c))) throw new OptionError(`label '${key}' contains whitespaces`);
  return value;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new OptionError(`open ${file}: ${why}`);
  }
}

/**
 * A file of KEY=VALUE lines: blank lines and '#' comments skipped, values kept as written. A
 * bare KEY takes its value from `lookup` (env files) and is left out otherwise, as docker 28 does.
 */
function parseKeyValueFile(file: string, lookup?: LookupEnv): string[] {
  const text = readText(file).replace(/^\uFEFF/, '');
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line.length === 0 || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const variable = (eq < 0 ? line : line.slice(0, eq)).replace(/^[ \t]+/, '');
    if ([...variable].some((c) => WHITESPACE.includes(c))) {
      throw new OptionError(`poorly formatted environment: variable '${variable}' contains whitespaces`);
    }
    if (variable.length === 0) throw new OptionError(`poorly formatted environment: no variable name on line '${line}'`);
    if (eq >= 0) {
      out.push(`${variable}=${line.slice(eq + 1)}`);
      continue;
    }
    // A bare name: its value from the environment (env files), else it is left out.
    const v = lookup?.(line.trim());
    if (v !== undefined) out.push(`${line.trim()}=${v}`);
  }
  return out;
}

/** Env files first, then -e values, so that -e overrides. */
export function readEnv(files: string[], values: string[], lookup: LookupEnv): string[] {
  return [...files.flatMap((f) => parseKeyValueFile(f, lookup)), ...values.map((v) => validateEnv(v, lookup))];
}

/** Label files first, then -l values; the result as the Labels map. */
export function readLabels(files: string[], values: string[]): Record<string, string> {
  const all = [...files.flatMap((f) => parseKeyValueFile(f)), ...values.map(validateLabel)];
  return kvToMap(all);
}

export function kvToMap(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) out[v] = '';
    else out[v.slice(0, eq)] = v.slice(eq + 1);
  }
  return out;
}
