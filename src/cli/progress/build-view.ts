// The terminal view of a build (`berth build --progress=tty`), after BuildKit's progressui: a
// header "[+] Building 4.2s (5/7)", one line per step with its time (" => [2/5] RUN make  1.3s",
// " => CACHED [3/5] COPY . /app  0.0s"), the running step's last lines under it (" => => # ..."),
// redrawn in place. The classic API has no vertex stream, so the view is made from the classic
// JSON stream's text: "Step N/M : ..." starts a step, " ---> Using cache" marks it cached,
// " ---> <id>" ends it, other lines are its output. The context upload is the first line.
//
// BuildProgressView is pure (fed messages and a clock, renders lines); TtyBuildDisplay redraws
// its frames on a stream with ANSI cursor moves.
import type { JsonMessage } from './json-message.ts';
import { humanSizePrecision, progressString } from './json-message.ts';

/** Output lines shown under the running step (BuildKit shows 6). */
const LOG_LINES = 6;

interface Step {
  /** "[2/5] RUN make" */
  name: string;
  start: number;
  end?: number;
  cached: boolean;
  error: boolean;
  /** The step's output lines (all kept for the error block; the last LOG_LINES shown). */
  logs: string[];
  /** Pull progress of a FROM, one line per layer id. */
  statuses: Map<string, string>;
}

export interface BuildViewOptions {
  /** Terminal columns (lines are cut to fit, so that redrawing never wraps). */
  width: number;
  /** Terminal rows: the view keeps to them by dropping the oldest finished steps. */
  height?: number;
  /** Milliseconds (injected for tests). */
  now: () => number;
}

const STEP_RE = /^Step (\d+)\/(\d+) : (.*)$/;
const ARROW = ' ---> ';

/** A line made safe for the view: no ANSI sequences, no control characters, tabs expanded. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/\t/g, '    ').replace(/[\x00-\x1f\x7f]/g, '');
}

/** Cuts `s` to `width` characters. */
function cut(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : chars.slice(0, Math.max(0, width)).join('');
}

/** BuildKit's "%.1fs". */
function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

export class BuildProgressView {
  readonly #opts: BuildViewOptions;
  readonly #start: number;
  #end?: number;
  #steps: Step[] = [];
  #total = 0;
  #context?: { bytes: number; start: number; end?: number };
  /** Text of the stream not yet ended by a newline. */
  #partial = '';
  /** Lines outside any step ("Successfully built ...", warnings), printed after the view. */
  #trailer: string[] = [];
  #failed = false;

  constructor(opts: BuildViewOptions) {
    this.#opts = opts;
    this.#start = opts.now();
  }

  /** The context upload: bytes sent so far; `done` when the whole context is sent. */
  contextProgress(bytes: number, done: boolean): void {
    const now = this.#opts.now();
    this.#context ??= { bytes: 0, start: now };
    this.#context.bytes = bytes;
    if (done && this.#context.end === undefined) this.#context.end = now;
  }

  /** One message of the daemon's stream (aux and errors are the caller's). */
  message(jm: JsonMessage): void {
    if (this.#context && this.#context.end === undefined) this.#context.end = this.#opts.now();
    if (jm.stream !== undefined) {
      this.#text(jm.stream);
      return;
    }
    if (jm.status !== undefined) {
      const progress = (jm.progressDetail ? progressString(jm.progressDetail, 0) : jm.progress ?? '').trim();
      const line = clean(`${jm.id ? jm.id + ': ' : ''}${jm.status}${progress ? ' ' + progress : ''}`);
      const step = this.#running();
      if (step && jm.id) step.statuses.set(jm.id, line);
      else if (step) step.logs.push(line);
      else this.#trailer.push(line);
    }
  }

  /** The daemon reported an error: the running step fails. */
  fail(): void {
    this.#flushPartial();
    const step = this.#running();
    if (step) {
      step.error = true;
      step.end = this.#opts.now();
    }
    this.#failed = true;
    this.#end = this.#opts.now();
  }

  /** The stream ended. */
  finish(): void {
    this.#flushPartial();
    const now = this.#opts.now();
    const step = this.#running();
    if (step) step.end = now;
    if (this.#context && this.#context.end === undefined) this.#context.end = now;
    this.#end ??= now;
  }

  #running(): Step | undefined {
    const last = this.#steps.at(-1);
    return last && last.end === undefined ? last : undefined;
  }

  #text(text: string): void {
    const all = this.#partial + text;
    const lines = all.split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#line(line.replace(/\r$/, ''));
  }

  #flushPartial(): void {
    if (this.#partial === '') return;
    const p = this.#partial;
    this.#partial = '';
    this.#line(p);
  }

  #line(line: string): void {
    const now = this.#opts.now();
    const m = STEP_RE.exec(line);
    if (m) {
      const prev = this.#running();
      if (prev) prev.end = now;
      this.#total = Number(m[2]);
      this.#steps.push({ name: clean(`[${m[1]}/${m[2]}] ${m[3]}`), start: now, cached: false, error: false, logs: [], statuses: new Map() });
      return;
    }
    const step = this.#running();
    if (line.startsWith(ARROW)) {
      const rest = line.slice(ARROW.length).trim();
      if (!step) return;
      if (rest === 'Using cache') step.cached = true;
      else if (/^[0-9a-f]{12,64}$/.test(rest)) step.end = now;
      // "Running in <id>", "Removed intermediate container <id>": the daemon's bookkeeping.
      return;
    }
    // A line redrawn with carriage returns (a progress bar) shows its last state.
    if (step) step.logs.push(clean(line.split('\r').filter((seg) => seg !== '').pop() ?? ''));
    else if (line !== '') this.#trailer.push(line);
  }

