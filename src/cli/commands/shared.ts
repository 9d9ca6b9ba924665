// What the command groups (container, image, network, system, inspect) share, each piece as
// docker/cli has it: the --format and --filter flags and docker's flag-value errors, the prune
// question and prune report, list rendering with docker's template errors, the loop over several
// arguments, --since/--until values, Ctrl-C on a followed stream, opening an input file, and
// the small Go/docker text helpers (TruncateID, Ellipsis, strconv.Quote, time.Time.String(),
// sortorder.NaturalLess, net.JoinHostPort, MapOpts).
import { createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandContext, FlagSpec, Flags } from '../framework/types.ts';
import { DaemonError, StatusError } from '../framework/types.ts';
import { FlagError } from '../framework/flags.ts';
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../framework/format-help.ts';
import { parseGoDuration, parseRfc3339Nano } from '../../common/index.ts';
import { formatList, goQuote, parseTemplate, TemplateError } from '../format/index.ts';
import type { ListFormatOptions, Template, TemplateOptions } from '../format/index.ts';
import { displayJsonMessages, humanSizePrecision, JsonMessageError } from '../progress/index.ts';
import { OptionError, validateLabel } from '../opts/index.ts';

export { INSPECT_FORMAT_HELP, goQuote };

// ---- flags ----

export function formatFlag(help = FORMAT_HELP, short?: string): FlagSpec {
  return { name: 'format', short, type: 'string', usage: help };
}

/** The -f/--filter flag of the list commands. */
export function filterFlag(usage = 'Filter output based on conditions provided'): FlagSpec {
  return { name: 'filter', short: 'f', type: 'list', usage, valueName: 'filter' };
}

/** The --filter flag of the prune commands (no -f: that is --force there). */
export function pruneFilterFlag(example = 'until=<timestamp>'): FlagSpec {
  return { name: 'filter', type: 'list', usage: `Provide filter values (e.g. "${example}")`, valueName: 'filter' };
}

/** How pflag names a flag in its errors: "-f, --filter" or "--filter". */
function flagTitle(spec: Pick<FlagSpec, 'name' | 'short'>): string {
  return spec.short ? `-${spec.short}, --${spec.name}` : `--${spec.name}`;
}

/**
 * pflag's error for a value a flag refuses: `invalid argument "v" for "--flag" flag: reason`. The
 * framework prints it with the command's usage lines and exits 125, as docker does.
 */
export function flagValueError(flag: string, value: string, reason: string): FlagError {
  return new FlagError(`invalid argument ${JSON.stringify(value)} for "${flag}" flag: ${reason}`);
}

/** The filters JSON of the API: {"name": {"value": true}}. */
export type Filters = Record<string, Record<string, boolean>>;

/**
 * docker/cli's FilterOpt for the values of `spec` (a --filter flag): each name=value adds the
 * trimmed value under the trimmed, lower-cased name; an empty value is ignored; anything else is
 * a flag error. Names and values are sorted, as Go marshals the map.
 */
export function parseFilters(flags: Flags, spec: FlagSpec = filterFlag()): Filters {
  const m = new Map<string, Set<string>>();
  for (const raw of flags.list(spec.name)) {
    if (raw === '') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) throw flagValueError(flagTitle(spec), raw, 'bad format of filter (expected name=value)');
    const key = raw.slice(0, eq).trim().toLowerCase();
    if (!m.has(key)) m.set(key, new Set());
    m.get(key)!.add(raw.slice(eq + 1).trim());
  }
  const out: Filters = {};
  for (const k of [...m.keys()].sort()) out[k] = Object.fromEntries([...m.get(k)!].sort().map((v) => [v, true]));
  return out;
}

/** The filters query parameter: absent when there are none, as docker/cli sends it. */
export function filtersQuery(f: Filters): Filters | undefined {
  return Object.keys(f).length ? f : undefined;
}

// ---- prune ----

/**
 * docker/cli's prompt.Confirm: the question and " [y/N] " on stdout, one line from stdin; only
 * "y" (any case, spaces trimmed) is a yes ("yes" is a no in docker 28), and a closed stdin is a no.
 */
export async function confirm(ctx: CommandContext, question: string): Promise<boolean> {
  ctx.stdout.write(`${question} [y/N] `);
  const line = await readLine(ctx.stdin);
  return (line ?? '').trim().toLowerCase() === 'y';
}

