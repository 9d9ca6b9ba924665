// `docker top`: Docker runs the host's `ps` and keeps the rows of the container's PIDs
// (moby daemon/top_unix.go). This module is the logic: argument checks, the call of a given ps
// (the runtime box's runPs adapter in the daemon, a fake in tests) and moby's output parser.
import { systemError } from '../../common/index.ts';

/** Titles and rows as GET /containers/{id}/top returns them. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** Bounds the ps output we are willing to parse. */
const MAX_PS_OUTPUT = 64 << 20;

const NO_HEADER_OPTIONS = new Set([
  '--no-header', '--no-headers', '--no-heading', '--no-headings',
  '--noheader', '--noheaders', '--noheading', '--noheadings',
]);

/** Docker's default when ps_args is empty. */
const DEFAULT_PS_ARGS = '-ef';

/** ps_args as Docker passes them to ps: split on single spaces (empty means "-ef"). */
export function splitPsArgs(psArgs: string): string[] {
  return (psArgs === '' ? DEFAULT_PS_ARGS : psArgs).split(' ');
}

/**
 * Rejects what Docker rejects: renaming a column to PID (`-o uid=PID`), which would make the
 * parser read the wrong column, and options that drop the header line. moby returns these as
 * plain errors: a 500, before the container is even looked up.
 */
export function validatePsArgs(psArgs: string): void {
  // \s here is ASCII whitespace only, as in Go's RE2; the parser splits on ASCII too.
  const re = /[\t\n\f\r ]+([^\t\n\f\r ]*)=[\t\n\f\r ]*(PID[^\t\n\f\r ]*)/g;
  for (const m of psArgs.matchAll(re)) {
    if (m[1] !== 'pid') throw systemError(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
  for (const arg of splitPsArgs(psArgs)) {
    if (NO_HEADER_OPTIONS.has(arg)) throw systemError(`option ${arg} is not allowed`);
  }
}

/**
 * Runs ps with the (checked) ps_args and keeps the rows of the container's pids. As moby: ps is
 * asked for the container's pids only (`-q<pids>`), and run again without them when that fails
 * (some options, such as `f` or `-C`, do not go with `-q`); a ps that still fails is a system
 * error quoting the first line of its stderr.
 */
export async function topOf(pids: number[], psArgs: string, ps: (args: string[]) => Promise<string>): Promise<TopResult> {
  const args = splitPsArgs(psArgs);
  let stdout: string;
  try {
    stdout = await ps([...args, psPidsArg(pids)]);
  } catch {
    try {
      stdout = await ps(args);
    } catch (err) {
      const stderr = String((err as { stderr?: unknown }).stderr ?? '');
      const first = stderr.split('\n', 1)[0];
      throw systemError(`ps: ${first || (err as Error).message}`, err);
    }
  }
  return parsePsOutput(stdout, pids);
}

/** Docker adds "-q<pids>" so ps lists only the container's processes (retrying without it). */
export function psPidsArg(pids: number[]): string {
  return `-q${pids.join(',')}`;
}

/** Go's strings.FieldsFunc on the ASCII whitespace moby's fieldsASCII splits on. */
function fieldsAscii(s: string): string[] {
  return s.split(/[\t\n\f\r ]+/).filter((f) => f !== '');
}

/**
 * moby's parsePSOutput (daemon/top_unix.go): titles and rows split on ASCII whitespace; a row's
 * fields beyond the titles are joined with single spaces into the last column (so CMD keeps
 * its words). Rows whose PID column is "-" (threads, with `ps -m`) belong to the process row
 * above them.
 */
export function parsePsOutput(stdout: string, pids: number[]): TopResult {
  // Failures to read ps's own output are system errors (500), as in Docker.
  if (stdout.length > MAX_PS_OUTPUT) throw systemError('ps output is too large');
  const lines = stdout.split('\n');
  const titles = fieldsAscii(lines[0]);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw systemError("Couldn't find PID field in ps output");
  const wanted = new Set(pids);
  const result: TopResult = { Titles: titles, Processes: [] };
  const append = (fields: string[]) => {
    const n = titles.length;
    result.Processes.push([...fields.slice(0, n - 1), fields.slice(n - 1).join(' ')]);
  };
  let previousWasOurs = false;
  for (const line of lines.slice(1)) {
    if (line.length === 0) continue;
    const fields = fieldsAscii(line);
    // Go would index out of range here (a 500): a row without a PID field is ps's fault.
    const pidField = fields[pidIndex];
    if (pidField === undefined) throw systemError(`Unexpected ps output line: ${JSON.stringify(line.slice(0, 200))}`);
    if (pidField === '-') {
      if (previousWasOurs) append(fields);
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidField)) {
      throw systemError(`Unexpected pid '${pidField}': strconv.Atoi: parsing ${JSON.stringify(pidField)}: invalid syntax`);
    }
    previousWasOurs = wanted.has(Number(pidField));
    if (previousWasOurs) append(fields);
  }
  return result;
}
