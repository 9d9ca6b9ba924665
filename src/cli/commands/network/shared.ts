// Small pieces the network verbs share: the flag-error text docker prints for a rejected flag
// value (exit 125 with the usage lines), Go's key=value map options, --filter values, list
// rendering with docker's template error text, and URL path escaping.
import type { CommandContext } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { formatList, TemplateError, type ListFormatOptions } from '../../format/index.ts';

/** `invalid argument "v" for "--flag" flag: reason` with the command's usage, exit 125. */
export function flagValueError(ctx: CommandContext, command: { verb: string; usage: string }, flag: string, value: string, reason: string): StatusError {
  const path = `${ctx.programName} network ${command.verb}`;
  return new StatusError(125, `invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${reason}\n\n` +
    `Usage:  ${path} ${command.usage}\n\nRun '${path} --help' for more information\n`);
}

/**
 * docker/cli's MapOpts (`-o k=v`, `--aux-address`, `--ipam-opt`): `k=v` sets k, a bare `k` sets
 * it to "", the last value of a key wins. Keys come back sorted, as Go marshals a map.
 */
export function mapOption(values: readonly string[]): Record<string, string> {
  const m = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) m.set(v, '');
    else m.set(v.slice(0, eq), v.slice(eq + 1));
  }
  return sortedRecord(m);
}

export function sortedRecord(m: Map<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

/** A network or container reference as one URL path segment. */
export const seg = (s: string): string => encodeURIComponent(s);

/**
 * docker/cli's FilterOpt: each `name=value` adds a value under the lower-cased, trimmed name
 * (as the API's filters JSON, keys sorted like Go's); an empty value is ignored.
 */
export function parseFilters(ctx: CommandContext, values: readonly string[], command: { verb: string; usage: string }, flag: string): Record<string, Record<string, boolean>> {
  const m = new Map<string, Set<string>>();
  for (const raw of values) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) throw flagValueError(ctx, command, flag, raw, 'bad format of filter (expected name=value)');
    const key = raw.slice(0, eq).trim().toLowerCase();
    if (!m.has(key)) m.set(key, new Set());
    m.get(key)!.add(raw.slice(eq + 1).trim());
  }
  const out: Record<string, Record<string, boolean>> = {};
  for (const k of [...m.keys()].sort()) out[k] = Object.fromEntries([...m.get(k)!].sort().map((v) => [v, true]));
  return out;
}

/** The filters query parameter: absent when there are none, as docker/cli sends it. */
export function filtersQuery(f: Record<string, Record<string, boolean>>): Record<string, Record<string, boolean>> | undefined {
  return Object.keys(f).length ? f : undefined;
}

/** formatList, ending the command with exit 1 and docker's "template parsing error: ..." on a bad template. */
export function renderRows(rows: readonly object[], opts: ListFormatOptions): string {
  try {
    return formatList(rows, opts);
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    const prefix = 'template parsing error: ';
    throw new StatusError(1, err.message.startsWith(prefix) ? err.message : prefix + err.message);
  }
}

/**
 * docker/cli's prompt.Confirm: the question and " [y/N] " on stdout, one line from stdin; only
 * "y" (any case, spaces trimmed) is a yes, and a closed stdin is a no.
 */
export async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  ctx.stdout.write(`${question} [y/N] `);
  const line = await readLine(ctx.stdin);
  return (line ?? '').trim().toLowerCase() === 'y';
}

function readLine(stream: NodeJS.ReadableStream): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const done = (value: string | undefined): void => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onEnd);
      stream.pause();
      resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      buf += String(chunk);
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl).replace(/\r$/, ''));
    };
    const onEnd = (): void => done(buf.length ? buf : undefined);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
    stream.resume();
  });
}
