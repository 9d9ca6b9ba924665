// Keeps a container's (or exec's) TTY the size of the user's terminal: once at the start, and
// again on every SIGWINCH (Node reports it as 'resize' on stdout), as docker's MonitorTtySize.
import type { ApiClient } from '../framework/types.ts';

export interface ResizeTarget {
  client: ApiClient;
  id: string;
  /** /exec/ID/resize instead of /containers/ID/resize. */
  exec: boolean;
}

function sizeOf(out: NodeJS.WriteStream): [number, number] {
  return out.isTTY ? [out.rows ?? 0, out.columns ?? 0] : [0, 0];
}

export async function resizeTty(t: ResizeTarget, out: NodeJS.WriteStream): Promise<void> {
  const [h, w] = sizeOf(out);
  if (h === 0 && w === 0) return;
  const path = `/${t.exec ? 'exec' : 'containers'}/${encodeURIComponent(t.id)}/resize`;
  await t.client.call('POST', path, { query: { h, w } });
}

/**
 * Sends the size now (a few tries: the process may still be starting) and on every change.
 * Returns the function that stops watching.
 */
export async function monitorTtySize(t: ResizeTarget, out: NodeJS.WriteStream, err: NodeJS.WriteStream): Promise<() => void> {
  let ok = false;
  for (let attempt = 0; attempt < 10 && !ok; attempt++) {
    try {
      await resizeTty(t, out);
      ok = true;
    } catch {
      await new Promise((r) => setTimeout(r, (attempt + 1) * 10));
    }
  }
  if (!ok) err.write('failed to resize tty, using default size\n');
  const onResize = () => {
    resizeTty(t, out).catch(() => {});
  };
  out.on('resize', onResize);
  return () => out.removeListener('resize', onResize);
}

/** The console size docker puts in create/exec requests: [rows, cols] of stdout, or [0, 0]. */
export function consoleSize(out: NodeJS.WriteStream): [number, number] {
  return sizeOf(out);
}
