// The classic build stream, and how parallel stages share it. Stages run at the same time, but
// the stream reads as if they ran one after the other, in Dockerfile order: the earliest stage
// that has not finished streams live; a later stage's messages are held and flushed, in order,
// as soon as every stage before it has finished. A failing stage's held lines are flushed
// before the error (the stream then shows what led to it).
import type { BuildMessage } from './types.ts';

export interface StepOutput {
  /** One `{stream}` message (moby writes one per Fprintf). */
  line(text: string): void;
  aux(id: string): void;
  /** A RUN's output bytes, decoded as UTF-8 across chunk boundaries. */
  raw(chunk: Uint8Array): void;
  /** A RUN's stderr bytes: moby's stderr stream wraps each write in \x1b[91m ... \x1b[0m. */
  rawErr(chunk: Uint8Array): void;
  /** Ends a RUN's output: flushes an incomplete UTF-8 sequence. */
  endRaw(): void;
  /** One line of moby's stderr formatter (Dockerfile warnings), in red. */
  errLine(text: string): void;
}

const RED = '\x1b[91m';
const RESET = '\x1b[0m';

class Slot implements StepOutput {
  held: BuildMessage[] = [];
  live = false;
  done = false;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly errDecoder = new TextDecoder('utf-8');
  private readonly emit: (m: BuildMessage) => void;

  constructor(emit: (m: BuildMessage) => void) {
    this.emit = emit;
  }

  private push(m: BuildMessage): void {
    if (this.live) this.emit(m);
    else this.held.push(m);
  }

  line(text: string): void {
    this.push({ stream: text });
  }

  aux(id: string): void {
    this.push({ aux: { ID: id } });
  }

  raw(chunk: Uint8Array): void {
    const text = this.decoder.decode(chunk, { stream: true });
    if (text) this.push({ stream: text });
  }

  rawErr(chunk: Uint8Array): void {
    const text = this.errDecoder.decode(chunk, { stream: true });
    if (text) this.push({ stream: `${RED}${text}${RESET}` });
  }

  endRaw(): void {
    const text = this.decoder.decode();
    if (text) this.push({ stream: text });
    const err = this.errDecoder.decode();
    if (err) this.push({ stream: `${RED}${err}${RESET}` });
  }

  errLine(text: string): void {
    this.push({ stream: `${RED}${text}${RESET}` });
  }
}

/** Orders the output of the stages a build runs (slot 0: the meta ARG steps and the build's own lines). */
export class OrderedStream {
  private readonly slots: Slot[] = [];
  private readonly emit: (m: BuildMessage) => void;

  constructor(emit: (m: BuildMessage) => void, count: number) {
    this.emit = emit;
    for (let i = 0; i < count; i++) this.slots.push(new Slot(emit));
    this.advance();
  }

  slot(i: number): StepOutput {
    return this.slots[i];
  }

  /** Slot i has written everything: the next ones may stream. */
  finish(i: number): void {
    this.slots[i].done = true;
    this.advance();
  }

  /** On failure: everything held, in slot order, so that no line is lost. */
  flushAll(): void {
    for (const s of this.slots) {
      for (const m of s.held) this.emit(m);
      s.held = [];
      s.live = true;
    }
  }

  private advance(): void {
    for (const s of this.slots) {
      if (!s.live) {
        s.live = true;
        for (const m of s.held) this.emit(m);
        s.held = [];
      }
      if (!s.done) return;
    }
  }
}
