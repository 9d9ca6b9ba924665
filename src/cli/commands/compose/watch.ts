// `berth compose watch [SERVICE...]`: brings the project up (unless --no-up), then follows the
// services' develop.watch triggers (src/compose/watch): sync, sync+restart, restart, rebuild.
import type { CommandSpec } from '../../framework/types.ts';
import { LogConsumer, WATCH_LOGGER, watchProject, watchTriggers, withServicesEnabled } from '../../../compose/index.ts';
import { untilInterrupted } from '../shared.ts';
import { composeEngine } from './engine-context.ts';
import { composeRun, requireProject } from './shared.ts';

export const watchCommand: CommandSpec = {
  name: 'watch',
  usage: '[SERVICE...]',
  short: 'Watch build context for service and rebuild/refresh containers when files are updated',
  flags: [
    { name: 'no-up', type: 'bool', usage: 'Do not build & start services before watching' },
    { name: 'prune', type: 'bool', usage: 'Prune dangling images on rebuild', default: true },
    { name: 'quiet', type: 'bool', usage: 'hide build output' },
  ],
  run: composeRun(async (ctx, flags, args) => {
    let project = await requireProject(ctx);
    if (args.length) project = withServicesEnabled(project, args);
    // Checked before anything starts: a project without triggers is an error.
    watchTriggers(project, args);
    const engine = composeEngine(ctx, { quiet: flags.bool('quiet') });
    if (!flags.bool('no-up')) await engine.up(project, { services: args, detach: true });
    // compose's watch prints its own lines only: no prefix, no colour.
    const consumer = new LogConsumer({ stdout: ctx.stdout, stderr: ctx.stderr, color: false, prefix: false });
    const code = await untilInterrupted((signal) => watchProject(ctx.client, project, {
      services: args,
      log: (m) => consumer.log(WATCH_LOGGER, m),
      error: (m) => consumer.err(WATCH_LOGGER, m),
      rebuild: async (service) => {
        await engine.recreateService(project, service, { build: true });
      },
      prune: flags.bool('prune'),
      signal,
    }));
    return code ?? 0;
  }),
};
