// What the verbs share (moby's Daemon, cut down): the boxes, the container store, the exec
// store, the per-container lock and the daemon's lifecycle. Each verb takes the part it uses.
import type { KeyedLock } from '../../common/index.ts';
import { saveState } from './record.ts';
import type { ContainerDeps } from './deps.ts';
import type { ContainerStore } from './store.ts';
import type { ExecStore } from './exec.ts';
import type { Container } from './container.ts';

export interface ContainerContext extends ContainerDeps {
  store: ContainerStore;
  execs: ExecStore;
  /** One operation at a time per container ID. */
  locks: KeyedLock;
  lifecycle: { shuttingDown: boolean };
  /** Follows a started container until its exit is recorded (monitor.ts). */
  watchExit(c: Container): void;
}

/** A container event with Docker's attributes: labels, image, name, then the action's own. */
export function publish(ctx: Pick<ContainerContext, 'events'>, c: Container, action: string, extra: Record<string, string> = {}): void {
  const attrs: Record<string, string> = { ...(c.rec.Config.Labels ?? {}), image: c.rec.Config.Image, name: c.rec.Name.slice(1), ...extra };
  ctx.events.publish({ Type: 'container', Action: action, Actor: { ID: c.rec.ID, Attributes: attrs } });
}

/** Saves the record (with its state) atomically. */
export function save(ctx: Pick<ContainerContext, 'dataRoot'>, c: Container): Promise<void> {
  return saveState(ctx.dataRoot, c.rec);
}
