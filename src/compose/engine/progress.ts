// Progress output as docker compose v2's pkg/progress: events keyed by an id ("Container p-web-1",
// "Network p_default") with a status text. The plain writer prints each event as a line
// (" Container p-web-1  Created"); the tty writer keeps one line per id under "[+] Running n/m",
// redrawn in place every 100 ms with a spinner and the elapsed time; quiet prints nothing;
// json prints one object per event.

export type EventStatus = 'working' | 'done' | 'warning' | 'error';

export interface ProgressEvent {
  id: string;
  status: EventStatus;
  /** The status text ('Creating', 'Created', 'Error response from daemon: ...'). */
  text: string;
  /** A child line under this id (pull layers). */
  parentId?: string;
}

export interface ProgressWriter {
  event(e: ProgressEvent): void;
  /** A message printed after the live view ends (tty) or at once (plain). */
  tail(message: string): void;
  /** Ends the view (final redraw on a terminal). */
  stop(): void;
}


interface Out {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function progressWriter(mode: string, out: Out, title = 'Running', now: () => number = Date.now): ProgressWriter {
  switch (mode) {
    case 'quiet':
      return { event() {}, tail() {}, stop() {} };
    case 'json':
      return new JsonWriter(out);
    case 'tty':
      return new TtyWriter(out, title, now);
    case 'auto':
    case '':
      if (out.isTTY) return new TtyWriter(out, title, now);
      return new PlainWriter(out);
    case 'plain':
      return new PlainWriter(out);
    default:
      throw new Error(`unknown progress mode: ${mode}`);
  }
}

/** Go's fmt.Fprintln("", id, "", text): " <id>  <text>". */
export class PlainWriter implements ProgressWriter {
  private readonly out: Out;
  constructor(out: Out) {
    this.out = out;
  }
  event(e: ProgressEvent): void {
    this.out.write(` ${e.id}  ${e.text}\n`);
  }
  tail(message: string): void {
    this.out.write(`${message}\n`);
  }
  stop(): void {}
}

class JsonWriter implements ProgressWriter {
  private readonly out: Out;
  constructor(out: Out) {
    this.out = out;
  }
  event(e: ProgressEvent): void {
    // compose's jsonMessage: {"id", "text", "status"} with empty fields left out (its events carry their text as the status).
    this.out.write(`${JSON.stringify({ id: e.id, status: e.text })}\n`);
  }
  tail(message: string): void {
    this.out.write(`${JSON.stringify({ tail: true, text: message })}\n`);
  }
  stop(): void {}
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const DONE_MARK = '✔';
const ERROR_MARK = '✘';
const WARN_MARK = '!';
const ESC = '\x1b[';

interface Line extends ProgressEvent {
  start: number;
  end?: number;
}

/** The live view of a terminal. render() is pure over the state and the clock (tested as such). */
export class TtyWriter implements ProgressWriter {
  private readonly lines = new Map<string, Line>();
  private readonly tails: string[] = [];
  private printed = 0;
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  private stopped = false;

  private readonly out: Out;
  private readonly title: string;
  private readonly now: () => number;

  constructor(out: Out, title: string, now: () => number) {
    this.out = out;
    this.title = title;
    this.now = now;
  }

