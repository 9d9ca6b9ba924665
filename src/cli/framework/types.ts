// The contracts between the CLI's framework (parsing, help, client) and its commands. A command
// is data (CommandSpec) plus one run function; the framework owns everything else: flag parsing
// with pflag's rules, usage and --help text, the API client, error printing and exit codes.
import type { ApiClient } from '../../common/index.ts';

export type { ApiClient, ApiResponse, HijackedConnection, RequestOptions } from '../../common/index.ts';
export { DaemonError } from '../../common/index.ts';

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
  /** The help's description when Docker's is longer than `short` (cobra's Long). */
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
  /** The flags given to the management command above this one (`berth compose -f x.yml up`). */
  groupFlags?: Flags;
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
