// `berth compose wait SERVICE...`: blocks until the first container of those services stops and
// exits with its code, as docker compose v2; --down-project then removes the project.
import type { CommandSpec } from '../../framework/types.ts';
import { listProjectContainers } from '../../../compose/index.ts';
import { composeEngine } from './engine-context.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

export const waitCommand: CommandSpec = {
  name: 'wait',
  usage: 'SERVICE [SERVICE...] [OPTIONS]',
  short: 'Block until containers of all (or specified) services stop.',
  flags: [{ name: 'down-project', type: 'bool', usage: 'Drops project when the first container stops' }],
  args: { min: 1 },
  run: composeRun(async (ctx, flags, args) => {
    const ref = await projectOrName(ctx);
    checkServices(ref.project, args);
    const containers = await listProjectContainers(ctx.client, ref.name, { services: args, oneOff: 'include' });
    if (!containers.length) throw new Error(`no containers for project ${JSON.stringify(ref.name)}`);
    const abort = new AbortController();
    const waits = containers.map(async (c) => {
      const res = await ctx.client.json<{ StatusCode: number }>('POST', `/containers/${c.Id}/wait`, { query: { condition: 'not-running' }, signal: abort.signal });
      return res.StatusCode;
    });
    let code: number;
    try {
      code = await Promise.race(waits);
    } finally {
      abort.abort();
      for (const w of waits) w.catch(() => {});
    }
    if (flags.bool('down-project')) await composeEngine(ctx).down(ref, { removeOrphans: true });
    return code;
  }),
};
