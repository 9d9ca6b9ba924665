// The JSON progress messages of a pull as dockerd writes them (pkg/progress, streamformatter,
// jsonmessage.JSONProgress.String with the daemon's 200-column default): field order, the
// empty progressDetail of a status update, the bar and go-units sizes, and the throttling of
// progress readers (every 512 kB or 1 %, at most every 100 ms, always the last one).

export interface PullMessage {
  status: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  id?: string;
}

export type PullProgress = (m: PullMessage) => void;

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSize: 4 significant digits, decimal units ("3.316kB", "2.806MB"). */
export function humanSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${String(Number(size.toPrecision(4)))}${DECIMAL_UNITS[i]}`;
}

/** jsonmessage.JSONProgress.String() at width 200: `[==>   ]  1.2MB/3.4MB`. */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  let pct = Math.floor(Math.floor((current / total) * 100) / 2);
  if (pct > 50) pct = 50;
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `;
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** progress.Message: a status line with an id, no progressDetail. */
export function message(id: string, status: string): PullMessage {
  return id ? { status, id } : { status };
}

/** progress.Update: a status with an empty progressDetail. */
export function update(id: string, status: string): PullMessage {
  return { status, progressDetail: {}, id };
}

/** A progress line (Downloading / Extracting). */
export function progressLine(id: string, action: string, current: number, total: number): PullMessage {
  const p = progressBar(current, total);
  return { status: action, progressDetail: { current, ...(total > 0 ? { total } : {}) }, ...(p ? { progress: p } : {}), id };
}

const UPDATE_EVERY = 512 * 1024;
const MIN_INTERVAL_MS = 100;

/** progress.Reader's throttling for one id and action. */
export class ProgressCounter {
  private current = 0;
  private lastUpdate = 0;
  private lastSent = 0;
  private readonly every: number;
  private readonly out: PullProgress;
  private readonly id: string;
  private readonly action: string;
  private readonly total: number;

  constructor(out: PullProgress, id: string, action: string, total: number, start = 0) {
    this.out = out;
    this.id = id;
    this.action = action;
    this.total = total;
    this.current = start;
    this.lastUpdate = start;
    const pct = Math.floor(0.01 * total);
    this.every = total > 0 && pct < UPDATE_EVERY ? pct : UPDATE_EVERY;
  }

  add(n: number): void {
    this.current += n;
    if (this.current - this.lastUpdate > this.every) {
      this.lastUpdate = this.current;
      const now = Date.now();
      if (this.current === this.total || now - this.lastSent >= MIN_INTERVAL_MS) {
        this.lastSent = now;
        this.out(progressLine(this.id, this.action, this.current, this.total));
      }
    }
  }

  /** Counts without sending (bytes read before Docker would show this action). */
  skip(n: number): void {
    this.current += n;
    this.lastUpdate = this.current;
  }

  /** The reader's last update at EOF. */
  finish(): void {
    this.out(progressLine(this.id, this.action, this.current, this.total));
  }
}
