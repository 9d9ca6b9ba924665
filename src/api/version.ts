// The API version is data: parsed once per request, compared with named constants.

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';

export function compareVersions(a: string, b: string): number {
  const [amaj, amin] = a.split('.').map(Number);
  const [bmaj, bmin] = b.split('.').map(Number);
  return amaj !== bmaj ? amaj - bmaj : amin - bmin;
}

export const versionAtLeast = (v: string, min: string) => compareVersions(v, min) >= 0;