/** One line from a stream (without its line ending); undefined at end of input before any byte. */
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

/** docker/cli's command.PruneFilters: config.json's "pruneFilters" join the command line's. */
export function withConfigPruneFilters(ctx: CommandContext, filters: Filters): Filters {
  const extra = ctx.config.pruneFilters;
  if (!Array.isArray(extra)) return filters;
  const out = structuredClone(filters);
  for (const f of extra) {
    if (typeof f !== 'string') continue;
    const eq = f.indexOf('=');
    if (eq < 0) continue;
    const k = f.slice(0, eq);
    const v = f.slice(eq + 1);
    // A label filter on the command line wins over its opposite in config.json.
    if (k === 'label' && out['label!']?.[v]) continue;
    if (k === 'label!' && out.label?.[v]) continue;
    (out[k] ??= {})[v] = true;
  }
  return out;
}

/** What one prune call removed: docker's "Deleted ...:" text, and the bytes won back if the kind takes space. */
export interface PruneReport {
  output: string;
  spaceReclaimed?: number;
}

/** docker's "Total reclaimed space: 1.2MB" line. */
export function reclaimedSpaceLine(bytes: number): string {
  return `Total reclaimed space: ${humanSizePrecision(bytes, 4)}\n`;
}

/**
 * A prune command's run after its flags: the question unless --force (a no ends quietly with 0),
 * then the report and, for kinds that take space, the total won back.
 */
export async function runPrune(ctx: CommandContext, force: boolean, question: string, prune: () => Promise<PruneReport>): Promise<number> {
  if (!force && !(await confirm(ctx, question))) return 0;
  const { output, spaceReclaimed } = await prune();
  if (output) ctx.stdout.write(output + '\n');
  if (spaceReclaimed !== undefined) ctx.stdout.write(reclaimedSpaceLine(spaceReclaimed));
  return 0;
}

// ---- output ----

/**
 * formatList for a list command: a bad template ends the command with exit 1 and the formatter's
 * own message ("template parsing error: ...", or for ps "failed to ... template: ...").
 */
export function renderList(rows: readonly object[], opts: ListFormatOptions): string {
  try {
    return formatList(rows, opts);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, err.message);
    throw err;
  }
}

/** Parses a --format template, ending the command with `prefix + message` and `code` if it is bad. */
export function parseFormat(text: string, prefix: string, code: number, options?: TemplateOptions): Template {
  try {
    return parseTemplate(text, options);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(code, prefix + err.message);
    throw err;
  }
}

/**
 * The daemon's JSON message stream (load, import) rendered as docker does; an error message in
 * the stream ends the command with exit 1.
 */
export async function showJsonMessages(ctx: CommandContext, body: NodeJS.ReadableStream, isTerminal = Boolean(ctx.stdout.isTTY)): Promise<void> {
  try {
    await displayJsonMessages(body, ctx.stdout, { isTerminal, width: ctx.stdout.columns });
  } catch (err) {
    if (err instanceof JsonMessageError) throw new StatusError(1, err.message);
    throw err;
  }
}

// ---- several arguments ----

