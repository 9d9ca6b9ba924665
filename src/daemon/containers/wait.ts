// docker wait (moby daemon/wait.go): the exit code once the condition holds. A client that
// goes away ends only its own wait: nothing is left pending, nothing rejects unobserved.
import { invalidParameter } from '../../common/index.ts';
import type { ContainerContext } from './context.ts';

const CONDITIONS = ['', 'not-running', 'next-exit', 'removed'];

export interface WaitResult {
  StatusCode: number;
  Error?: { Message: string };
}

/** Rejects with WaitAborted (state.ts) when `signal` aborts first. */
export async function waitContainer(ctx: Pick<ContainerContext, 'store'>, ref: string, condition: string, signal: AbortSignal): Promise<WaitResult> {
  const c = ctx.store.get(ref);
  if (!CONDITIONS.includes(condition)) throw invalidParameter(`invalid condition: "${condition}"`);
  if (condition === 'removed') {
    await c.state.waitRemoved(signal);
    return { StatusCode: c.state.exitCode };
  }
  if (condition !== 'next-exit' && !c.state.running && !c.state.restarting) return { StatusCode: c.state.exitCode };
  return { StatusCode: await c.state.nextExit(signal) };
}