  event(e: ProgressEvent): void {
    if (this.stopped) {
      new PlainWriter(this.out).event(e);
      return;
    }
    const last = this.lines.get(e.id);
    const t = this.now();
    if (last) {
      const ending = (e.status === 'done' || e.status === 'error') && last.status !== e.status;
      if (e.status === 'working' && last.status !== 'working') last.start = t, last.end = undefined;
      Object.assign(last, { status: e.status, text: e.text, parentId: e.parentId });
      if (ending) last.end = t;
    } else {
      this.lines.set(e.id, { ...e, start: t, end: e.status === 'done' || e.status === 'error' ? t : undefined });
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.timer.unref?.();
  }

  tail(message: string): void {
    this.tails.push(message);
  }

  stop(): void {
    if (this.stopped) return;
    if (this.timer) clearInterval(this.timer);
    this.draw();
    this.stopped = true;
    for (const m of this.tails) this.out.write(`${m}\n`);
  }

  private draw(): void {
    if (!this.lines.size) return;
    this.tick++;
    const width = this.out.columns || 80;
    let s = '';
    if (this.printed) s += `${ESC}${this.printed}A`;
    s += `${ESC}0G${ESC}?25l`;
    const body = this.render(width, this.tick);
    s += body.map((l) => `${ESC}2K${l}\n`).join('');
    s += `${ESC}?25h`;
    this.printed = body.length;
    this.out.write(s);
  }

  /** The view's lines (no cursor moves): the title, then one line per id, children indented. */
  render(width: number, tick = 0): string[] {
    const all = [...this.lines.values()];
    const done = all.filter((l) => l.status === 'done').length;
    let title = `[+] ${this.title} ${done}/${all.length}`;
    if (all.length && done === all.length) title = `${ESC}34m${title}${ESC}0m`;
    const out = [title];
    let pad = 0;
    for (const l of all) pad = Math.max(pad, l.id.length + (l.parentId ? 2 : 0));
    const t = this.now();
    for (const l of all) {
      if (l.parentId && this.lines.has(l.parentId)) continue;
      out.push(this.lineText(l, '', width, pad, tick, t));
      for (const c of all) if (c.parentId === l.id) out.push(this.lineText(c, '  ', width, pad, tick, t));
    }
    return out;
  }

  private lineText(l: Line, indent: string, width: number, pad: number, tick: number, t: number): string {
    const mark = l.status === 'working' ? SPINNER[tick % SPINNER.length] : l.status === 'done' ? DONE_MARK : l.status === 'error' ? ERROR_MARK : WARN_MARK;
    const elapsed = ((l.status === 'working' ? t : (l.end ?? l.start)) - l.start) / 1000;
    const timer = `${elapsed.toFixed(1)}s`;
    const padding = Math.max(0, pad - indent.length - l.id.length);
    let status = l.text;
    const maxStatus = width - pad - timer.length - 8;
    if (maxStatus > 0 && status.length > maxStatus) status = `${status.slice(0, maxStatus)}...`;
    const left = `${indent} ${mark} ${l.id}${' '.repeat(padding)}  ${status}`;
    const line = left.length + 1 + timer.length < width ? `${left}${' '.repeat(width - left.length - timer.length - 1)}${timer}` : `${left} ${timer}`;
    const color = l.status === 'done' ? '34' : l.status === 'error' ? '31' : l.status === 'warning' ? '33' : '37';
    return `${ESC}${color}m${line}${ESC}0m`;
  }
}

// The events compose sends (pkg/progress/event.go).
export const ev = {
  creating: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Creating' }),
  created: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Created' }),
  starting: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Starting' }),
  started: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Started' }),
  running: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Running' }),
  waiting: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Waiting' }),
  healthy: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Healthy' }),
  exited: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Exited' }),
  stopping: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Stopping' }),
  stopped: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Stopped' }),
  killing: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Killing' }),
  killed: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Killed' }),
  removing: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Removing' }),
  removed: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Removed' }),
  restarting: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Restarting' }),
  recreate: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Recreate' }),
  recreated: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Recreated' }),
  pausing: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Pausing' }),
  paused: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Paused' }),
  unpausing: (id: string): ProgressEvent => ({ id, status: 'working', text: 'Unpausing' }),
  unpaused: (id: string): ProgressEvent => ({ id, status: 'done', text: 'Unpaused' }),
  error: (id: string, text = 'Error'): ProgressEvent => ({ id, status: 'error', text }),
  skipped: (id: string, reason: string): ProgressEvent => ({ id, status: 'warning', text: `Skipped: ${reason}` }),
};
