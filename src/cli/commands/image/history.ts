// `berth image history` (history): the layers of an image, newest first.
import type { CommandSpec } from '../../framework/types.ts';
import { timeAgo } from '../../format/index.ts';
import { humanSizePrecision } from '../../progress/index.ts';
import { formatRfc3339Nano } from '../../../common/index.ts';
import { ellipsis, formatFlag, platformQuery, renderList, truncateId } from '../shared.ts';

const HISTORY_TABLE_HUMAN = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HISTORY_TABLE_RAW = 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HISTORY_HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT', Tags: 'TAGS' };

interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

function historyRow(h: HistoryItem, human: boolean, trunc: boolean, now?: number): object {
  const createdAt = formatRfc3339Nano(BigInt(h.Created) * 1_000_000_000n);
  const createdBy = h.CreatedBy.replaceAll('\t', ' ');
  const row = {
    Comment: h.Comment,
    CreatedAt: createdAt,
    CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: !human ? createdAt : h.Created <= 0 ? 'N/A' : timeAgo(h.Created, now),
    ID: trunc ? truncateId(h.Id) : h.Id,
    Size: human ? humanSizePrecision(h.Size, 3) : String(h.Size),
  };
  Object.defineProperty(row, 'Tags', { enumerable: false, value: (h.Tags ?? []).join(', ') });
  return row;
}

export const historyCommand: CommandSpec = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  short: 'Show the history of an image',
  flags: [
    formatFlag(),
    { name: 'human', short: 'H', type: 'bool', usage: 'Print sizes and dates in human readable format', default: true },
    { name: 'no-trunc', type: 'bool', usage: "Don't truncate output" },
    { name: 'platform', type: 'string', usage: 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")' },
    { name: 'quiet', short: 'q', type: 'bool', usage: 'Only show image IDs' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const items = await ctx.client.json<HistoryItem[]>('GET', `/images/${encodeURIComponent(args[0])}/history`, {
      query: { platform: platformQuery(flags.string('platform')) },
    });
    const human = flags.bool('human');
    let format = flags.string('format') || 'table';
    let defaultFormat = human ? HISTORY_TABLE_HUMAN : HISTORY_TABLE_RAW;
    if (format === 'table' && flags.bool('quiet')) {
      format = '{{.ID}}';
      defaultFormat = format;
    }
    const rows = items.map((h) => historyRow(h, human, !flags.bool('no-trunc')));
    ctx.stdout.write(renderList(rows, { format, defaultFormat, headers: HISTORY_HEADERS, rowType: '*image.historyContext' }));
  },
};
