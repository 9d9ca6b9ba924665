// `berth compose wait SERVICE...`: blocks until the first container of those services stops and
// exits with its code, as docker compose v2; --down-project then removes the project.
import type { CommandContext, CommandSpec } from '../../framework/types.ts';
import { LABEL, listProjectContainers } from '../../../compose/index.ts';
import { checkServices, composeRun, projectOrName } from './shared.ts';

/**
 * Removes the project after `wait --down-project`.
 * CALL SITE for the engine's `down` (cmp-engine): until it is merged, the project's containers
 * are removed (forced) and its networks deleted directly, which is what `down` does for a
 * project without volumes to keep.
 */
async function downProject(ctx: CommandContext, project: string): Promise<void> {
  const all = await listProjectContainers(ctx.client, project, { all: true, oneOff: 'include' });
  await Promise.all(all.map((c) => ctx.client.request('DELETE', `/containers/${c.Id}`, { query: { force: 1 } }).then((r) => r.body.resume())));
  const nets = await ctx.client.json<{ Id: string }[]>('GET', '/networks', { query: { filters: { label: [`${LABEL.project}=${project}`] } } });
  await Promise.all(nets.map((n) => ctx.client.request('DELETE', `/networks/${n.Id}`).then((r) => r.body.resume())));
}

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
    if (flags.bool('down-project')) await downProject(ctx, ref.name);
    return code;
  }),
};
