// Detach keys on an attached stdin (default ctrl-p,ctrl-q): bytes that might start the
// sequence are held back until it is clear whether they complete it.
import { invalidParameter, parseDetachKeys as keysToBytes } from '../../common/index.ts';

export { DEFAULT_DETACH_KEYS } from '../../common/index.ts';

/**
 * The request's detach keys (moby/term syntax); a bad spec is the client's error (400), in
 * moby's words: "detach keys" for attach (daemon/attach.go), "escape keys" for exec (exec.go).
 */
export function parseDetachKeys(spec: string, use: 'attach' | 'exec'): Buffer {
  try {
    return keysToBytes(spec);
  } catch (err) {
    throw invalidParameter(`Invalid ${use === 'attach' ? 'detach' : 'escape'} keys (${spec}) provided`, err);
  }
}

export class DetachKeyScanner {
  private readonly keys: Buffer;
  private matched = 0;

  constructor(keys: Buffer) {
    this.keys = keys;
  }

  /** Returns the bytes to pass on, and whether the detach sequence was completed. */
  push(chunk: Buffer): { data: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { data: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { data: Buffer.from(out), detach: true };
        continue;
      }
      // Not the sequence after all: release what was held back.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i]);
      this.matched = 0;
      if (byte === this.keys[0]) this.matched = 1;
      else out.push(byte);
    }
    return { data: Buffer.from(out), detach: false };
  }
}
