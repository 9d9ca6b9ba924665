// The create response's Warnings: Docker's own, and what berth accepts without doing all that
// Docker would (a field the daemon does not fully act on is never accepted silently).
import type { ContainerConfig, HostConfig } from './types.ts';
import { oomKillWarnings } from './validate.ts';
import { healthcheckWarnings, unsupportedWarnings } from './unsupported.ts';

/** Pure: call after the HostConfig passed validateHostConfig. */
/** `config`: the merged create Config (its Volumes are the request's and the image's). */
export function createWarnings(hc: HostConfig, config: object): string[] {
  const warnings = [...oomKillWarnings(hc), ...unsupportedWarnings(hc)];
  const volumes = (config as Pick<ContainerConfig, 'Volumes'>).Volumes;
  const anonymous = volumes && typeof volumes === 'object' ? Object.keys(volumes) : [];
  if (anonymous.length) {
    warnings.push(
      `berth does not create volumes yet (they arrive with the storage issue): ${anonymous.sort().join(', ')} ` +
        `${anonymous.length === 1 ? 'is a directory' : 'are directories'} in the container's writable layer, removed with the container`,
    );
  }
  warnings.push(...healthcheckWarnings((config as { Healthcheck?: unknown }).Healthcheck));
  return warnings;
}
