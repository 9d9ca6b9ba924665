// `berth compose ps`: the project's containers in docker compose v2's table (NAME IMAGE COMMAND
// SERVICE CREATED STATUS PORTS), one JSON object per line with --format json, or a template.
import type { CommandSpec } from '../../framework/types.ts';
import { FORMAT_HELP } from '../../framework/format-help.ts';
import { timeAgo } from '../../format/index.ts';
import { displayablePorts } from '../container/ls.ts';
import { ellipsis, goQuote, goTimeString, renderList, truncateId } from '../shared.ts';
import { LABEL, listProjectContainers, containerName, type ContainerSummary } from '../../../compose/index.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

const TABLE_FORMAT = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}';

const HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Name: 'NAME', Names: 'NAMES', Project: 'PROJECT', Service: 'SERVICE', Image: 'IMAGE', Command: 'COMMAND',
  CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Labels: 'LABELS',
  Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', ExitCode: 'EXIT CODE', Health: 'HEALTH', Publishers: 'PUBLISHERS',
};


/** What compose's Ps adds to the list entry from inspect. */
export interface PsDetails {
  exitCode: number;
  health: string;
}

interface Publisher {
  URL: string;
  TargetPort: number;
  PublishedPort: number;
  Protocol: string;
}

/** compose's publishers: the list entry's ports, sorted by target port then protocol. */
function publishers(c: ContainerSummary): Publisher[] {
  return (c.Ports ?? [])
    .map((p) => ({ URL: p.IP ?? '', TargetPort: p.PrivatePort, PublishedPort: p.PublicPort ?? 0, Protocol: p.Type }))
    .sort((a, b) => a.TargetPort - b.TargetPort || (a.Protocol < b.Protocol ? -1 : a.Protocol > b.Protocol ? 1 : 0));
}

/** One row as compose's ContainerContext shows it (keys in Go's sorted-map JSON order). */
export function psRow(c: ContainerSummary, details: PsDetails, trunc: boolean, now?: number): object {
  const labels = c.Labels ?? {};
  const mounts = ((c.Mounts ?? []) as { Name?: string; Source?: string; Type?: string }[]).map((m) => {
    const name = m.Name || m.Source || '';
    return trunc ? ellipsis(name, 15) : name;
  });
  const pubs = publishers(c);
  const row = {
    Command: goQuote(trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? ''),
    CreatedAt: goTimeString(c.Created ?? 0),
    ExitCode: details.exitCode,
    Health: details.health,
    ID: trunc ? truncateId(c.Id) : c.Id,
    Image: c.Image ?? '',
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String(((c.Mounts ?? []) as { Type?: string }[]).filter((m) => m.Type === 'volume').length),
    Mounts: mounts.join(','),
    Name: containerName(c),
    Names: (c.Names ?? []).map((n) => n.replace(/^\//, '')).filter((n) => !trunc || !n.includes('/')).slice(0, trunc ? 1 : undefined).join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
    Ports: displayablePorts(pubs.map((p) => ({ IP: p.URL || undefined, PrivatePort: p.TargetPort, PublicPort: p.PublishedPort || undefined, Type: p.Protocol }))),
    Project: labels[LABEL.project] ?? '',
    Publishers: pubs,
    RunningFor: timeAgo(c.Created ?? 0, now),
    Service: labels[LABEL.service] ?? '',
    Size: '0B',
    State: c.State ?? '',
    Status: c.Status ?? '',
  };
  Object.defineProperty(row, 'Label', { enumerable: false, value: (key: string) => labels[key] ?? '' });
  return row;
}

/** compose ps's --filter: only status=VALUE. */
export function parsePsFilter(filter: string): string[] {
  if (!filter) return [];
  const eq = filter.indexOf('=');
  if (eq < 0) throw new Error('arguments to --filter should be in form KEY=VAL');
  const key = filter.slice(0, eq);
  if (key === 'status') return [filter.slice(eq + 1)];
  if (key === 'source') throw new Error('not implemented');
  throw new Error(`unknown filter ${key}`);
}

export const psCommand: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List containers',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Show all stopped containers (including those created by the run command)' },
    { name: 'filter', type: 'string', usage: 'Filter services by a property (supported filters: status)' },
    { name: 'format', type: 'string', usage: FORMAT_HELP },
    { name: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { name: 'orphans', type: 'bool', usage: 'Include orphaned services (not declared by project)', default: true },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
    { name: 'services', type: 'bool', usage: 'Display services' },
    { name: 'status', type: 'list', usage: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]', valueName: 'stringArray' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    const status = [...flags.list('status'), ...parsePsFilter(flags.string('filter'))];
    const ref = await projectOrName(ctx);
    let services = args;
    if (ref.project) {
      checkServices(ref.project, args);
      if (!args.length && !flags.bool('orphans')) services = Object.keys(ref.project.services);
    }
    let containers = await listProjectContainers(ctx.client, ref.name, {
      all: flags.bool('all') || status.length > 0,
      services,
      oneOff: flags.bool('all') ? 'include' : 'exclude',
    });
    if (status.length) containers = containers.filter((c) => status.includes(c.State));
    containers.sort((a, b) => (containerName(a) < containerName(b) ? -1 : containerName(a) > containerName(b) ? 1 : 0));
    if (flags.bool('quiet')) {
      ctx.stdout.write(containers.map((c) => c.Id + '\n').join(''));
      return 0;
    }
    if (flags.bool('services')) {
      const names: string[] = [];
      for (const c of containers) {
        const s = c.Labels[LABEL.service] ?? '';
        if (!names.includes(s)) names.push(s);
      }
      ctx.stdout.write(names.join('\n') + '\n');
      return 0;
    }
    const details = await Promise.all(containers.map(async (c): Promise<PsDetails> => {
      const i = await ctx.client.json<{ State?: { Status?: string; ExitCode?: number; Health?: { Status?: string } } }>('GET', `/containers/${c.Id}/json`).catch(() => undefined);
      const st = i?.State;
      return {
        exitCode: st?.Status === 'exited' || st?.Status === 'dead' ? st.ExitCode ?? 0 : 0,
        health: st?.Status === 'running' ? st.Health?.Status ?? '' : '',
      };
    }));
    const format = flags.string('format') || (typeof ctx.config.psFormat === 'string' ? ctx.config.psFormat : '');
    const rows = containers.map((c, i) => psRow(c, details[i]!, !flags.bool('no-trunc')));
    ctx.stdout.write(renderList(rows, { format, defaultFormat: TABLE_FORMAT, headers: HEADERS, rowType: '*formatter.ContainerContext' }));
    return 0;
  }),
};

