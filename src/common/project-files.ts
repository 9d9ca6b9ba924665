// Files shipped beside the code (the shim, the native addon): found by walking up from this
// module, so it works from src/ (tests) and from the bundle in dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const found = new Map<string, string>();

export function projectFile(relative: string): string {
  const hit = found.get(relative);
  if (hit) return hit;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) {
      found.set(relative, candidate);
      return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found above ${dirname(fileURLToPath(import.meta.url))}: run npm ci (it builds the native parts)`);
    dir = parent;
  }
}
