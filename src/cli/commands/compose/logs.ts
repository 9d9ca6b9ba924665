// `berth compose logs`: the logs of the project's containers through compose's log printer
// (`web-1  | line`, one colour per container), all containers at once, following with -f.
import type { CommandSpec } from '../../framework/types.ts';
import { LABEL, LogConsumer, containerDisplayName, listProjectContainers, streamContainerLogs } from '../../../compose/index.ts';
import { timestampFlag, untilInterrupted } from '../shared.ts';
import { checkServices, composeRun, indexFlag, projectOrName, useColor } from './shared.ts';

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
    const code = await untilInterrupted(async (signal) => {
      await Promise.all(containers.map((c) => streamContainerLogs(ctx.client, c, consumer, {
        follow: flags.bool('follow'), since, until, tail: flags.string('tail'), timestamps: flags.bool('timestamps'), signal,
      })));
    });
    return code ?? 0;
  }),
};
