import { posix } from 'node:path';

/** Go's filepath.Clean for absolute container paths: no `.`, `..` or trailing slash. */
export function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
