// `docker top`: Docker runs the host's `ps` and keeps the rows of the container's PIDs
// (moby daemon/top_unix.go). This module is the logic: argument checks, the call of a given ps
// (the runtime box's runPs adapter in the daemon, a fake in tests) and the output parser, which
// finds column boundaries from the header and the whitespace of every row so that columns with
// spaces in them (CMD, COMMAND, ...) stay whole.
import { invalidParameter, systemError } from '../../common/index.ts';

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
 * parser read the wrong column, and options that drop the header line.
 */
export function validatePsArgs(psArgs: string): void {
  // \s here is ASCII whitespace only, as in Go's RE2; the parser splits on ASCII too.
  const re = /[\t\n\f\r ]+([^\t\n\f\r ]*)=[\t\n\f\r ]*(PID[^\t\n\f\r ]*)/g;
  for (const m of psArgs.matchAll(re)) {
    if (m[1] !== 'pid') throw invalidParameter(`specifying "${m[1]}=${m[2]}" is not allowed`);
  }
  for (const arg of splitPsArgs(psArgs)) {
    if (NO_HEADER_OPTIONS.has(arg)) throw invalidParameter(`option ${arg} is not allowed`);
  }
}

/** Runs ps with the (checked) ps_args and keeps the rows of the container's pids. */
export async function topOf(pids: number[], psArgs: string, ps: (args: string[]) => Promise<string>): Promise<TopResult> {
  let stdout: string;
  try {
    stdout = await ps(splitPsArgs(psArgs));
  } catch (err) {
    throw invalidParameter(`Error running ps: ${(err as Error).message}`);
  }
  return parsePsOutput(stdout, pids);
}

/** Docker adds "-q<pids>" so ps lists only the container's processes (retrying without it). */
export function psPidsArg(pids: number[]): string {
  return `-q${pids.join(',')}`;
}

const isAsciiSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0c || b === 0x0d;
/** Go's unicode.IsSpace(rune(byte)): ASCII whitespace plus \v, NEL and NBSP. */
const isSpaceByte = (b: number) => isAsciiSpace(b) || b === 0x0b || b === 0x85 || b === 0xa0;

function fieldsAscii(s: string): string[] {
  return s.split(/[\t\n\f\r ]+/).filter((f) => f !== '');
}

/**
 * moby's parsePSOutput. Columns are byte ranges: each column after the first starts at the
 * rightmost position left of its header title where every row has whitespace. Rows whose PID
 * column is "-" (threads, with `ps -m`) belong to the process row above them.
 */
export function parsePsOutput(stdout: string, pids: number[]): TopResult {
  // Failures to read ps's own output are system errors (500), as in Docker.
  if (stdout.length > MAX_PS_OUTPUT) throw systemError('ps output is too large');
  const lines = stdout.split('\n').map((l) => Buffer.from(l, 'utf8'));
  const header = lines[0].toString('utf8');
  const titles = fieldsAscii(header);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw systemError("Couldn't find PID field in ps output");

  // [start, end) of every header token (runs of non-ASCII-space bytes).
  const idxs: [number, number][] = [];
  const h = lines[0];
  for (let i = 0; i < h.length;) {
    if (isAsciiSpace(h[i])) { i++; continue; }
    const start = i;
    while (i < h.length && !isAsciiSpace(h[i])) i++;
    idxs.push([start, i]);
  }
  idxs[0][0] = 0;
  const rows = lines.slice(1);
  for (let i = 1; i < idxs.length; i++) {
    let start = idxs[i][0] - 1;
    for (;;) {
      let blocked = false;
      for (const line of rows) {
        if (line.length > start && !isSpaceByte(line[start])) {
          blocked = true;
          start--;
          break;
        }
      }
      if (start < idxs[i - 1][1]) break; // no clean boundary: keep the header's
      if (!blocked) {
        idxs[i][0] = start;
        break;
      }
    }
  }

  const wanted = new Set(pids);
  const result: TopResult = { Titles: titles, Processes: [] };
  const append = (fields: string[]) => {
    // As many fields as titles; overhanging fields are merged into the last one.
    const n = titles.length;
    result.Processes.push([...fields.slice(0, n - 1), fields.slice(n - 1).join(' ')]);
  };
  let previousWasOurs = false;
  for (const line of rows) {
    if (line.length === 0) continue;
    const fields = idxs.map(([start], i) => {
      const end = i < idxs.length - 1 ? idxs[i + 1][0] : line.length;
      return line.subarray(Math.min(start, line.length), Math.min(Math.max(end, start), line.length)).toString('utf8').trim();
    });
    const pidField = fields[pidIndex];
    if (pidField === '-') {
      if (previousWasOurs) append(fields);
      continue;
    }
    if (!/^[+-]?\d+$/.test(pidField)) {
      throw systemError(`Unexpected pid '${pidField}': strconv.Atoi: parsing ${JSON.stringify(pidField)}: invalid syntax`);
    }
    const pid = Number(pidField);
    previousWasOurs = wanted.has(pid);
    if (previousWasOurs) append(fields);
  }
  return result;
}
