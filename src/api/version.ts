// The API version is data: parsed once per request, compared with named constants.

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

/** Named gates for behaviour that changed between API versions (see the swagger CHANGELOG). */
export const VERSION_GATES = {
  /** Before 1.44 the container list and inspect have no per-network "DNSNames", etc. */
  dnsNames: '1.44',
  /** `/containers/{id}/wait` accepts `condition` from 1.30. */
  waitCondition: '1.30',
  /** From 1.42 `docker images` hides VirtualSize. */
  noVirtualSize: '1.44',
} as const;

export function compareVersions(a: string, b: string): number {
  const [amaj, amin] = a.split('.').map(Number);
  const [bmaj, bmin] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

export const versionAtLeast = (v: string, min: string) => compareVersions(v, min) >= 0;
export const versionLessThan = (v: string, other: string) => compareVersions(v, other) < 0;
