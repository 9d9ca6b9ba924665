// docker kill (moby daemon/kill.go): a signal to the container's init process. A process that
// is already gone is not an error: its exit is on its way to the monitor, which records it.
import { conflict, systemError } from '../../common/index.ts';
import { signalNumber } from './signals.ts';
import { runtimeOf, type Container } from './container.ts';
import { publish, type ContainerContext } from './context.ts';

type Ctx = Pick<ContainerContext, 'store' | 'runtime' | 'defaultRuntime' | 'events'>;

export async function killContainer(ctx: Ctx, ref: string, signal?: string): Promise<void> {
  const c = ctx.store.get(ref);
  const sig = signalNumber(signal || 'SIGKILL');
  if (!c.state.running) throw conflict(`Cannot kill container: ${ref}: Container ${c.rec.ID} is not running`);
  if (sig === 9) {
    c.rec.HasBeenManuallyStopped = true;
    c.stopping = true;
  }
  const exited = c.state.nextExit();
  publish(ctx, c, 'kill', { signal: String(sig) });
  try {
    await killWithSignal(ctx, c, sig);
    if (sig === 9) await exited;
  } finally {
    if (sig === 9) c.stopping = false;
  }
}

/**
 * Sends `sig` to a running container's init (all its processes for SIGKILL). The runtime's
 * "not running" or "does not exist" means the process exited and its exit is not recorded yet:
 * the caller waits for that exit as it would after a successful kill.
 */
export async function killWithSignal(ctx: Pick<ContainerContext, 'runtime' | 'defaultRuntime'>, c: Container, sig: number): Promise<void> {
  if (!c.state.running) return;
  try {
    await ctx.runtime.kill(c.rec.ID, runtimeOf(c, ctx.defaultRuntime), sig, sig === 9);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!c.state.running || isProcessGone(message)) return;
    throw systemError(`Cannot kill container: ${c.rec.ID}: ${message}`);
  }
}

/** runc's words for a container whose init has exited (or was deleted after its exit). */
function isProcessGone(message: string): boolean {
  return /container not running|does not exist|no such process/i.test(message);
}
