// `berth container logs`: the daemon's log stream, demultiplexed to stdout and stderr (or copied
// as is for a TTY container), with docker's --since/--until/--tail/-t/-f/--details.
import type { CommandSpec } from '../../framework/types.ts';
import { Demuxer, STDERR } from '../../../common/index.ts';
import { timestampFlag, untilInterrupted } from '../shared.ts';

function write(stream: NodeJS.WritableStream, data: Uint8Array): Promise<void> | undefined {
  if (stream.write(data)) return undefined;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}

export const logsCommand: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  short: 'Fetch the logs of a container',
  flags: [
    { name: 'details', type: 'bool', usage: 'Show extra details provided to logs' },
    { name: 'follow', short: 'f', type: 'bool', usage: 'Follow log output' },
    { name: 'since', type: 'string', usage: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
    { name: 'tail', short: 'n', type: 'string', usage: 'Number of lines to show from the end of the logs', default: 'all' },
    { name: 'timestamps', short: 't', type: 'bool', usage: 'Show timestamps' },
    { name: 'until', type: 'string', usage: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, flags, args) {
    const id = encodeURIComponent(args[0]);
    const c = await ctx.client.json<{ Config?: { Tty?: boolean } }>('GET', `/containers/${id}/json`);
    const now = Date.now();
    const since = timestampFlag(flags, 'since', now, 'invalid value for "since": ');
    const until = timestampFlag(flags, 'until', now, 'invalid value for "until": ');
    return untilInterrupted(async (signal) => {
      const res = await ctx.client.call('GET', `/containers/${id}/logs`, {
        query: {
          stdout: '1', stderr: '1',
          since,
          until,
          timestamps: flags.bool('timestamps') ? '1' : undefined,
          follow: flags.bool('follow') ? '1' : undefined,
          tail: flags.string('tail') || 'all',
          details: flags.bool('details') ? '1' : undefined,
        },
        signal,
      });
      const raw = c.Config?.Tty || String(res.headers['content-type'] ?? '').includes('raw-stream');
      const demux = new Demuxer();
      for await (const chunk of res.body) {
        if (raw) {
          await write(ctx.stdout, chunk);
          continue;
        }
        for (const frame of demux.push(chunk)) await write(frame.stream === STDERR ? ctx.stderr : ctx.stdout, frame.data);
      }
    });
  },
};
