// Detach keys on an attached stdin (default ctrl-p,ctrl-q): bytes that might start the
// sequence are held back until it is clear whether they complete it.
import { invalidParameter } from '../../common/index.ts';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

/** Docker's key syntax: comma-separated `a`..`z` single chars or `ctrl-<x>` (x in a-z @ [ \ ] ^ _). */
export function parseDetachKeys(spec: string): Buffer {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/.exec(key);
    if (!m) throw invalidParameter(`Invalid escape keys (${spec}) provided`);
    const c = m[1];
    if (c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if ('@[\\]^_'.includes(c)) out.push(c.charCodeAt(0) - 64);
    else throw invalidParameter(`Invalid escape keys (${spec}) provided`);
  }
  return Buffer.from(out);
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
