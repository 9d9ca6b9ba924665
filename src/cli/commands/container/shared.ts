// Pieces shared by berth's container, image and system commands: Docker's common flag texts,
// the --filter option, the "are you sure" prompt, the loop over several arguments that goes on
// after a failure, and the small string helpers of docker/cli's formatter (Ellipsis, TruncateID).
import type { CommandContext, FlagSpec, Flags } from '../../framework/types.ts';
import { DaemonError, StatusError } from '../../framework/types.ts';
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../../framework/format-help.ts';
import { parseGoDuration, parseRfc3339Nano } from '../../../common/time.ts';
import { formatList, parseTemplate, TemplateError } from '../../format/index.ts';
import type { ListFormatOptions, Template, TemplateOptions } from '../../format/index.ts';

export { FORMAT_HELP, INSPECT_FORMAT_HELP };

export function formatFlag(help = FORMAT_HELP, short?: string): FlagSpec {
  return { name: 'format', short, type: 'string', usage: help };
}

export function filterFlag(usage = 'Filter output based on conditions provided', short: string | undefined = 'f'): FlagSpec {
  return { name: 'filter', short, type: 'list', usage, valueName: 'filter' };
}

/**
 * The values of a --filter flag as the API's filters JSON ({"key": {"value": true}}), checked
 * as docker/cli's filter option does: every value must be name=value.
 */
export function parseFilterFlag(ctx: CommandContext, flags: Flags, command: { path: string; usage: string }, flagLabel = '-f, --filter'): Record<string, Record<string, boolean>> {
  const out: Record<string, Record<string, boolean>> = {};
  for (const raw of flags.list('filter')) {
    const eq = raw.indexOf('=');
    if (eq < 0) {
      const path = `${ctx.programName} ${command.path}`;
      throw new StatusError(125, `invalid argument "${raw}" for "${flagLabel}" flag: bad format of filter (expected name=value)\n\n` +
        `Usage:  ${path} ${command.usage}\n\nRun '${path} --help' for more information`);
    }
    const key = raw.slice(0, eq).trim().toLowerCase();
    const value = raw.slice(eq + 1).trim();
    (out[key] ??= {})[value] = true;
  }
  return out;
}

/** True when the filters JSON has any key (the API wants it absent otherwise). */
export function hasFilters(f: Record<string, unknown>): boolean {
  return Object.keys(f).length > 0;
}

/**
 * Docker's prune question: the prompt goes to stdout, one line is read from stdin; anything but
 * y/yes (any case) is a no, and so is a closed stdin.
 */
export async function confirm(ctx: CommandContext, message: string): Promise<boolean> {
  ctx.stdout.write(`${message}\nAre you sure you want to continue? [y/N] `);
  const line = await readLine(ctx.stdin);
  const answer = (line ?? '').trim().toLowerCase();
  return answer === 'y' || answer === 'yes';
}

/** One line from a stream (without the newline); undefined at end of input before any newline. */
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
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const onEnd = (): void => done(buf.length ? buf : undefined);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onEnd);
    stream.resume();
  });
}

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

/** Go's strconv.Quote for the strings docker shows (COMMAND column). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0x80 && cp < 0xa0) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Go's time.Time.String() for epoch seconds in UTC: "2026-11-22 13:29:44 +0000 UTC". */
export function goTimeString(epochSeconds: number): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}

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
 * formatList with docker's error wording for list commands: a bad template ends the command
 * with "template parsing error: ..." and exit 1.
 */
export function renderList(rows: readonly object[], opts: ListFormatOptions, prefix = 'template parsing error: '): string {
  try {
    return formatList(rows, opts);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(1, prefix + err.message);
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
