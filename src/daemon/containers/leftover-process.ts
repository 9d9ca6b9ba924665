// A container that is not running may still have a process left by a daemon that died while
// starting it (kill -9 between the runtime's create and start): its shim and `runc init` wait
// forever. Restore removes them, so the container is Created (or Exited) and nothing else.
import { rm, stat } from 'node:fs/promises';

export interface LeftoverRuntime {
  isAlive(stateDir: string): Promise<boolean>;
  delete(id: string, runtime: string): Promise<void>;
}

const GONE_TIMEOUT_MS = 10_000;

/** Kills and deletes what the runtime has of the container, then its state dir; true if there was one. */
export async function removeLeftoverProcess(rt: LeftoverRuntime, id: string, runtime: string, stateDir: string): Promise<boolean> {
  if (!(await stat(stateDir).then(() => true, () => false))) return false;
  // `runtime delete --force` kills the waiting init; its shim reaps it, records it and exits.
  await rt.delete(id, runtime).catch(() => {});
  await waitShimGone(rt, stateDir);
  await rm(stateDir, { recursive: true, force: true });
  return true;
}

/** Waits (up to 10 s) for the shim of a killed process to record the exit and go. */
export async function waitShimGone(rt: Pick<LeftoverRuntime, 'isAlive'>, stateDir: string): Promise<void> {
  const end = Date.now() + GONE_TIMEOUT_MS;
  while ((await rt.isAlive(stateDir)) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}
