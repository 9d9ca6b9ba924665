// Files shipped beside the code (the shim, the native addon): found by walking up from this
// module, so it works from src/ (tests) and from the bundle in dist/.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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

let addon: unknown;

/**
 * build/berth.node (native/addon/berth.c), loaded on first use, so that importing a module that
 * uses it needs no built addon. Each box's `*.linux.ts` adapter types the part it calls.
 */
export function nativeAddon<T>(): T {
  addon ??= createRequire(import.meta.url)(projectFile('build/berth.node'));
  return addon as T;
}
