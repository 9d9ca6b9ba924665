// The `Status` column of the container list (moby container.State.String).
import { humanDuration, parseRfc3339Nano, ZERO_TIME } from '../../common/index.ts';

export type ContainerStatus = 'created' | 'restarting' | 'running' | 'removing' | 'paused' | 'exited' | 'dead';

export interface StatusTextState {
  status: ContainerStatus;
  /** RFC3339Nano; Docker's zero time when never started/finished. */
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  health?: string;
}

function elapsedSeconds(from: string, nowNs: bigint): number | undefined {
  if (!from || from === ZERO_TIME) return undefined;
  const ns = parseRfc3339Nano(from);
  if (ns === undefined) return undefined;
  return Number(nowNs - ns) / 1e9;
}

/** Docker's `Status` text ("Up 3 minutes", "Exited (0) 5 seconds ago", ...). */
export function statusText(state: StatusTextState, nowNs: bigint): string {
  const since = (t: string) => humanDuration(elapsedSeconds(t, nowNs) ?? 0);
  switch (state.status) {
    case 'paused':
      return `Up ${since(state.startedAt)} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${since(state.finishedAt)} ago`;
    case 'running': {
      const h = state.health;
      if (h && h !== 'none') return `Up ${since(state.startedAt)} (${h === 'starting' ? 'health: starting' : h})`;
      return `Up ${since(state.startedAt)}`;
    }
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (elapsedSeconds(state.startedAt, nowNs) === undefined) return 'Created';
      if (elapsedSeconds(state.finishedAt, nowNs) === undefined) return '';
      return `Exited (${state.exitCode}) ${since(state.finishedAt)} ago`;
  }
}

