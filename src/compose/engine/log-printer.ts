// The log printer of `up` (foreground) and `logs`, as docker compose v2's cmd/formatter/logs.go:
// each line is prefixed with the container's name padded to the widest name so far and " | ",
// coloured per container from compose's rainbow (cyan, yellow, green, magenta, blue, then their
// intense variants), unless colour or the prefix is off.

interface Out {
  write(s: string): unknown;
}

const RAINBOW = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1'];

export interface LogPrinterOptions {
  /** ANSI colours (--no-color / --ansi never turns them off). */
  color: boolean;
  /** The "name | " prefix (--no-log-prefix turns it off). */
  prefix: boolean;
  /** Each line preceded by the time the printer got it (logs -t takes the daemon's timestamps instead). */
  timestamps?: boolean;
}

export class LogPrinter {
  private readonly colors = new Map<string, (s: string) => string>();
  private readonly partial = new Map<string, string>();
  private width = 0;
  private next = 0;

  private readonly stdout: Out;
  private readonly stderr: Out;
  private readonly opts: LogPrinterOptions;

  constructor(stdout: Out, stderr: Out, opts: LogPrinterOptions) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.opts = opts;
  }

  /** Makes the name known (fixes its colour and widens the prefix) before any of its lines. */
  register(name: string): void {
    if (this.colors.has(name)) return;
    const code = RAINBOW[this.next++ % RAINBOW.length];
    this.colors.set(name, this.opts.color ? (s) => `\x1b[${code}m${s}\x1b[0m` : (s) => s);
    this.width = Math.max(this.width, name.length + 1);
  }

  private prefix(name: string): string {
    this.register(name);
    if (!this.opts.prefix) return '';
    return this.colors.get(name)!(`${name.padEnd(this.width)} | `);
  }

  /** A chunk of a container's output: whole lines are printed, a trailing partial line waits. */
  out(name: string, chunk: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const key = `${stream}\0${name}`;
    const text = (this.partial.get(key) ?? '') + chunk;
    const lines = text.split('\n');
    const rest = lines.pop()!;
    if (rest) this.partial.set(key, rest);
    else this.partial.delete(key);
    for (const l of lines) this.line(name, l.replace(/\r$/, ''), stream);
  }

  /** What is left of a container's output when its stream ends. */
  flush(name: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${stream}\0${name}`;
      const rest = this.partial.get(key);
      if (rest === undefined) continue;
      this.partial.delete(key);
      this.line(name, rest, stream);
    }
  }

  /** One line, as written (no newline in it). */
  line(name: string, line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
    const ts = this.opts.timestamps ? `${new Date().toISOString()} ` : '';
    (stream === 'stderr' ? this.stderr : this.stdout).write(`${this.prefix(name)}${ts}${line}\n`);
  }

  /** A status line in the container's colour: "web-1 exited with code 0". */
  status(name: string, message: string): void {
    this.register(name);
    this.stdout.write(`${this.opts.color ? '\r\x1b[K' : ''}${this.colors.get(name)!(`${name} ${message}`)}\n`);
  }

  /** A line of compose's own ("Attaching to ...", "Gracefully stopping..."). */
  info(message: string): void {
    this.stdout.write(`${message}\n`);
  }
}
