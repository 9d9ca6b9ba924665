// The daemon's own memory, the Linux side: returning glibc's free pages to the kernel through
// the native addon (malloc_trim), and V8's collector when bin/berthd exposes it (--expose-gc).
import { readFileSync, realpathSync } from 'node:fs';
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

/**
 * Gives back the node executable's pages (MADV_PAGEOUT over its file mappings), once, when the
 * daemon is idle after start-up: much of node's code and read-only data (bootstrap, module
 * loading, the compilers' first use) is touched only while starting; what later work needs comes
 * back from the page cache on first use (bench/idle-memory.ts: idle PSS 66 MB to about 50).
 * Returns the bytes advised; 0 without the addon.
 */
export function pageOutExecutable(): number {
  let madvise: ((start: bigint, length: bigint) => void) | undefined;
  try {
    madvise = nativeAddon<{ madvise_pageout?: (start: bigint, length: bigint) => void }>().madvise_pageout;
  } catch {
    return 0;
  }
  if (!madvise) return 0;
  const exe = realpathSync(process.execPath);
  let advised = 0;
  for (const line of readFileSync('/proc/self/maps', 'utf8').split('\n')) {
    // start-end perms offset dev inode path
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s+(.*)$/.exec(line);
    if (!m || m[4] !== exe || m[3].includes('w')) continue;
    const start = BigInt(`0x${m[1]}`);
    const length = BigInt(`0x${m[2]}`) - start;
    try {
      madvise(start, length);
      advised += Number(length);
    } catch {
      // an older kernel without MADV_PAGEOUT: nothing given back
    }
  }
  return advised;
}
