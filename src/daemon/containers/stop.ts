// docker stop (moby daemon/stop.go): the stop signal, then SIGKILL after the timeout; done once
// the exit is recorded. A container waiting to restart is just kept from restarting.
import { notModified } from '../../common/index.ts';
import { signalNumber } from './signals.ts';
import { cancelRestart, type Container } from './container.ts';
import { publish, save, type ContainerContext } from './context.ts';
import { killWithSignal } from './kill.ts';

export const DEFAULT_STOP_TIMEOUT = 10;

/** The longest delay a Node timer holds (2^31-1 ms): a longer one would fire at once. */
const MAX_TIMER_MS = 0x7fffffff;

export interface StopOptions {
  /** Seconds before SIGKILL; negative (or beyond a timer's range) waits forever, 0 kills at once. */
  timeout?: number;
  signal?: string;
}

type Ctx = Pick<ContainerContext, 'store' | 'locks' | 'runtime' | 'defaultRuntime' | 'events' | 'dataRoot'>;

export async function stopContainer(ctx: Ctx, ref: string, opts: StopOptions): Promise<void> {
  const c = ctx.store.get(ref);
  await ctx.locks.run(c.rec.ID, async () => {
    c.rec.HasBeenManuallyStopped = true;
    if (cancelRestart(c)) {
      await save(ctx, c);
      return;
    }
    if (!c.state.running) throw notModified('container already stopped');
    await save(ctx, c);
  });
  await stopRunning(ctx, c, opts);
}

/** StopSignal, then SIGKILL after the timeout; resolves once the exit is recorded. */
export async function stopRunning(ctx: Pick<ContainerContext, 'runtime' | 'defaultRuntime' | 'events'>, c: Container, opts: StopOptions): Promise<void> {
  if (!c.state.running) return;
  const signal = opts.signal || c.rec.Config.StopSignal || 'SIGTERM';
  const timeout = opts.timeout ?? c.rec.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
  const exited = c.state.nextExit();
  c.stopping = true;
  try {
    if (c.state.paused) await ctx.runtime.resume(c.rec.ID, c.hostConfig.Runtime || ctx.defaultRuntime).catch(() => {});
    publish(ctx, c, 'kill', { signal: String(signalNumber(signal)) });
    if (timeout !== 0) {
      await killWithSignal(ctx, c, signalNumber(signal));
      // Beyond a timer's range (a StopTimeout or `t` of years) is forever, as the API's `t` is.
      if (timeout < 0 || timeout * 1000 > MAX_TIMER_MS) {
        await exited;
        return;
      }
      if (await exitsWithin(exited, timeout * 1000)) return;
    }
    publish(ctx, c, 'kill', { signal: '9' });
    await killWithSignal(ctx, c, 9);
    await exited;
  } finally {
    c.stopping = false;
    publish(ctx, c, 'stop');
  }
}

/** Whether `exited` settles within `ms` (the timer does not outlive it). */
async function exitsWithin(exited: Promise<number>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([exited.then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
