// The Dockerfile's syntax tree, as the parser (parse.ts) hands it to the engine. Words are kept
// as written: variables are expanded at dispatch time with the ARG/ENV in force at that step
// (moby builder/dockerfile/dispatchers.go, BuildKit dockerfile2llb), by shell-lex.ts.

/** 1-based lines of the instruction in the Dockerfile, continuation lines and heredoc bodies included. */
export interface Location {
  start: number;
  end: number;
}

/** `<<EOF` ... `EOF` (BuildKit heredocs). */
export interface Heredoc {
  /** The delimiter word without quotes (`EOF`). */
  name: string;
  /** The body, every line ending in `\n` (tabs already stripped for `<<-`). */
  content: string;
  /** False when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion in the body. */
  expand: boolean;
  /** `3<<EOF`: the file descriptor it feeds; undefined means stdin. */
  fileDescriptor?: number;
}

/** A command as CMD, ENTRYPOINT, RUN, SHELL-run and HEALTHCHECK take it. */
export type CommandLine =
  | { form: 'exec'; args: string[] }
  /** `cmd` is the text after the instruction and its flags, line continuations removed (moby's "shell form"). */
  | { form: 'shell'; cmd: string; heredocs: Heredoc[] };

/** `--name=value` flags as written (unexpanded), in order; a flag without `=` has value `true`. */
export type Flags = { name: string; value: string | true }[];

interface Base {
  loc: Location;
  /**
   * The instruction's text as moby's parser keeps it in Node.Original: continuation lines joined
   * (backslash-newline removed), comments inside continuations dropped, leading whitespace trimmed.
   * The classic build stream prints it: `Step 2/5 : RUN echo a &&     echo b`.
   */
  original: string;
  /** Flags the instruction takes (others are refused by the parser with BuildKit's message). */
  flags: Flags;
}

export interface FromInstruction extends Base { kind: 'FROM'; image: string; stageName?: string; platform?: string }
export interface RunInstruction extends Base {
  kind: 'RUN';
  command: CommandLine;
  /** Raw `--mount` values, parsed at dispatch by parseMount() after expansion. */
  mounts: string[];
  network?: string;
  security?: string;
}
export interface CmdInstruction extends Base { kind: 'CMD' | 'ENTRYPOINT'; command: CommandLine }
export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  /** undefined for `HEALTHCHECK NONE`. */
  command?: CommandLine;
  /** Raw flag values (`--interval=30s`); durations are parsed at dispatch. */
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  startInterval?: string;
  retries?: string;
}
export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  /** Source words as written (may hold wildcards, variables, URLs for ADD); heredoc sources are in `heredocs`. */
  sources: string[];
  /** Heredoc sources (`COPY <<EOF /dest`), in order. */
  heredocs: Heredoc[];
  dest: string;
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD only. */
  checksum?: string;
  keepGitDir?: boolean;
  unpack?: boolean;
}
export interface KeyValueInstruction extends Base {
  kind: 'ENV' | 'LABEL';
  /** Values as written, quotes still in place for the shell lexer (moby keeps them for ProcessWord). */
  pairs: { key: string; value: string }[];
}
export interface ArgInstruction extends Base { kind: 'ARG'; args: { key: string; value?: string }[] }
export interface ListInstruction extends Base {
  kind: 'EXPOSE' | 'VOLUME';
  /** EXPOSE ports / VOLUME paths (VOLUME takes the JSON form too). */
  values: string[];
}
export interface WordInstruction extends Base {
  kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'MAINTAINER';
  value: string;
}
export interface ShellInstruction extends Base { kind: 'SHELL'; shell: string[] }
export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger as stored in the image config's OnBuild list (`RUN echo hi`). */
  trigger: string;
}

export type Instruction =
  | FromInstruction | RunInstruction | CmdInstruction | HealthcheckInstruction | CopyInstruction | KeyValueInstruction
  | ArgInstruction | ListInstruction | WordInstruction | ShellInstruction | OnbuildInstruction;

export interface Stage {
  from: FromInstruction;
  /** `AS name` lowercased, or undefined. */
  name?: string;
  /** Instructions after FROM up to the next FROM. */
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Parser directives found at the top (`escape`, `syntax`, `check`), keys lowercased. */
  directives: Record<string, string>;
  /**
   * The escape token in force: a backslash, or a backtick after `# escape=` and a backtick.
   * Give it to ShellLex. Always set by parseDockerfile (optional only for hand-made trees).
   */
  escapeToken?: string;
  /** ARG instructions before the first FROM. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
  /** Warnings to print (empty continuation lines, and the like), as BuildKit words them. */
  warnings: { line: number; message: string }[];
}

/** A parsed `RUN --mount=...` (BuildKit's instructions.Mount). */
export interface MountSpec {
  type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  target?: string;
  source?: string;
  from?: string;
  readOnly: boolean;
  id?: string;
  sharing?: 'shared' | 'private' | 'locked';
  required?: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  /** tmpfs size in bytes. */
  size?: number;
  /** secret: the env variable to set from it. */
  env?: string;
}
