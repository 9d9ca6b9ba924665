// The create response's Warnings: Docker's own, and what berth accepts without doing all that
// Docker would (a field the daemon does not fully act on is never accepted silently).
import type { HostConfig } from './types.ts';
import { oomKillWarnings } from './validate.ts';
import { unsupportedWarnings } from './unsupported.ts';

/** Pure: call after the HostConfig passed validateHostConfig. */
/** `config`: the merged create Config. */
export function createWarnings(hc: HostConfig, config: object): string[] {
  const warnings = [...oomKillWarnings(hc), ...unsupportedWarnings(hc)];
  return warnings;
}
