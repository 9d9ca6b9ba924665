// `berth compose events`: the engine's container events of the project, in docker compose v2's
// text ("2026-01-02 03:04:05.678901 container start <id> (image=..., name=...)") or as JSON lines.
import type { CommandSpec } from '../../framework/types.ts';
import { LABEL } from '../../../compose/index.ts';
import { untilInterrupted } from '../shared.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

interface EngineEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

export interface ComposeEvent {
  /** Nanoseconds since the epoch. */
  timeNano: bigint;
  service: string;
  container: string;
  action: string;
  attributes: Record<string, string>;
}

/** compose's Events filter: container events of the project, no one-offs, without compose's labels. */
export function toComposeEvent(ev: EngineEvent, rawTimeNano: string | undefined, services: readonly string[]): ComposeEvent | undefined {
  if (ev.Type !== 'container') return undefined;
  const attrs = ev.Actor?.Attributes ?? {};
  if (attrs[LABEL.oneOff] === 'True') return undefined;
  const service = attrs[LABEL.service] ?? '';
  if (services.length && !services.includes(service)) return undefined;
  const attributes: Record<string, string> = {};
  for (const k of Object.keys(attrs).sort()) if (!k.startsWith('com.docker.compose.')) attributes[k] = attrs[k]!;
  const timeNano = rawTimeNano && rawTimeNano !== '0' ? BigInt(rawTimeNano) : BigInt(ev.time ?? 0) * 1_000_000_000n;
  return { timeNano, service, container: ev.Actor?.ID ?? '', action: ev.Action ?? '', attributes };
}

function utcParts(ns: bigint): { date: string; frac: string } {
  const ms = Number(ns / 1_000_000n);
  return { date: new Date(ms).toISOString().slice(0, 19).replace('T', ' '), frac: (ns % 1_000_000_000n).toString().padStart(9, '0') };
}

/** compose's Event.String() printed with Println (so each event is followed by an empty line). */
export function eventText(e: ComposeEvent): string {
  const { date, frac } = utcParts(e.timeNano);
  const attrs = Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`).join(', ');
  return `${date}.${frac.slice(0, 6)} container ${e.action} ${e.container} (${attrs})\n\n`;
}

/** --json: Go's json.Marshal of compose's map (keys sorted; time as RFC 3339 with nanoseconds). */
export function eventJson(e: ComposeEvent): string {
  const { date, frac } = utcParts(e.timeNano);
  const trimmed = frac.replace(/0+$/, '');
  const time = `${date.replace(' ', 'T')}${trimmed ? '.' + trimmed : ''}Z`;
  return JSON.stringify({ action: e.action, attributes: e.attributes, id: e.container, service: e.service, time, type: 'container' }) + '\n';
}

export const eventsCommand: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'Receive real time events from containers',
  flags: [
    { name: 'json', type: 'bool', usage: 'Output events as a stream of json objects' },
    { name: 'since', type: 'string', usage: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', usage: 'Stream events until this timestamp' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    const ref = await projectOrName(ctx);
    checkServices(ref.project, args);
    const json = flags.bool('json');
    const code = await untilInterrupted(async (signal) => {
      const res = await ctx.client.call('GET', '/events', {
        query: { filters: { label: [`${LABEL.project}=${ref.name}`] }, since: flags.string('since') || undefined, until: flags.string('until') || undefined },
        signal,
      });
      let buf = '';
      for await (const chunk of res.body) {
        buf += String(chunk);
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const raw = /"timeNano":(\d+)/.exec(line)?.[1];
          const e = toComposeEvent(JSON.parse(line) as EngineEvent, raw, args);
          if (e) ctx.stdout.write(json ? eventJson(e) : eventText(e));
        }
      }
    });
    return code ?? 0;
  }),
};
