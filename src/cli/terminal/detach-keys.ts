// The detach keys the CLI watches for (common/ parses the syntax), and the scanner that spots
// them in what the user types.
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../common/index.ts';

const DEFAULT_KEYS = parseDetachKeys(DEFAULT_DETACH_KEYS);

/** The keys to watch for: the flag, else config.json's detachKeys, else ctrl-p,ctrl-q. */
export function detachKeysOrDefault(spec: string): Buffer {
  if (spec === '') return DEFAULT_KEYS;
  try {
    return parseDetachKeys(spec);
  } catch {
    // docker warns and falls back to the default
    return DEFAULT_KEYS;
  }
}

/**
 * Watches typed input for the key sequence. Bytes that might start the sequence are held back
 * until it is clear they do not; on a full match `detached` turns true. Unlike docker, which
 * only looks at one-byte reads, any chunking of the input is recognised.
 */
export class DetachScanner {
  private readonly keys: Buffer;
  private matched = 0;
  detached = false;

  constructor(keys: Buffer) {
    this.keys = keys;
  }

  /** Returns the bytes to forward now (the sequence itself included, see streamHijacked). */
  push(chunk: Buffer): { forward: Buffer; detached: boolean } {
    if (this.keys.length === 0 || this.detached) return { forward: chunk, detached: this.detached };
    const out: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) {
          this.detached = true;
          out.push(...this.keys);
          return { forward: Buffer.from(out), detached: true };
        }
        continue;
      }
      // Not the sequence after all: let the held bytes through.
      out.push(...this.keys.subarray(0, this.matched));
      this.matched = 0;
      if (b === this.keys[0]) this.matched = 1;
      else out.push(b);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