  /** Lines printed once the view is final: "Successfully built ...", warnings. */
  trailer(): string[] {
    return this.#trailer;
  }

  /** BuildKit's error block for the failed step: its name and its last output lines. */
  errorBlock(): string[] {
    const step = this.#steps.find((s) => s.error);
    if (!step) return [];
    return ['------', ` > ${step.name}:`, ...step.logs.slice(-10).map((l) => cut(l, this.#opts.width)), '------'];
  }

  /** The current frame, one string per terminal line. */
  render(): string[] {
    const { width } = this.#opts;
    const now = this.#end ?? this.#opts.now();
    const done = this.#steps.filter((s) => s.end !== undefined).length + (this.#context?.end !== undefined ? 1 : 0);
    const total = Math.max(this.#total, this.#steps.length) + (this.#context ? 1 : 0);
    const finished = this.#end !== undefined && !this.#failed ? ' FINISHED' : '';
    const header = cut(`[+] Building ${seconds(now - this.#start)} (${done}/${total})${finished}`, width);
    const line = (prefix: string, name: string, ms: number): string => {
      const time = ` ${seconds(ms)}`;
      const left = cut(`${prefix}${name}`, Math.max(0, width - time.length - 1));
      return left + ' '.repeat(Math.max(1, width - left.length - time.length)) + time;
    };
    const blocks: string[][] = [];
    if (this.#context) {
      const c = this.#context;
      const b = [line(' => ', '[internal] load build context', (c.end ?? now) - c.start)];
      b.push(cut(` => => transferring context: ${humanSizePrecision(c.bytes, 3)}`, width));
      blocks.push(b);
    }
    for (const s of this.#steps) {
      const prefix = s.error ? ' => ERROR ' : s.cached ? ' => CACHED ' : ' => ';
      const b = [line(prefix, s.name, (s.end ?? now) - s.start)];
      if (s.end === undefined || s.error) {
        for (const st of s.statuses.values()) b.push(cut(` => => ${st}`, width));
        for (const l of s.logs.slice(-LOG_LINES)) b.push(cut(` => => # ${l}`, width));
      }
      blocks.push(b);
    }
    // Keep to the terminal's height: the oldest blocks go first, the header and last block stay.
    const height = this.#opts.height;
    if (height && height > 2) {
      let count = 1 + blocks.reduce((n, b) => n + b.length, 0);
      while (count > height - 1 && blocks.length > 1) count -= blocks.shift()!.length;
    }
    return [header, ...blocks.flat()];
  }
}

/** A stream the display draws on. */
interface Output {
  write(s: string): unknown;
}

/**
 * Draws a BuildProgressView on a terminal: each frame goes over the previous one (cursor up, each
 * line rewritten and cleared to its end, leftover lines cleared).
 */
export class TtyBuildDisplay {
  readonly #out: Output;
  readonly #view: BuildProgressView;
  #lines = 0;

  constructor(out: Output, view: BuildProgressView) {
    this.#out = out;
    this.#view = view;
  }

  draw(): void {
    const lines = this.#view.render();
    let s = this.#lines > 0 ? `\x1b[${this.#lines}A\r` : '';
    for (const l of lines) s += `${l}\x1b[K\n`;
    if (lines.length < this.#lines) s += '\x1b[J';
    this.#lines = lines.length;
    this.#out.write(s);
  }
}
