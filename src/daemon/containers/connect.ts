// docker network connect / disconnect of a container (moby daemon/container_operations.go):
// recorded for a stopped container, plumbed at once into a running one.
import { BerthError, conflict, notFound } from '../../common/index.ts';
import type { NetworkRecord } from '../../network/index.ts';
import { isContainerMode, type EndpointSettings } from './networking.ts';
import { save, type ContainerContext } from './context.ts';
import type { Container } from './container.ts';

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'networking' | 'dataRoot'>;

export async function connectContainer(ctx: Ctx, ref: string, net: NetworkRecord, cfg: Partial<EndpointSettings> | undefined): Promise<Container> {
  const c = ctx.store.get(ref);
  await ctx.locks.run(c.rec.ID, async () => {
    const mode = c.hostConfig.NetworkMode || 'default';
    if (mode === 'host' || mode === 'none' || isContainerMode(mode)) {
      throw new BerthError('Forbidden', `container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    if (c.state.paused) throw conflict(`Container ${c.rec.ID} is paused, unpause the container before connecting`);
    await ctx.networking.connect(c.rec, net, cfg, c.state.running ? c.state.pid : undefined);
    await save(ctx, c);
  });
  return c;
}

/** With `force`, a missing container is not an error to the caller's loop (network rm). */
export async function disconnectContainer(ctx: Ctx, ref: string, net: NetworkRecord, force: boolean): Promise<Container> {
  const c = force ? ctx.store.find(ref) : ctx.store.get(ref);
  if (!c) throw notFound(`No such container: ${ref}`);
  await ctx.locks.run(c.rec.ID, async () => {
    const mode = c.hostConfig.NetworkMode || 'default';
    if (mode === 'host' || isContainerMode(mode)) throw new BerthError('Forbidden', 'container cannot be disconnected from host network or connected to host network');
    await ctx.networking.disconnect(c.rec, net, c.state.running ? c.state.pid : undefined);
    await save(ctx, c);
  });
  return c;
}
