// `berth system events` (events): the daemon's event stream, one line per event in docker's
// format or through a template; ends when --until is reached or on Ctrl-C.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import type { Template } from '../../format/index.ts';
import { filterFlag, filtersQuery, formatFlag, INSPECT_FORMAT_HELP, parseFilters, parseFormat, timestampFlag, untilInterrupted } from '../shared.ts';

export interface EventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  scope?: string;
  time?: number;
  timeNano?: number;
}

/** Go's time.Format(RFC3339NanoFixed) in UTC for nanoseconds since the epoch. */
function rfc3339NanoFixed(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(Number(sec) * 1000).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

/** docker/cli's prettyPrintEvent. `timeNano` is read from the raw text: it exceeds 2^53. */
export function eventLine(ev: EventMessage, rawTimeNano?: string): string {
  let out = '';
  if (rawTimeNano && rawTimeNano !== '0') out += rfc3339NanoFixed(BigInt(rawTimeNano)) + ' ';
  else if (ev.time) out += rfc3339NanoFixed(BigInt(ev.time) * 1_000_000_000n) + ' ';
  out += `${ev.Type ?? ''} ${ev.Action ?? ''} ${ev.Actor?.ID ?? ''}`;
  const attrs = Object.entries(ev.Actor?.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (attrs.length) out += ` (${attrs.map(([k, v]) => `${k}=${v}`).join(', ')})`;
  return out + '\n';
}

/**
 * docker's `{{json .}}` of an events.Message: Go's field order, empty fields omitted, attributes
 * sorted by key, timeNano with all its digits.
 */
export function eventJson(ev: EventMessage, rawTimeNano?: string): string {
  const attrs = Object.fromEntries(Object.entries(ev.Actor?.Attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const out: Record<string, unknown> = {};
  if (ev.status) out.status = ev.status;
  if (ev.id) out.id = ev.id;
  if (ev.from) out.from = ev.from;
  out.Type = ev.Type ?? '';
  out.Action = ev.Action ?? '';
  out.Actor = { ID: ev.Actor?.ID ?? '', Attributes: ev.Actor?.Attributes ? attrs : null };
  if (ev.scope) out.scope = ev.scope;
  if (ev.time) out.time = ev.time;
  let text = JSON.stringify(out).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
  if (rawTimeNano && rawTimeNano !== '0') text = text.slice(0, -1) + `,"timeNano":${rawTimeNano}}`;
  return text;
}

/** The event as templates see it: Go's field names (Status, ID, ...) beside the JSON keys. */
function templateData(ev: EventMessage, rawTimeNano?: string): object {
  const data: Record<string, unknown> = { ...ev };
  // timeNano exceeds 2^53: its digits are kept as text, which prints the same.
  const timeNano = rawTimeNano ?? ev.timeNano ?? 0;
  const alias: Record<string, unknown> = { Status: ev.status ?? '', ID: ev.id ?? '', From: ev.from ?? '', Scope: ev.scope ?? '', Time: ev.time ?? 0, TimeNano: timeNano };
  for (const [k, v] of Object.entries(alias)) Object.defineProperty(data, k, { value: v, enumerable: false });
  return data;
}

export const eventsCommand: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS]',
  short: 'Get real time events from the server',
  flags: [
    filterFlag(),
    formatFlag(INSPECT_FORMAT_HELP),
    { name: 'since', type: 'string', usage: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', usage: 'Stream events until this timestamp' },
  ],
  args: { max: 0 },
  async run(ctx, flags) {
    const filters = parseFilters(flags);
    const format = flags.string('format');
    let tmpl: Template | undefined;
    if (format) {
      // Checked on an empty event first, as docker does, so a wrong field fails before any output.
      const text = format === 'json' ? '{{json .}}' : format;
      const strict = parseFormat(text, 'Error parsing format: ', 64, { missingKey: 'error' });
      try {
        strict.execute(templateData({ Type: '', Action: '', Actor: { ID: '', Attributes: {} } }));
      } catch (err) {
        if (/map has no entry for key/.test((err as Error).message) && !/Attributes/.test((err as Error).message)) {
          throw new StatusError(64, 'Error parsing format: ' + (err as Error).message);
        }
      }
      tmpl = parseFormat(text, 'Error parsing format: ', 64);
    }
    const now = Date.now();
    const since = timestampFlag(flags, 'since', now);
    const until = timestampFlag(flags, 'until', now);
    return untilInterrupted(async (signal) => {
      const res = await ctx.client.call('GET', '/events', { query: { since, until, filters: filtersQuery(filters) }, signal });
      const handle = (line: string): void => {
        if (!line.trim()) return;
        const ev = JSON.parse(line) as EventMessage;
        const rawTimeNano = /"timeNano":(\d+)/.exec(line)?.[1];
        if (format === 'json' || /^\{\{\s*json\s+\.\s*\}\}$/.test(format)) {
          ctx.stdout.write(eventJson(ev, rawTimeNano) + '\n');
          return;
        }
        if (!tmpl) {
          ctx.stdout.write(eventLine(ev, rawTimeNano));
          return;
        }
        try {
          ctx.stdout.write(tmpl.execute(templateData(ev, rawTimeNano)) + '\n');
        } catch (err) {
          throw new StatusError(1, (err as Error).message);
        }
      };
      let pending = '';
      for await (const chunk of res.body) {
        pending += String(chunk);
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          handle(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      }
      handle(pending);
    });
  },
};
