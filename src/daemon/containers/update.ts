// docker update (moby daemon/update.go): the merge and checks are in ../update.ts; this verb
// runs them under the container's lock, saves the record and applies the limits to a live one.
import { updateContainer } from '../update.ts';
import { saveRecord } from './record.ts';
import { runtimeOf } from './container.ts';
import { publish, type ContainerContext } from './context.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'runtime' | 'defaultRuntime' | 'events' | 'dataRoot'>;

export async function updateContainerVerb(ctx: Ctx, ref: string, body: Record<string, unknown>, version: string): Promise<{ Warnings: string[] }> {
  const c = ctx.store.get(ref);
  return ctx.locks.run(c.rec.ID, async () => {
    const out = await updateContainer(
      { id: c.rec.ID, hostConfig: c.hostConfig, removing: c.state.removingOrDead, live: c.state.live },
      body, version, {
        save: async (hc) => {
          await saveRecord(ctx.dataRoot, c.rec, hc);
          c.hostConfig = hc;
        },
        setRestartPolicy: (p) => c.restart.setPolicy(p),
        applyResources: (r) => ctx.runtime.updateResources(c.rec.ID, runtimeOf(c, ctx.defaultRuntime), r),
      });
    publish(ctx, c, 'update');
    return out;
  });
}
