// Renders the daemon's newline-delimited JSON messages (load, pull, push, import) as docker's
// pkg/jsonmessage does: on a terminal each id keeps its own line, rewritten in place with ANSI
// cursor moves and a progress bar; elsewhere progress updates are dropped and the rest printed
// as plain lines. An error message in the stream ends the display with that error.

export interface JsonProgress {
  current?: number;
  total?: number;
  start?: number;
  hidecounts?: boolean;
  units?: string;
}

export interface JsonMessage {
  stream?: string;
  status?: string;
  progressDetail?: JsonProgress;
  /** The pre-rendered progress text (docker's deprecated ProgressMessage). */
  progress?: string;
  id?: string;
  from?: string;
  time?: number;
  timeNano?: number;
  errorDetail?: { code?: number; message?: string };
  error?: string;
  aux?: unknown;
}

/** An error the daemon reported inside the stream (docker's JSONError). */
export class JsonMessageError extends Error {
  readonly code: number;
  constructor(message: string, code = 0) {
    super(message);
    this.code = code;
  }
}

export interface DisplayOptions {
  isTerminal: boolean;
  /** Terminal width in columns; the bar shows only above 110 (docker's rule). 200 when unknown. */
  width?: number;
  /** Called for `aux` messages (e.g. push digests, build ids) instead of printing them. */
  onAux?(aux: unknown): void;
  /** For tests: the current time in ms for the time-left estimate. */
  now?: () => number;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's fmt %.{p}g: p significant digits, trailing zeros dropped, exponent form when needed. */
export function formatG(x: number, precision: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(precision)))));
  if (exp < -4 || exp >= precision) {
    const [mant, e] = x.toExponential(precision - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/\.?0+$/, '') : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const fixed = x.toFixed(Math.max(0, precision - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** go-units HumanSizeWithPrecision (decimal units). */
export function humanSizePrecision(size: number, precision: number): string {
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return formatG(size, precision) + DECIMAL_UNITS[i];
}

/** Go's time.Duration.String() for whole seconds (the time-left box). */
function durationString(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return `${h}h${m}m${s}s`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** docker's JSONProgress.String(): `[=====>      ]  1.2MB/3.4MB 3s`. */
export function progressString(p: JsonProgress, width = 200, nowMs = Date.now()): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) {
    if (!p.units) return humanSizePrecision(current, 4).padStart(8);
    return `${current} ${p.units}`;
  }
  let percentage = Math.trunc((current / total) * 100) / 2;
  percentage = Math.min(50, Math.trunc(percentage));
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = '';
  if (!p.hidecounts) {
    if (!p.units) {
      const cur = humanSizePrecision(current, 4);
      numbers = current > total ? cur.padStart(8) : `${cur.padStart(8)}/${humanSizePrecision(total, 4)}`;
    } else {
      numbers = current > total ? `${current} ${p.units}` : `${current}/${total} ${p.units}`;
    }
  }
  let timeLeft = '';
  if (current > 0 && p.start && p.start > 0 && percentage < 50) {
    const fromStartMs = nowMs - p.start * 1000;
    const leftMs = ((total - current) * fromStartMs) / current;
    timeLeft = ' ' + durationString(Math.round(leftMs / 1000));
  }
  return bar + numbers + timeLeft;
}

/** Writes one message as docker's JSONMessage.Display; throws its error if it carries one. */
function displayOne(jm: JsonMessage, out: NodeJS.WritableStream, opts: DisplayOptions): void {
  if (jm.errorDetail || jm.error) {
    const code = jm.errorDetail?.code ?? 0;
    if (code === 401) throw new JsonMessageError('authentication is required', 401);
    throw new JsonMessageError(jm.errorDetail?.message ?? jm.error ?? '', code);
  }
  const hasProgress = jm.progressDetail !== undefined && jm.progressDetail !== null;
  const progressText = hasProgress ? progressString(jm.progressDetail!, opts.width ?? 200, opts.now?.() ?? Date.now()) : '';
  let endl = '';
  let text = '';
  if (opts.isTerminal && !jm.stream && hasProgress) {
    text += '\x1b[2K\r';
    endl = '\r';
  } else if (hasProgress && progressText !== '') {
    return; // no progress bars off a terminal
  }
  if (jm.id) text += `${jm.id}: `;
  if (jm.from) text += `(from ${jm.from}) `;
  if (hasProgress && opts.isTerminal) text += `${jm.status ?? ''} ${progressText}${endl}`;
  else if (jm.progress) text += `${jm.status ?? ''} ${jm.progress}${endl}`;
  else if (jm.stream) text += `${jm.stream}${endl}`;
  else text += `${jm.status ?? ''}${endl}\n`;
  out.write(text);
}

/**
 * Reads the stream to its end and renders every message (docker's DisplayJSONMessagesStream).
 * Rejects with JsonMessageError when the daemon reports an error in the stream.
 */
export async function displayJsonMessages(input: AsyncIterable<Buffer | string>, out: NodeJS.WritableStream, opts: DisplayOptions): Promise<void> {
  const renderer = new JsonMessageRenderer(out, opts);
  let pending = '';
  for await (const chunk of input) {
    pending += String(chunk);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      renderer.line(line);
    }
  }
  renderer.line(pending);
}

/** The stateful part: which line each id owns on the terminal. */
class JsonMessageRenderer {
  private ids = new Map<string, number>();
  private readonly out: NodeJS.WritableStream;
  private readonly opts: DisplayOptions;

  constructor(out: NodeJS.WritableStream, opts: DisplayOptions) {
    this.out = out;
    this.opts = opts;
  }

  /** One line of the stream (blank lines are skipped); throws on a malformed line or an error message. */
  line(text: string): void {
    if (!text.trim()) return;
    let jm: JsonMessage;
    try {
      jm = JSON.parse(text) as JsonMessage;
    } catch {
      throw new Error(`invalid character in progress stream: ${JSON.stringify(text.slice(0, 80))}`);
    }
    this.message(jm);
  }

  message(jm: JsonMessage): void {
    if (jm.aux !== undefined && jm.aux !== null) {
      this.opts.onAux?.(jm.aux);
      return;
    }
    const tty = this.opts.isTerminal;
    let diff = 0;
    const hasProgress = jm.progressDetail !== undefined && jm.progressDetail !== null;
    if (jm.id && (hasProgress || jm.progress)) {
      let line = this.ids.get(jm.id);
      if (line === undefined) {
        line = this.ids.size;
        this.ids.set(jm.id, line);
        if (tty) this.out.write('\n');
      }
      diff = this.ids.size - line;
      if (tty && diff > 0) this.out.write(`\x1b[${diff}A`);
    } else {
      // Anything that is not progress starts a fresh block of lines.
      this.ids = new Map();
    }
    try {
      displayOne(jm, this.out, this.opts);
    } finally {
      if (jm.id && tty && diff > 0) this.out.write(`\x1b[${diff}B`);
    }
  }
}
