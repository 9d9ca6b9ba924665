// The contracts between the CLI's framework (parsing, help, client) and its commands. A command
// is data (CommandSpec) plus one run function; the framework owns everything else: flag parsing
// with pflag's rules, usage and --help text, the API client, error printing and exit codes.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable } from 'node:stream';

/**
 * How a flag's value is parsed, as in pflag:
 * - bool: `--rm`, `--rm=false`; never takes the next word.
 * - string, int, float: one value (`-n 5`, `-n=5`, `-n5`, `--tail 5`, `--tail=5`); the last wins.
 * - list: repeatable (`-e A -e B`), each occurrence one value (pflag's stringArray).
 * - csv: repeatable, each occurrence split at commas (pflag's stringSlice).
 * - duration: a Go duration ("10s", "1m30s"); read back in nanoseconds.
 */
export type FlagType = 'bool' | 'string' | 'int' | 'float' | 'list' | 'csv' | 'duration';

export interface FlagSpec {
  /** Long name without dashes: 'detach'. */
  name: string;
  /** One-letter short name without the dash: 'd'. */
  short?: string;
  type: FlagType;
  /** Docker's help text for the flag. */
  usage: string;
  /** Default shown in help and returned when unset (as Docker prints it, e.g. 'json-file', 10, true). */
  default?: string | number | boolean | string[];
  /** Placeholder in help ('string', 'list', 'int', 'bytes', 'duration', ...); derived from type if absent. */
  valueName?: string;
  hidden?: boolean;
  /** Minimum API version of the daemon for the flag (hidden and refused below it). */
  minApi?: string;
}

/** Parsed flag values, looked up by long name. */
export interface Flags {
  bool(name: string): boolean;
  /** The value, or the default, or '' when unset. */
  string(name: string): string;
  int(name: string): number;
  float(name: string): number;
  /** Every value of a list/csv flag, in order; the default when unset. */
  list(name: string): string[];
  /** Nanoseconds. */
  duration(name: string): number;
  /** True when the user gave the flag (even with the default value, even `--entrypoint ""`). */
  changed(name: string): boolean;
}

export interface ArgsRule {
  min?: number;
  max?: number;
}

export interface CommandSpec {
  /** The word typed at this level: 'ls', 'run', 'network'. */
  name: string;
  /** Other words for it at the same level: ['ps', 'list'] for `container ls`. */
  aliases?: string[];
  /** Docker's usage after the command path: '[OPTIONS] IMAGE [COMMAND] [ARG...]'. */
  usage: string;
  /** One line, as in Docker's command list. */
  short: string;
  /** cobra's Long: shown by --help instead of `short` when set. */
  long?: string;
  flags?: FlagSpec[];
  /** Positional argument count, enforced with Docker's messages ("requires at least 1 argument"). */
  args?: ArgsRule;
  /** Flags after the first positional argument belong to it (run, exec, create). */
  stopAtFirstArg?: boolean;
  subcommands?: CommandSpec[];
  /**
   * Runs the command. Resolves to the exit code (default 0). Throws StatusError for a chosen code,
   * DaemonError (from the client) or any Error: the framework prints and picks the code.
   */
  run?(ctx: CommandContext, flags: Flags, args: string[]): Promise<number | void>;
}

export interface RequestOptions {
  /** Query parameters; undefined values are dropped, arrays repeat the key, objects are JSON-encoded (filters). */
  query?: Record<string, string | number | boolean | string[] | Record<string, unknown> | undefined>;
  /** A plain value is sent as JSON; a Buffer or Readable as-is (set Content-Type in headers). */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The raw body stream (for logs, events, load progress, save archives). */
  body: Readable;
  json<T = any>(): Promise<T>;
  text(): Promise<string>;
}

export interface HijackedConnection {
  /** The raw connection after the 101 (or 200) response: container stdio flows over it. */
  socket: Duplex;
  /** Bytes that arrived with the response head. */
  head: Buffer;
  /** Response headers (Content-Type tells multiplexed from raw). */
  headers: IncomingHttpHeaders;
}

export interface ApiClient {
  /** The daemon address in use: 'unix:///run/berth/berth.sock', 'tcp://h:2376'. */
  readonly host: string;
  /** Sends a request (API version prefix added); a non-2xx answer throws DaemonError. */
  call(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** call() and parse the JSON answer. */
  json<T = any>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** Like call() but returns non-2xx answers instead of throwing (for 404 probes). */
  request(method: string, path: string, opts?: RequestOptions): Promise<ApiResponse>;
  /** POST with `Connection: Upgrade, Upgrade: tcp` (attach, exec start). */
  hijack(path: string, opts?: RequestOptions): Promise<HijackedConnection>;
  /** The negotiated API version ('1.50' against berthd). */
  apiVersion(): Promise<string>;
}

/** ~/.berth/config.json (or --config DIR): Docker's config.json keys. */
export interface CliConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  psFormat?: string;
  imagesFormat?: string;
  networksFormat?: string;
  volumesFormat?: string;
  statsFormat?: string;
  detachKeys?: string;
  [key: string]: unknown;
}

export interface CommandContext {
  client: ApiClient;
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** 'berth' (used in messages such as "See 'berth run --help'."). */
  programName: string;
  configDir: string;
  config: CliConfigFile;
  /** Writes config.json atomically (login/logout). */
  saveConfig(config: CliConfigFile): Promise<void>;
  debug: boolean;
}

/** An error from the daemon: printed as "Error response from daemon: <message>". */
export class DaemonError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Ends the command with this exit code; the message (if any) goes to stderr as is. */
export class StatusError extends Error {
  readonly code: number;
  constructor(code: number, message = '') {
    super(message);
    this.code = code;
  }
}

/**
 * The daemon could not be reached: "Cannot connect to the berth daemon at unix:///x.sock. Is the
 * daemon running?" (exit 1; run prints it with its usage hint and exits 125).
 */
export class ConnectionError extends Error {
  /** The daemon address as the user sees it: 'unix:///run/berth/berth.sock'. */
  readonly host: string;
  constructor(host: string, message: string) {
    super(message);
    this.host = host;
  }
}
