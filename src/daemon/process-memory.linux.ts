// The daemon's own memory, the Linux side: returning glibc's free pages to the kernel through
// the native addon (malloc_trim), and V8's collector when bin/berthd exposes it (--expose-gc).
import { nativeAddon } from '../common/index.ts';

let trim: (() => boolean) | null | undefined;

/** malloc_trim(0); false when nothing was released or the addon is not built. */
export function mallocTrim(): boolean {
  if (trim === undefined) {
    try {
      trim = nativeAddon<{ malloc_trim: () => boolean }>().malloc_trim;
    } catch {
      trim = null; // no addon (unit tests): nothing to trim with
    }
  }
  return trim ? trim() : false;
}

/**
 * A full collection, when the runtime exposes one (bin/berthd runs node with --expose-gc). The
 * "last-resort" flavour is V8's memory-reducing collection: it compacts and gives the emptied
 * old-space pages back (a plain gc() leaves the heap's committed size where the burst took it).
 */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: (opts?: { type: string; execution: string; flavor: string }) => void }).gc;
  if (typeof gc !== 'function') return false;
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return true;
}

/** Resident set size in bytes (one read of /proc/self/stat by libuv). */
export function residentBytes(): number {
  return process.memoryUsage.rss();
}
