// `berth compose ls`: the projects the engine holds, found from their containers' labels, as
// docker compose v2 lists them (NAME STATUS CONFIG FILES, status like "exited(1), running(2)").
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { TabWriter } from '../../format/index.ts';
import { LABEL, type ContainerSummary } from '../../../compose/index.ts';
import { composeRun } from './shared.ts';

export interface Stack {
  Name: string;
  Status: string;
  ConfigFiles: string;
}

/** compose's combinedStatus: each state with its count, states in byte order. */
export function combinedStatus(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts.keys()].sort().map((s) => `${s}(${counts.get(s)})`).join(', ');
}

/** compose's containersToStacks: one stack per project label, projects in byte order. */
export function containersToStacks(containers: readonly ContainerSummary[]): Stack[] {
  const byProject = new Map<string, ContainerSummary[]>();
  for (const c of containers) {
    const p = c.Labels?.[LABEL.project];
    if (p === undefined) continue;
    if (!byProject.has(p)) byProject.set(p, []);
    byProject.get(p)!.push(c);
  }
  return [...byProject.keys()].sort().map((name) => {
    const list = byProject.get(name)!;
    const files: string[] = [];
    for (const c of list) {
      const f = c.Labels[LABEL.configFiles];
      if (f === undefined) throw new Error(`No label ${JSON.stringify(LABEL.configFiles)} set on container ${JSON.stringify(c.Id)} of compose project`);
      if (!files.includes(f)) files.push(f);
    }
    return { Name: name, Status: combinedStatus(list.map((c) => c.State)), ConfigFiles: files.join(',') };
  });
}

/** The name filter: docker's filters.Match, a regular expression search. */
function nameMatches(patterns: string[], name: string): boolean {
  return patterns.some((p) => {
    try {
      return new RegExp(p).test(name);
    } catch {
      return p === name;
    }
  });
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  usage: '[OPTIONS]',
  short: 'List running compose projects',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Show all stopped Compose projects' },
    { name: 'filter', type: 'list', usage: 'Filter output based on conditions provided', valueName: 'filter' },
    { name: 'format', type: 'string', usage: 'Format the output. Values: [table | json]', default: 'table' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display project names' },
  ],
  args: { max: 0 },
  run: composeRun(async (ctx, flags) => {
    const names: string[] = [];
    for (const f of flags.list('filter')) {
      const eq = f.indexOf('=');
      if (eq < 0) throw new StatusError(1, `bad format of filter (expected name=value)`);
      const key = f.slice(0, eq).trim().toLowerCase();
      if (key !== 'name') throw new StatusError(1, `invalid filter '${key}'`);
      names.push(f.slice(eq + 1).trim());
    }
    const format = flags.string('format').toLowerCase();
    if (!['table', 'pretty', '', 'json'].includes(format)) {
      throw new StatusError(1, `format value ${JSON.stringify(flags.string('format'))} could not be parsed: parsing failed`);
    }
    const containers = await ctx.client.json<ContainerSummary[]>('GET', '/containers/json', {
      query: { all: flags.bool('all') ? 1 : undefined, filters: { label: [LABEL.project] } },
    });
    let stacks = containersToStacks(containers);
    if (names.length) stacks = stacks.filter((s) => nameMatches(names, s.Name));
    if (flags.bool('quiet')) {
      ctx.stdout.write(stacks.map((s) => s.Name + '\n').join(''));
      return 0;
    }
    if (format === 'json') {
      ctx.stdout.write(JSON.stringify(stacks) + '\n');
      return 0;
    }
    // compose's PrintPrettySection: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
    const tw = new TabWriter(20, 1, 3);
    tw.write('NAME\tSTATUS\tCONFIG FILES\n' + stacks.map((s) => `${s.Name}\t${s.Status}\t${s.ConfigFiles}\n`).join(''));
    ctx.stdout.write(tw.flush());
    return 0;
  }),
};
