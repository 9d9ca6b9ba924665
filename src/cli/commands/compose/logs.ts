// `berth compose logs`: the logs of the project's containers through compose's log printer
// (`web-1  | line`, one colour per container), all containers at once, following with -f.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { LABEL, LogConsumer, containerDisplayName, listProjectContainers, streamContainerLogs, type ContainerSummary } from '../../../compose/index.ts';
import { timestampFlag, untilInterrupted } from '../shared.ts';
import { checkServices, composeRun, indexFlag, projectOrName, useColor } from './shared.ts';

/** Calls `onStart` for each container of the project (those services, that index) that starts, until aborted. */
async function followStarts(ctx: CommandContext, project: string, services: string[], index: number, signal: AbortSignal,
  onStart: (c: ContainerSummary, since: string | undefined) => void): Promise<void> {
  // A restarted container's lines start after its `die`: the time of that event is where its new stream begins.
  const died = new Map<string, string>();
  const res = await ctx.client.call('GET', '/events', {
    query: { filters: { type: ['container'], event: ['start', 'die'], label: [`${LABEL.project}=${project}`, `${LABEL.oneOff}=False`] } },
    signal,
  });
  let buf = '';
  for await (const chunk of res.body) {
    buf += String(chunk);
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let ev: { Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> }; time?: number };
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      const attrs = ev.Actor?.Attributes ?? {};
      if (services.length && !services.includes(attrs[LABEL.service] ?? '')) continue;
      if (index > 0 && Number(attrs[LABEL.containerNumber]) !== index) continue;
      const id = ev.Actor?.ID ?? '';
      if (ev.Action === 'die') {
        const nano = /"timeNano":(\d+)/.exec(line)?.[1];
        died.set(id, nano && nano.length > 9 ? `${nano.slice(0, -9)}.${nano.slice(-9)}` : String(ev.time ?? Math.floor(Date.now() / 1000)));
        continue;
      }
      const [c] = await ctx.client.json<ContainerSummary[]>('GET', '/containers/json', { query: { all: 1, filters: { id: [id] } } });
      if (c) onStart(c, died.get(id));
    }
  }
}

export const logsCommand: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'View output from containers',
  flags: [
    { name: 'follow', short: 'f', type: 'bool', usage: 'Follow log output' },
    indexFlag('index of the container if service has multiple replicas'),
    { name: 'no-color', type: 'bool', usage: 'Produce monochrome output' },
    { name: 'no-log-prefix', type: 'bool', usage: "Don't print prefix in logs" },
    { name: 'since', type: 'string', usage: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    { name: 'tail', short: 'n', type: 'string', usage: 'Number of lines to show from the end of the logs for each container', default: 'all' },
    { name: 'timestamps', short: 't', type: 'bool', usage: 'Show timestamps' },
    { name: 'until', type: 'string', usage: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    const index = flags.int('index');
    if (index > 0 && args.length !== 1) throw new Error('--index requires one service to be selected');
    const ref = await projectOrName(ctx);
    checkServices(ref.project, args);
    const now = Date.now();
    const since = timestampFlag(flags, 'since', now);
    const until = timestampFlag(flags, 'until', now);
    let containers = await listProjectContainers(ctx.client, ref.name, { all: true, services: args, oneOff: 'exclude' });
    if (index > 0) containers = containers.filter((c) => Number(c.Labels[LABEL.containerNumber]) === index);
    const consumer = new LogConsumer({ stdout: ctx.stdout, stderr: ctx.stderr, color: useColor(ctx, flags.bool('no-color')), prefix: !flags.bool('no-log-prefix') });
    for (const c of containers) consumer.register(containerDisplayName(c));
    const follow = flags.bool('follow');
    const opts = { follow, since, until, tail: flags.string('tail'), timestamps: flags.bool('timestamps') };
    const code = await untilInterrupted(async (signal) => {
      const streams = new Map<string, Promise<void>>();
      const stream = (c: ContainerSummary, from?: string, joined = false) => {
        const p = streamContainerLogs(ctx.client, c, consumer, { ...opts, since: from ?? opts.since, tail: joined ? 'all' : opts.tail, signal }).finally(() => streams.delete(c.Id));
        streams.set(c.Id, p);
        return p;
      };
      const initial = containers.map((c) => stream(c));
      if (!follow) {
        await Promise.all(initial);
        return;
      }
      // Following, containers that start later (recreated, scaled, restarted) join, as compose's watchContainers.
      const events = new AbortController();
      signal.addEventListener('abort', () => events.abort(), { once: true });
      const watching = followStarts(ctx, ref.name, args, index, events.signal, (c, time) => {
        if (!streams.has(c.Id)) void stream(c, time, true).catch(() => {});
      }).catch(() => {});
      while (streams.size) await Promise.allSettled([...streams.values()]);
      events.abort();
      await watching;
    });
    return code ?? 0;
  }),
};
