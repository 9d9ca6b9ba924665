// The `Status` column of the container list (moby container.State.String) and go-units'
// HumanDuration that it uses.
import { parseRfc3339Nano, ZERO_TIME } from '../../common/index.ts';

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

/** go-units HumanDuration, for a duration in seconds. */
export function humanDuration(seconds: number): string {
  const secs = Math.trunc(seconds);
  if (!(secs >= 1)) return 'Less than a second';
  if (secs === 1) return '1 second';
  if (secs < 60) return `${secs} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(seconds / 3600 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(seconds / 3600) / 24 / 365)} years`;
}
