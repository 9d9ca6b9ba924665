// `berth compose top`: the processes of each running container of the project, as docker
// compose v2 prints them (the container's name, then ps's table, then a blank line).
import type { CommandSpec } from '../../framework/types.ts';
import { TabWriter } from '../../format/index.ts';
import { containerName, listProjectContainers } from '../../../compose/index.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

/** One container's section: compose's PrintPrettySection (tabwriter 20, 1, 3), rows ending in a tab. */
export function topSection(name: string, titles: readonly string[], processes: readonly (readonly string[])[]): string {
  const tw = new TabWriter(20, 1, 3);
  tw.write(titles.join('\t') + '\n' + processes.map((p) => p.map((x) => x + '\t').join('') + '\n').join('') + '\n');
  return `${name}\n${tw.flush()}`;
}

export const topCommand: CommandSpec = {
  name: 'top',
  usage: '[SERVICES...]',
  short: 'Display the running processes',
  run: composeRun(async (ctx, _flags, args) => {
    const ref = await projectOrName(ctx);
    checkServices(ref.project, args);
    const containers = await listProjectContainers(ctx.client, ref.name, { services: args, oneOff: 'include' });
    const tops = await Promise.all(containers.map((c) => ctx.client.json<{ Titles: string[]; Processes: string[][] | null }>('GET', `/containers/${c.Id}/top`)));
    const order = containers.map((c, i) => ({ name: containerName(c), top: tops[i]! })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const { name, top } of order) ctx.stdout.write(topSection(name, top.Titles, top.Processes ?? []));
    return 0;
  }),
};
