// docker compose v2's log printer (cmd/formatter/logs.go, colors.go): every line of a container
// gets a prefix `<name> | `, padded to the longest name seen so far, coloured per container with
// colours taken in turn from compose's rainbow (cyan, yellow, green, magenta, blue, then their
// bright forms). `logs`, `up` in the foreground and `watch` print through one consumer.

/** A colour function: wraps text in an ANSI colour, or returns it unchanged (monochrome). */
type ColorFunc = (s: string) => string;

const monochrome: ColorFunc = (s) => s;

function ansiColor(code: string): ColorFunc {
  return (s) => `\x1b[${code}m${s}\x1b[0m`;
}

// compose's names (grey, red, green, yellow, blue, magenta, cyan, white) are 30 + index; the
// "intense_" forms add ";1".
const CYAN = '36';
const YELLOW = '33';
const GREEN = '32';
const MAGENTA = '35';
const BLUE = '34';

/** compose's rainbow, in its order. */
export const RAINBOW_CODES: readonly string[] = [CYAN, YELLOW, GREEN, MAGENTA, BLUE, `${CYAN};1`, `${YELLOW};1`, `${GREEN};1`, `${MAGENTA};1`, `${BLUE};1`];

/** The name compose's watch logs under (its lines get a ⦿ marker instead of a name). */
export const WATCH_LOGGER = '#watch';

export interface LogConsumerOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** ANSI colours (docker compose: --ansi / --no-color / stdout is a terminal). */
  color: boolean;
  /** The `name | ` prefix (false: --no-log-prefix). */
  prefix: boolean;
  /** Each line starts with the time it was printed (`up --timestamps`); logs -t asks the daemon instead. */
  timestamps?: boolean;
  /** For tests: the clock for `timestamps`. */
  now?: () => Date;
}

interface Presenter {
  name: string;
  color: ColorFunc;
  prefix: string;
}

/** Receives the lines of several containers and prints them as docker compose does. */
export class LogConsumer {
  private readonly presenters = new Map<string, Presenter>();
  private nextColor = 0;
  private width = 0;
  private readonly opts: LogConsumerOptions;

  constructor(opts: LogConsumerOptions) {
    this.opts = opts;
  }

  /**
   * Declares a container before its first line, so the padding covers every name from the start
   * (compose registers the containers it knows of before it streams their logs).
   */
  register(name: string): void {
    if (this.presenters.has(name)) return;
    let p: Presenter;
    const space = name.indexOf(' ');
    if (space > 0) {
      // "web-1 (sidecar)": the root's colour.
      const parent = this.presenter(name.slice(0, space));
      p = { name, color: parent.color, prefix: '' };
    } else {
      let color = monochrome;
      if (this.opts.color && name !== '') {
        color = name === WATCH_LOGGER ? ansiColor('92') : ansiColor(RAINBOW_CODES[this.nextColor]!);
        if (name !== WATCH_LOGGER) this.nextColor = (this.nextColor + 1) % RAINBOW_CODES.length;
      }
      p = { name, color, prefix: '' };
    }
    this.presenters.set(name, p);
    this.width = Math.max(0, ...[...this.presenters.values()].map((x) => x.name.length)) + 1;
    if (this.opts.prefix) for (const x of this.presenters.values()) x.prefix = this.prefixFor(x);
  }

  private prefixFor(p: Presenter): string {
    if (p.name === WATCH_LOGGER) return p.color(' '.repeat(this.width) + ' ⦿ ');
    return p.color(p.name.padEnd(this.width) + ' | ');
  }

  private presenter(name: string): Presenter {
    if (!this.presenters.has(name)) this.register(name);
    return this.presenters.get(name)!;
  }

  /** A line (or several, split at \n) the container wrote on stdout. */
  log(name: string, message: string): void {
    this.write(this.opts.stdout, name, message);
  }

  /** A line the container wrote on stderr. */
  err(name: string, message: string): void {
    this.write(this.opts.stderr, name, message);
  }

  /** compose's status lines ("web-1 exited with code 0"), coloured as the container's prefix. */
  status(name: string, message: string): void {
    const p = this.presenter(name);
    this.opts.stdout.write(p.color(`\x1b[2K\r${name} ${message}\n`));
  }

  private write(stream: NodeJS.WritableStream, name: string, message: string): void {
    const p = this.presenter(name);
    const stamp = this.opts.timestamps ? rfc3339NanoFixed((this.opts.now ?? (() => new Date()))()) + ' ' : '';
    let out = '';
    for (const line of message.split('\n')) out += `${p.prefix}${stamp}${line}\n`;
    stream.write(out);
  }
}

/** Go's jsonmessage.RFC3339NanoFixed of a Date (milliseconds, padded to nanoseconds), in UTC. */
function rfc3339NanoFixed(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}