/** The text the framework would print for an error: Docker's "Error response from daemon: ". */
export function errorText(err: unknown): string {
  if (err instanceof DaemonError) return `Error response from daemon: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Runs `fn` for each argument in order; a failure is printed on stderr and the loop goes on,
 * as docker does for rm/stop/kill/...; ends with exit 1 if any failed.
 */
export async function forEachArg(ctx: CommandContext, args: string[], fn: (arg: string) => Promise<string | void>): Promise<number> {
  let failed = false;
  for (const arg of args) {
    try {
      const line = await fn(arg);
      if (line !== undefined) ctx.stdout.write(line + '\n');
    } catch (err) {
      failed = true;
      ctx.stderr.write(errorText(err) + '\n');
    }
  }
  if (failed) throw new StatusError(1);
  return 0;
}

// ---- times and streams ----

/**
 * docker's timetypes.GetTimestamp: a duration is made absolute against now (whole seconds), a
 * date or RFC 3339 time becomes "seconds.nanoseconds", a Unix timestamp goes to the daemon as
 * typed. Throws docker's messages for anything else. Dates without a zone are read as UTC (the
 * CLI's local zone on berth's hosts).
 */
export function getTimestamp(value: string, nowMs = Date.now()): string {
  if (value === '') return '';
  const dur = value !== '0' ? parseGoDuration(value) : undefined;
  if (dur !== undefined) return String((BigInt(nowMs) * 1_000_000n - dur) / 1_000_000_000n - (BigInt(nowMs) * 1_000_000n - dur < 0n ? 1n : 0n));
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (m) {
    const [, y, mo, dd, hh = '00', mi = '00', ss = '00', frac = '', zone = 'Z'] = m;
    const range = (v: string, max: number, min: number, what: string): void => {
      if (Number(v) > max || Number(v) < min) throw new Error(`parsing time ${JSON.stringify(value)}: ${what} out of range`);
    };
    range(mo, 12, 1, 'month');
    range(dd, 31, 1, 'day');
    range(hh, 23, 0, 'hour');
    range(mi, 59, 0, 'minute');
    range(ss, 59, 0, 'second');
    const ns = parseRfc3339Nano(`${y}-${mo}-${dd}T${hh}:${mi}:${ss}${frac ? '.' + frac : ''}${zone === 'z' ? 'Z' : zone}`);
    if (ns === undefined) throw new Error(`parsing time ${JSON.stringify(value)}: day out of range`);
    const sec = ns / 1_000_000_000n;
    return `${sec}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
  }
  if (value.includes('-')) throw new Error(`parsing time ${JSON.stringify(value)}: cannot parse ${JSON.stringify(value)} as a date`);
  if (!/^[+-]?\d+(\.\d+)?$/.test(value)) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  return value;
}

/**
 * A --since/--until flag as the API wants it (undefined when unset). A bad value ends the command
 * with exit 1 and docker's message, after `context` where docker's client adds one (logs:
 * `invalid value for "since": `).
 */
export function timestampFlag(flags: Flags, name: string, nowMs: number, context = ''): string | undefined {
  const value = flags.string(name);
  if (!value) return undefined;
  try {
    return getTimestamp(value, nowMs);
  } catch (err) {
    throw new StatusError(1, context + (err as Error).message);
  }
}

/**
 * Runs a streaming request that Ctrl-C may end (logs -f, events): SIGINT aborts it, and the
 * command then exits 130 (128 + SIGINT) as docker does, whatever the aborted stream threw.
 */
export async function untilInterrupted(stream: (signal: AbortSignal) => Promise<void>): Promise<number | undefined> {
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    await stream(abort.signal);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  return abort.signal.aborted ? 130 : undefined;
}

// ---- files and request parts ----

/** Opens a file the user named for reading; a failure ends the command with Go's os.Open text. */
export async function openInput(path: string): Promise<NodeJS.ReadableStream> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new StatusError(1, `open ${path}: ${why}`);
  });
  // The stream owns the handle and closes it (a bare fd would also be closed by the handle's GC).
  return fh.createReadStream();
}

/** A --platform value ("os[/arch[/variant]]") as the JSON the API's platform parameter takes. */
export function platformQuery(platform: string): string | undefined {
  if (!platform) return undefined;
  const [os, architecture, variant] = platform.split('/');
  return JSON.stringify({ os, architecture, variant });
}

// ---- Go and docker text ----

/** docker/cli's stringid.TruncateID: drops a "sha256:" prefix and keeps 12 characters. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const bare = i >= 0 ? id.slice(i + 1) : id;
  return bare.length > 12 ? bare.slice(0, 12) : bare;
}

/** docker/cli's formatter.Ellipsis: cuts to maxWidth display characters, the last one being "…". */
export function ellipsis(s: string, maxWidth: number): string {
  const chars = [...s];
  if (maxWidth <= 0) return '';
  if (chars.length <= maxWidth) return s;
  if (maxWidth === 1) return chars[0];
  return chars.slice(0, maxWidth - 1).join('') + '…';
}

const GO_ZERO_TIME = '0001-01-01 00:00:00 +0000 UTC';

/**
 * Go's time.Time.String() of epoch seconds (as time.Unix makes them, in UTC: the CLI's zone on
 * berth's hosts) or of an RFC 3339 time as the daemon sends it, which keeps its offset:
 * 1795354184 -> '2026-11-22 13:29:44 +0000 UTC'; '2026-11-22T13:00:00.1200Z' ->
 * '2026-11-22 13:00:00.12 +0000 UTC'; '...+01:00' -> '... +0100 +0100'. Go's zero time when the
 * value is missing or unreadable.
 */
