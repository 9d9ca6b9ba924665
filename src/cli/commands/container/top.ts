// `berth container top CONTAINER [ps OPTIONS]`: the daemon's ps output in docker's table.
import type { CommandSpec } from '../../framework/types.ts';
import { TabWriter } from '../../format/index.ts';

export const topCommand: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  args: { min: 1 },
  stopAtFirstArg: true,
  async run(ctx, _flags, args) {
    const [container, ...psArgs] = args;
    const top = await ctx.client.json<{ Titles: string[]; Processes: string[][] | null }>('GET', `/containers/${encodeURIComponent(container)}/top`, {
      query: { ps_args: psArgs.length ? psArgs.join(' ') : undefined },
    });
    const text = [top.Titles.join('\t'), ...(top.Processes ?? []).map((p) => p.join('\t'))].join('\n') + '\n';
    // docker's top: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
    const tw = new TabWriter(20, 1, 3);
    tw.write(text);
    ctx.stdout.write(tw.flush());
  },
};
