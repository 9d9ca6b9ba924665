// `berth compose images`: the image of each project container (CONTAINER REPOSITORY TAG IMAGE ID
// SIZE), as docker compose v2 lists them.
import type { CommandSpec } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { humanSize, TabWriter } from '../../format/index.ts';
import { truncateId } from '../shared.ts';
import { containerName, listProjectContainers } from '../../../compose/index.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

export interface ImageRow {
  ID: string;
  ContainerName: string;
  Repository: string;
  Tag: string;
  Size: number;
}

/** The repository and tag of the first RepoTag ("host:5000/a/b:tag" keeps its port in the repository). */
export function splitRepoTag(repoTag: string | undefined): [string, string] {
  if (!repoTag) return ['', ''];
  const colon = repoTag.lastIndexOf(':');
  if (colon < 0 || repoTag.indexOf('/', colon) >= 0) return [repoTag, ''];
  return [repoTag.slice(0, colon), repoTag.slice(colon + 1)];
}

export function imagesTable(rows: readonly ImageRow[]): string {
  const tw = new TabWriter(20, 1, 3);
  tw.write('CONTAINER\tREPOSITORY\tTAG\tIMAGE ID\tSIZE\n' + rows.map((r) =>
    `${r.ContainerName}\t${r.Repository || '<none>'}\t${r.Tag || '<none>'}\t${truncateId(r.ID)}\t${humanSize(r.Size)}\n`).join(''));
  return tw.flush();
}

export const imagesCommand: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [SERVICE...]',
  short: 'List images used by the created containers',
  flags: [
    { name: 'format', type: 'string', usage: 'Format the output. Values: [table | json]', default: 'table' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only display IDs' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    const format = flags.string('format').toLowerCase();
    if (!['table', 'pretty', '', 'json'].includes(format)) throw new StatusError(1, `format value ${JSON.stringify(flags.string('format'))} could not be parsed: parsing failed`);
    const ref = await projectOrName(ctx);
    checkServices(ref.project, args);
    const containers = await listProjectContainers(ctx.client, ref.name, { all: true, services: args, oneOff: 'exclude' });
    const ids = [...new Set(containers.map((c) => c.ImageID))];
    const images = new Map<string, { Id: string; RepoTags?: string[]; Size?: number }>();
    await Promise.all(ids.map(async (id) => {
      const img = await ctx.client.json<{ Id: string; RepoTags?: string[]; Size?: number }>('GET', `/images/${encodeURIComponent(id)}/json`).catch(() => undefined);
      if (img) images.set(id, img);
    }));
    const rows: ImageRow[] = [];
    for (const c of containers) {
      const img = images.get(c.ImageID);
      if (!img) continue;
      const [Repository, Tag] = splitRepoTag(img.RepoTags?.[0]);
      rows.push({ ID: img.Id, ContainerName: containerName(c), Repository, Tag, Size: img.Size ?? 0 });
    }
    if (flags.bool('quiet')) {
      const seen = [...new Set(rows.map((r) => r.ID.replace(/^[^:]*:/, '')))];
      ctx.stdout.write(seen.map((x) => x + '\n').join(''));
      return 0;
    }
    rows.sort((a, b) => (a.ContainerName < b.ContainerName ? -1 : a.ContainerName > b.ContainerName ? 1 : 0));
    ctx.stdout.write(format === 'json' ? JSON.stringify(rows) + '\n' : imagesTable(rows));
    return 0;
  }),
};
