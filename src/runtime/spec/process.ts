// The container's process: command, environment, working directory, terminal.
import { invalidParameter } from '../../common/index.ts';
import { processEnv } from './env.ts';
import { cleanPath } from './clean-path.ts';
import type { SpecOpt } from './types.ts';

export interface ProcessInput {
  /** The command: never empty. */
  args: readonly string[];
  /** The container's env; PATH, HOSTNAME and TERM defaults are filled in (processEnv). */
  env?: readonly string[];
  /** HOSTNAME in the env (also when the container shares the host's UTS namespace). */
  hostname: string;
  /** Absolute; default '/'. */
  cwd?: string;
  terminal?: boolean;
  /** Initial terminal size [height, width]; used only with a terminal. */
  consoleSize?: [number, number];
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
}

/** Strings reach execve: only strings, no NUL bytes. */
export function checkExecStrings(list: readonly unknown[] | null | undefined, what: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw invalidParameter(`invalid ${what}: must be a list of strings`);
  for (const v of list) {
    if (typeof v !== 'string') throw invalidParameter(`invalid ${what}: must be a list of strings`);
    if (v.includes('\0')) throw invalidParameter(`invalid ${what}: contains a NUL byte`);
  }
}

export function withProcess(p: ProcessInput): SpecOpt {
  return (spec) => {
    checkExecStrings(p.args, 'args');
    checkExecStrings(p.env, 'Env');
    if (p.args.length === 0) throw invalidParameter('no command specified');
    if (p.cwd !== undefined && !p.cwd.startsWith('/')) {
      throw invalidParameter(`the working directory '${p.cwd}' is invalid, it needs to be an absolute path`);
    }
    const terminal = p.terminal === true;
    spec.process.terminal = terminal;
    spec.process.args = [...p.args];
    spec.process.env = processEnv(p.env ?? [], p.hostname, terminal);
    spec.process.cwd = p.cwd ? cleanPath(p.cwd) : '/';
    spec.process.noNewPrivileges = p.noNewPrivileges ?? false;
    spec.process.oomScoreAdj = p.oomScoreAdj ?? 0;
    const size = p.consoleSize;
    if (terminal && size && size[0] > 0 && size[1] > 0) spec.process.consoleSize = { height: size[0], width: size[1] };
  };
}