export function goTimeString(time: number | string | undefined): string {
  if (typeof time === 'number') {
    if (!Number.isFinite(time)) return GO_ZERO_TIME;
    time = new Date(time * 1000).toISOString();
  }
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/.exec(time ?? '');
  if (!m) return GO_ZERO_TIME;
  const frac = (m[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const offset = m[4]!.toUpperCase();
  const utc = offset === 'Z' || offset === '+00:00' || offset === '-00:00';
  const zone = utc ? '+0000 UTC' : `${offset.replace(':', '')} ${offset.replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac ? '.' + frac : ''} ${zone}`;
}

/** fvbommel/sortorder's NaturalLess: digit runs compare as numbers, everything else byte-wise. */
function naturalLess(a: string, b: string): boolean {
  const s1 = Buffer.from(a);
  const s2 = Buffer.from(b);
  const digit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  let i = 0;
  let j = 0;
  while (i < s1.length && j < s2.length) {
    const c1 = s1[i]!;
    const c2 = s2[j]!;
    const d1 = digit(c1);
    const d2 = digit(c2);
    if (d1 !== d2) return d1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2;
      i++;
      j++;
      continue;
    }
    while (i < s1.length && s1[i] === 0x30) i++;
    while (j < s2.length && s2[j] === 0x30) j++;
    const nz1 = i;
    const nz2 = j;
    while (i < s1.length && digit(s1[i]!)) i++;
    while (j < s2.length && digit(s2[j]!)) j++;
    if (i - nz1 !== j - nz2) return i - nz1 < j - nz2;
    const n1 = s1.subarray(nz1, i).toString();
    const n2 = s2.subarray(nz2, j).toString();
    if (n1 !== n2) return n1 < n2;
    if (nz1 !== nz2) return nz1 < nz2;
  }
  return s1.length < s2.length;
}

/** naturalLess as a sort comparator. */
export function naturalCompare(a: string, b: string): number {
  return naturalLess(a, b) ? -1 : naturalLess(b, a) ? 1 : 0;
}

/** Go's net.JoinHostPort: an IPv6 address goes in brackets. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A map as Go marshals it: keys in byte order. */
export function sortedRecord(m: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
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

/** docker's command.ValidateOutputPath, its error prefixed with `context` ("failed to save image"). */
export async function validateOutputPath(path: string, context: string): Promise<void> {
  const dir = dirname(path);
  const st = await stat(dir).catch(() => undefined);
  if (!st) throw new StatusError(1, `${context}: invalid output path: stat ${dir}: no such file or directory`);
  if (!st.isDirectory()) throw new StatusError(1, `${context}: invalid output path: ${JSON.stringify(dir)} is not a directory`);
  const target = await stat(path).catch(() => undefined);
  if (target?.isDirectory()) throw new StatusError(1, `${context}: invalid output path: ${JSON.stringify(path)} must be a file, not a directory`);
}

/**
 * An archive from the daemon (save, export) to stdout, or to `output` through a temp file beside
 * it and a rename, so that a failed transfer leaves no half archive.
 */
export async function writeArchiveOutput(ctx: CommandContext, body: Readable, output: string | undefined): Promise<void> {
  if (!output) {
    await pipeline(body, ctx.stdout, { end: false });
    return;
  }
  const temp = join(dirname(output), `.${basename(output)}.berth-${process.pid}`);
  try {
    await pipeline(body, createWriteStream(temp, { mode: 0o644 }));
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** `--label k=v` values (network create, volume create) as the body's Labels, checked as docker/cli does. */
export function labelsOption(values: readonly string[]): Record<string, string> {
  const labels = new Map<string, string>();
  for (const l of values) {
    try {
      validateLabel(l);
    } catch (err) {
      if (err instanceof OptionError) throw flagValueError('--label', l, err.message);
      throw err;
    }
    const eq = l.indexOf('=');
    labels.set(eq < 0 ? l : l.slice(0, eq), eq < 0 ? '' : l.slice(eq + 1));
  }
  return sortedRecord(labels);
}
