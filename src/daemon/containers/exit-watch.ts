// How the daemon learns that a container's init process ended. The exit comes from the
// runtime's exit watch, which the shim never drops (a burst of output while the daemon is slow
// used to drop the stdio connection, and its close was taken for the exit: 255, a force-delete
// of the live container and a lost log). The stdio connection only carries output.
import type { ShimExit } from '../../runtime/index.ts';
import type { StdioHub } from './stdio-hub.ts';

export interface ExitSource {
  waitExit(stateDir: string): Promise<ShimExit>;
}

/** The recorded exit, once the tail of the output has reached the attached clients too. */
export async function waitForExit(runtime: ExitSource, stateDir: string, hub: StdioHub): Promise<ShimExit> {
  const exit = await runtime.waitExit(stateDir);
  // The shim closes the stdio connection after flushing the output to it (bounded in the shim).
  await hub.waitShimClosed();
  return exit;
}
