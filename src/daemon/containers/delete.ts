// docker rm (moby daemon/delete.go): refuse a running container unless forced (then kill it),
// mark the removal in progress, delete the runtime state, the writable layer and the record,
// and only then forget the container. A removal that fails half-way leaves it "dead".
import { rm } from 'node:fs/promises';
import { conflict, systemError } from '../../common/index.ts';
import { cancelRestart, pathsOf, runtimeOf, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { killWithSignal } from './kill.ts';
import { releaseVolumes } from './mount-points.ts';
import { parentsOf, unlink } from './links.ts';
import { refreshHostsFile } from './endpoints.ts';

export interface RemoveOptions {
  force: boolean;
  volumes: boolean;
}

type Ctx = Pick<ContainerContext, 'store' | 'execs' | 'locks' | 'runtime' | 'defaultRuntime' | 'layers' | 'events' | 'dataRoot' | 'execRoot' | 'volumes' | 'log'>;

/**
 * docker rm --link (moby rmLink): removes the link named `name` ("/parent/alias"); the parent's
 * record is saved and, when it runs, its /etc/hosts loses the link's line.
 */
export async function removeLink(ctx: Pick<ContainerContext, 'store' | 'locks' | 'dataRoot' | 'networking' | 'dnsFor'>, name: string): Promise<void> {
  const child = ctx.store.get(name);
  if (child.state.removingOrDead) throw conflict(`removal of container ${name} is already in progress`);
  const parentName = (name.startsWith('/') ? name : `/${name}`).replace(/\/[^/]*$/, '');
  const parent = parentName ? ctx.store.find(parentName) : undefined;
  const run = (fn: () => Promise<void>) => (parent ? ctx.locks.run(parent.rec.ID, fn) : fn());
  await run(async () => {
    const p = unlink(ctx.store, name);
    if (!p) return;
    await save(ctx, p);
    await refreshHostsFile(ctx, p).catch(() => {});
  });
}

export async function removeContainer(ctx: Ctx, ref: string, opts: RemoveOptions): Promise<void> {
  const c = ctx.store.get(ref);
  if (c.state.running && !opts.force) {
    if (c.state.paused) throw conflict(`cannot remove container "${c.rec.Name}": container is paused and must be unpaused first`);
    throw runningConflict(c);
  }
  if (opts.force) {
    cancelRestart(c);
    c.rec.HasBeenManuallyStopped = true;
    if (c.state.running) {
      c.stopping = true;
      try {
        const exited = c.state.nextExit();
        publish(ctx, c, 'kill', { signal: '9' });
        await killWithSignal(ctx, c, 9);
        await exited;
      } finally {
        c.stopping = false;
      }
    }
  }
  await ctx.locks.run(c.rec.ID, () => removeLocked(ctx, c, opts.volumes));
}

/** Removes a stopped container (and, with `removeVolumes`, its anonymous volumes); call it under the container's lock. */
export async function removeLocked(ctx: Omit<Ctx, 'locks'>, c: Container, removeVolumes = false): Promise<void> {
  if (!ctx.store.has(c)) return;
  if (c.state.running) throw runningConflict(c);
  c.state.setRemovalInProgress();
  cancelRestart(c);
  const { stateDir, dir } = pathsOf(ctx, c.rec.ID);
  try {
    await ctx.runtime.delete(c.rec.ID, runtimeOf(c, ctx.defaultRuntime)).catch(() => {});
    await ctx.layers.removeRW(c.rec.ID);
    await rm(stateDir, { recursive: true, force: true });
    // A container removed at the same time may be writing this one's record as it drops its
    // link (below): a file landing mid-removal makes rmdir fail with ENOTEMPTY, and Node retries.
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch (err) {
    c.state.setDead();
    await save(ctx, c).catch(() => {});
    throw systemError(`unable to remove filesystem for ${c.rec.ID}: ${(err as Error).message}`);
  }
  for (const execId of c.execIds) ctx.execs.delete(execId);
  ctx.store.delete(c);
  // Containers that linked to it lose the link (moby linkIndex.delete).
  for (const parent of parentsOf(ctx.store, c.rec.ID)) {
    if (parent.state.removing) continue; // going too (`docker rm linker linked`): its record with it
    parent.rec.Links = (parent.rec.Links ?? []).filter((l) => l.ID !== c.rec.ID);
    await save(ctx, parent).catch(() => {});
  }
  await releaseVolumes(ctx, c, removeVolumes);
  publish(ctx, c, 'destroy');
  c.state.setRemoved();
}

function runningConflict(c: Container) {
  return conflict(`cannot remove container "${c.rec.Name}": container is running: stop the container before removing or force remove`);
}
