// HEALTHCHECK: NONE, or CMD with a command like CMD's, and its flags checked as BuildKit's
// instructions.parseHealthcheck checks them (durations at least 1ms unless 0, retries >= 0).

import { parseGoDuration } from '../../common/index.ts';
import { errAtLeastOneArgument, InstructionError } from './errors.ts';
import type { FlagKind } from './flags.ts';
import { goQuote } from './go-text.ts';
import type { FlagsFn, InstructionBase } from './instructions.ts';
import type { Node } from './node.ts';
import type { Instruction } from './types.ts';

const HEALTHCHECK_FLAGS: Record<string, FlagKind> = {
  interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string',
};

/** HEALTHCHECK durations: Go's time.ParseDuration, at least 1ms unless 0 (parseOptInterval). */
function checkInterval(name: string, value: string | undefined): void {
  if (value === undefined || value === '') return;
  const negative = value.startsWith('-');
  const ns = parseGoDuration(value.replace(/^[-+]/, ''));
  if (ns === undefined) throw new InstructionError(`time: invalid duration ${goQuote(value)}`);
  if (ns !== 0n && (negative || ns < 1_000_000n)) throw new InstructionError(`Interval ${goQuote(name)} cannot be less than 1ms`);
}

function checkRetries(value: string | undefined): void {
  if (value === undefined || value === '') return;
  if (!/^[+-]?\d+$/.test(value)) throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(value)}: invalid syntax`);
  const n = BigInt(value);
  if (n > 2147483647n || n < -2147483648n) throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(value)}: value out of range`);
  if (n < 0n) throw new InstructionError(`--retries cannot be negative (${n})`);
}

export function healthcheck(node: Node, base: InstructionBase, flags: FlagsFn): Instruction {
  const args = node.args;
  if (args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  const typ = args[0].toUpperCase();
  const rest = args.slice(1);
  if (typ === 'NONE') {
    // BuildKit does not check flags on HEALTHCHECK NONE
    if (rest.length !== 0) throw new InstructionError('HEALTHCHECK NONE takes no arguments');
    return { ...base, kind: 'HEALTHCHECK' };
  }
  const f = flags(HEALTHCHECK_FLAGS);
  if (typ !== 'CMD') throw new InstructionError(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = node.json || rest.length === 0 ? rest : [rest.join(' ')];
  if (cmd.length === 0) throw new InstructionError('Missing command after HEALTHCHECK CMD');
  const interval = f.string('interval');
  const timeout = f.string('timeout');
  const startPeriod = f.string('start-period');
  const startInterval = f.string('start-interval');
  const retries = f.string('retries');
  checkInterval('interval', interval);
  checkInterval('timeout', timeout);
  checkInterval('start-period', startPeriod);
  checkInterval('start-interval', startInterval);
  checkRetries(retries);
  return {
    ...base,
    kind: 'HEALTHCHECK',
    command: node.json ? { form: 'exec', args: cmd } : { form: 'shell', cmd: cmd[0], heredocs: [] },
    ...(interval !== undefined ? { interval } : {}),
    ...(timeout !== undefined ? { timeout } : {}),
    ...(startPeriod !== undefined ? { startPeriod } : {}),
    ...(startInterval !== undefined ? { startInterval } : {}),
    ...(retries !== undefined ? { retries } : {}),
  };
}
