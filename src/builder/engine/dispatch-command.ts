// CMD, ENTRYPOINT and HEALTHCHECK (moby dispatchers.go): the shell form runs through the
// config's SHELL (default /bin/sh -c); ENTRYPOINT drops an inherited CMD unless this stage set
// one; HEALTHCHECK's durations are Go durations, its history line Go's %q of the struct.
import { parseGoDuration } from '../../common/index.ts';
import type { CmdInstruction, CommandLine, HealthcheckInstruction } from '../dockerfile/types.ts';
import { badDockerfile } from './errors.ts';
import { goDuration, goQuoteRune, goQuoteSlice } from './go-format.ts';
import { shellOf, type RunConfig } from './run-config.ts';
import type { StepContext } from './session.ts';
import { commitMetadata } from './step.ts';

/** moby resolveCmdLine (Linux): exec form as is, shell form [shell..., text]. */
export function resolveCmdLine(cmd: CommandLine, rc: RunConfig): string[] {
  if (cmd.form === 'exec') return [...cmd.args];
  return [...shellOf(rc), cmd.cmd];
}

export async function dispatchCmd(ctx: StepContext, inst: CmdInstruction): Promise<void> {
  const rc = ctx.state.runConfig;
  const cmd = resolveCmdLine(inst.command, rc);
  if (inst.kind === 'CMD') {
    rc.Cmd = cmd;
    delete rc.ArgsEscaped;
    await commitMetadata(ctx, `CMD ${goQuoteSlice(cmd)}`);
    const empty = inst.command.form === 'exec' ? inst.command.args.length === 0 : inst.command.cmd === '';
    if (!empty) ctx.state.cmdSet = true;
    return;
  }
  rc.Entrypoint = cmd;
  delete rc.ArgsEscaped;
  if (!ctx.state.cmdSet) rc.Cmd = null;
  await commitMetadata(ctx, `ENTRYPOINT ${goQuoteSlice(cmd)}`);
}

/** container.MinimumDuration: 1ms. */
const MINIMUM_NS = 1_000_000n;

function parseInterval(name: string, value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === undefined) throw badDockerfile(`time: invalid duration "${value}"`);
  if (ns === 0n) return 0;
  if (ns < MINIMUM_NS) throw badDockerfile(`Interval "${name}" cannot be less than 1ms`);
  return Number(ns);
}

export async function dispatchHealthcheck(ctx: StepContext, inst: HealthcheckInstruction): Promise<void> {
  const rc = ctx.state.runConfig;
  const old = rc.Healthcheck?.Test;
  if (old && old.length > 0 && old[0] !== 'NONE') ctx.out.line(`Note: overriding previous HEALTHCHECK: ${`[${old.join(' ')}]`}\n`);
  if (!inst.command) {
    rc.Healthcheck = { Test: ['NONE'] };
  } else {
    const test = inst.command.form === 'exec' ? ['CMD', ...inst.command.args] : ['CMD-SHELL', inst.command.cmd];
    if (test.length === 1 || (inst.command.form === 'shell' && inst.command.cmd === '')) throw badDockerfile('Missing command after HEALTHCHECK CMD');
    let retries = 0;
    if (inst.retries !== undefined && inst.retries !== '') {
      if (!/^[+-]?\d+$/.test(inst.retries)) throw badDockerfile(`strconv.ParseInt: parsing "${inst.retries}": invalid syntax`);
      retries = Number(inst.retries);
      if (retries < 1) throw badDockerfile(`--retries must be at least 1 (not ${retries})`);
    }
    const hc: NonNullable<RunConfig['Healthcheck']> = { Test: test };
    const interval = parseInterval('interval', inst.interval);
    const timeout = parseInterval('timeout', inst.timeout);
    const startPeriod = parseInterval('start-period', inst.startPeriod);
    const startInterval = parseInterval('start-interval', inst.startInterval);
    if (interval) hc.Interval = interval;
    if (timeout) hc.Timeout = timeout;
    if (startPeriod) hc.StartPeriod = startPeriod;
    if (startInterval) hc.StartInterval = startInterval;
    if (retries) hc.Retries = retries;
    rc.Healthcheck = hc;
  }
  await commitMetadata(ctx, `HEALTHCHECK ${healthcheckQ(rc.Healthcheck)}`);
}

/** `%q` of *container.HealthConfig as dockerd 20.10 prints it: &{["CMD-SHELL" "x"] "5m0s" "3s" "0s" '\x00'}. */
function healthcheckQ(hc: RunConfig['Healthcheck']): string {
  const h = hc ?? {};
  const d = (v: number | undefined) => `"${goDuration(v ?? 0)}"`;
  const fields = [goQuoteSlice(h.Test), d(h.Interval), d(h.Timeout), d(h.StartPeriod)];
  if (h.StartInterval) fields.push(d(h.StartInterval));
  fields.push(goQuoteRune(h.Retries ?? 0));
  return `&{${fields.join(' ')}}`;
}
