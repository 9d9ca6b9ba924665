// Pulls exact byte counts out of an async stream of arbitrarily sized chunks, without copying
// when a request fits inside one chunk. The tar reader's only window on its input.
import { invalidParameter } from '../errors.ts';

export const truncatedError = () => invalidParameter('archive/tar: unexpected EOF (truncated archive)');

export class ByteReader {
  #it: AsyncIterator<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  async #fill(n: number): Promise<void> {
    while (this.#buffered < n && !this.#done) {
      const r = await this.#it.next();
      if (r.done) this.#done = true;
      else if (r.value.length > 0) {
        this.#chunks.push(r.value);
        this.#buffered += r.value.length;
      }
    }
  }

  /** Exactly `n` bytes; null at a clean end (no byte left at all); a partial read throws. */
  async readExact(n: number): Promise<Uint8Array | null> {
    await this.#fill(n);
    if (this.#buffered === 0) return null;
    if (this.#buffered < n) throw truncatedError();
    const first = this.#chunks[0];
    if (first.length >= n) return this.#take(n);
    const out = new Uint8Array(n);
    for (let off = 0; off < n; ) {
      const part = this.#take(Math.min(n - off, this.#chunks[0].length));
      out.set(part, off);
      off += part.length;
    }
    return out;
  }

  /** Between 1 and `max` bytes (what is at hand, to stream without copying); throws at the end. */
  async readSome(max: number): Promise<Uint8Array> {
    await this.#fill(1);
    if (this.#buffered === 0) throw truncatedError();
    return this.#take(Math.min(max, this.#chunks[0].length));
  }

  async skip(n: number): Promise<void> {
    while (n > 0) n -= (await this.readSome(n)).length;
  }

  /** Skips `n` bytes; true when the input ends right here, before any of them (a partial skip throws). */
  async skipOrEnd(n: number): Promise<boolean> {
    if (n === 0) return false;
    await this.#fill(1);
    if (this.#buffered === 0) return true;
    await this.skip(n);
    return false;
  }

  /** Releases the source early (an error or a consumer that stopped). */
  async close(): Promise<void> {
    this.#chunks = [];
    this.#buffered = 0;
    if (!this.#done) {
      this.#done = true;
      await this.#it.return?.();
    }
  }

  #take(n: number): Uint8Array {
    const first = this.#chunks[0];
    this.#buffered -= n;
    if (n === first.length) {
      this.#chunks.shift();
      return first;
    }
    this.#chunks[0] = first.subarray(n);
    return first.subarray(0, n);
  }
}
