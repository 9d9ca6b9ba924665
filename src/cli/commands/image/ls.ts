// `berth image ls` (images, image list): docker's image table, one row per repository and tag.
import type { CommandSpec } from '../../framework/types.ts';
import { timeAgo } from '../../format/index.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { filterFlag, filtersQuery, formatFlag, goTimeString, parseFilters, renderList, truncateId } from '../shared.ts';
import { familiarName, parseNormalizedNamed } from './reference.ts';

export const IMAGE_TABLE_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const IMAGE_TABLE_FORMAT_DIGEST = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export const IMAGE_HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE',
  Containers: 'CONTAINERS', VirtualSize: 'VIRTUAL SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
};

export interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Containers?: number;
  Labels?: Record<string, string> | null;
}

function isDangling(img: ImageSummary): boolean {
  const tags = img.RepoTags ?? [];
  const digests = img.RepoDigests ?? [];
  if (!tags.length && !digests.length) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

function imageRow(img: ImageSummary, repo: string, tag: string, digest: string, trunc: boolean, now?: number): object {
  const shared = img.SharedSize ?? -1;
  const containers = img.Containers ?? -1;
  return {
    Containers: containers === -1 ? 'N/A' : String(containers),
    CreatedAt: goTimeString(img.Created),
    CreatedSince: timeAgo(img.Created, now),
    Digest: digest,
    ID: trunc ? truncateId(img.Id) : img.Id,
    Repository: repo,
    SharedSize: shared === -1 ? 'N/A' : humanSizePrecision(shared, 4),
    Size: humanSizePrecision(img.Size, 3),
    Tag: tag,
    UniqueSize: shared === -1 ? 'N/A' : humanSizePrecision(img.Size - shared, 4),
    VirtualSize: humanSizePrecision(img.Size, 4),
  };
}

/** docker/cli's imageFormat: dangling images get one <none> row; others a row per repo and tag. */
export function imageRows(images: readonly ImageSummary[], opts: { trunc: boolean; digests: boolean; now?: number }): object[] {
  const rows: object[] = [];
  for (const img of images) {
    if (isDangling(img)) {
      rows.push(imageRow(img, '<none>', '<none>', '<none>', opts.trunc, opts.now));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const ref of img.RepoTags ?? []) {
      try {
        const r = parseNormalizedNamed(ref);
        if (r.tag === undefined || r.digest !== undefined) continue;
        const name = familiarName(r.name);
        repoTags.set(name, [...(repoTags.get(name) ?? []), r.tag]);
      } catch {
        // not a reference: skipped, as docker does
      }
    }
    for (const ref of img.RepoDigests ?? []) {
      try {
        const r = parseNormalizedNamed(ref);
        if (r.digest === undefined) continue;
        const name = familiarName(r.name);
        repoDigests.set(name, [...(repoDigests.get(name) ?? []), r.digest]);
      } catch {
        // skipped
      }
    }
    for (const [repo, tags] of [...repoTags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const digests = opts.digests ? repoDigests.get(repo) ?? [] : [];
      repoDigests.delete(repo);
      for (const tag of tags) {
        if (!digests.length) rows.push(imageRow(img, repo, tag, '<none>', opts.trunc, opts.now));
        for (const d of digests) rows.push(imageRow(img, repo, tag, d, opts.trunc, opts.now));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (opts.digests) for (const d of digests) rows.push(imageRow(img, repo, '<none>', d, opts.trunc, opts.now));
      else rows.push(imageRow(img, repo, '<none>', '', opts.trunc, opts.now));
    }
  }
  return rows;
}

export const lsCommand: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  flags: [
    { name: 'all', short: 'a', type: 'bool', usage: 'Show all images (default hides intermediate images)' },
    { name: 'digests', type: 'bool', usage: 'Show digests' },
    filterFlag(),
    formatFlag(),
    { name: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only show image IDs' },
  ],
  args: { max: 1 },
  async run(ctx, flags, args) {
    const filters = parseFilters(flags);
    if (args[0]) (filters.reference ??= {})[args[0]] = true;
    const images = await ctx.client.json<ImageSummary[]>('GET', '/images/json', {
      query: { all: flags.bool('all') ? '1' : undefined, filters: filtersQuery(filters) },
    });
    const quiet = flags.bool('quiet');
    const digests = flags.bool('digests');
    let format = flags.string('format');
    if (!format) format = ctx.config.imagesFormat && !quiet ? ctx.config.imagesFormat : 'table';
    let defaultFormat = digests ? IMAGE_TABLE_FORMAT_DIGEST : IMAGE_TABLE_FORMAT;
    if (format === 'table' && quiet) {
      format = '{{.ID}}';
      defaultFormat = format;
    } else if (format.startsWith('table') && format !== 'table' && digests && !format.includes('{{.Digest}}')) {
      format += '\t{{.Digest}}';
    }
    const rows = imageRows(images, { trunc: !flags.bool('no-trunc'), digests });
    ctx.stdout.write(renderList(rows, { format, defaultFormat, headers: IMAGE_HEADERS, rowType: '*formatter.imageContext' }));
  },
};
