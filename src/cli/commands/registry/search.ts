// `berth search [OPTIONS] TERM`: docker/cli's registry/search.go and formatter_search.go. The
// daemon asks the registry the term names (Docker Hub, or the host before the first "/"); the
// CLI sorts by stars and prints NAME, DESCRIPTION, STARS, OFFICIAL.
import type { CommandSpec } from '../../framework/types.ts';
import { registryAuthHeader, searchIndexKey } from '../../credentials/index.ts';
import { ellipsis, filterFlag, filtersQuery, parseFilters, renderList } from '../shared.ts';

const DEFAULT_FORMAT = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';
const HEADERS: Record<string, string> = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };

interface SearchResult {
  name?: string;
  description?: string;
  star_count?: number;
  is_official?: boolean;
  is_automated?: boolean;
}

/** One row as docker's searchContext shows it (JSON output gives true/false instead of [OK]/""). */
function searchRow(r: SearchResult, trunc: boolean, json: boolean): object {
  let desc = (r.description ?? '').replace(/\n/g, ' ').replace(/\r/g, ' ');
  if (trunc) desc = ellipsis(desc, 45);
  const flag = (v: boolean | undefined): string => (json ? String(Boolean(v)) : v ? '[OK]' : '');
  return { Description: desc, IsAutomated: flag(r.is_automated), IsOfficial: flag(r.is_official), Name: r.name ?? '', StarCount: String(r.star_count ?? 0) };
}

export const searchCommand: CommandSpec = {
  name: 'search',
  usage: '[OPTIONS] TERM',
  short: 'Search Docker Hub for images',
  flags: [
    filterFlag(),
    { name: 'format', type: 'string', usage: 'Pretty-print search using a Go template' },
    { name: 'limit', type: 'int', usage: 'Max number of search results' },
    { name: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const term = args[0]!;
    const filters = parseFilters(flags);
    const limit = flags.int('limit');
    const auth = await registryAuthHeader(ctx, searchIndexKey(term));
    const results = await ctx.client.json<SearchResult[]>('GET', '/images/search', {
      query: { term, limit: limit > 0 ? limit : undefined, filters: filtersQuery(filters) },
      headers: { 'X-Registry-Auth': auth },
    });
    const list = Array.isArray(results) ? results : [];
    // sort.Slice by stars, most first (stable here, so equal stars keep the registry's order).
    const sorted = [...list].sort((a, b) => (b.star_count ?? 0) - (a.star_count ?? 0));
    const format = flags.string('format');
    const json = format === 'json';
    const rows = sorted.map((r) => searchRow(r, !flags.bool('no-trunc'), json));
    ctx.stdout.write(renderList(rows, { format, defaultFormat: DEFAULT_FORMAT, headers: HEADERS }));
    return 0;
  },
};
