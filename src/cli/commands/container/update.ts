// `berth container update`: new resource limits and restart policy for one or more containers
// (docker/cli cli/command/container/update.go): each updated container's name is printed, the
// daemon's warnings after them, and every failure at the end.
import type { CommandContext, CommandSpec, Flags } from '../../framework/types.ts';
import { StatusError } from '../../framework/types.ts';
import { memSwapBytes, parseCpus, parseRestartPolicy, ramInBytes } from '../../opts/index.ts';
import { errorText } from '../shared.ts';

const USAGE = '[OPTIONS] CONTAINER [CONTAINER...]';

/** A flag value docker's own flag type refuses: exit 125 with the usage, as pflag reports it. */
function flagValue<T>(ctx: CommandContext, title: string, value: string, parse: (v: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    const path = `${ctx.programName} update`;
    throw new StatusError(125, `invalid argument "${value}" for "${title}" flag: ${(err as Error).message}\n\nUsage:  ${path} ${USAGE}\n\nRun '${path} --help' for more information`);
  }
}

/** pflag's Uint16 parse error text. */
function parseUint16(v: string): number {
  if (!/^\+?\d+$/.test(v)) throw new Error(`strconv.ParseUint: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing "${v}": value out of range`);
  return n;
}

function buildUpdateConfig(ctx: CommandContext, flags: Flags): Record<string, unknown> {
  const bytes = (name: string, title: string, parse = ramInBytes) => (flags.changed(name) ? flagValue(ctx, title, flags.string(name), parse) : 0);
  const body: Record<string, unknown> = {
    BlkioWeight: flags.changed('blkio-weight') ? flagValue(ctx, '--blkio-weight', flags.string('blkio-weight'), parseUint16) : 0,
    CpusetCpus: flags.string('cpuset-cpus'),
    CpusetMems: flags.string('cpuset-mems'),
    CpuShares: flags.int('cpu-shares'),
    Memory: bytes('memory', '-m, --memory'),
    MemoryReservation: bytes('memory-reservation', '--memory-reservation'),
    MemorySwap: bytes('memory-swap', '--memory-swap', memSwapBytes),
    CpuPeriod: flags.int('cpu-period'),
    CpuQuota: flags.int('cpu-quota'),
    CpuRealtimePeriod: flags.int('cpu-rt-period'),
    CpuRealtimeRuntime: flags.int('cpu-rt-runtime'),
    NanoCpus: flags.changed('cpus') ? flagValue(ctx, '--cpus', flags.string('cpus'), parseCpus) : 0,
  };
  const pids = flags.int('pids-limit');
  if (pids !== 0) body.PidsLimit = pids;
  const restart = flags.string('restart');
  // docker sends an empty policy when --restart is not given; the daemon then keeps the old one.
  body.RestartPolicy = restart !== '' ? parseRestartPolicy(restart) : { Name: '', MaximumRetryCount: 0 };
  return body;
}

export const updateCommand: CommandSpec = {
  name: 'update',
  usage: USAGE,
  short: 'Update configuration of one or more containers',
  args: { min: 1 },
  flags: [
    { name: 'blkio-weight', type: 'string', valueName: 'uint16', usage: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
    { name: 'cpu-period', type: 'int', usage: 'Limit CPU CFS (Completely Fair Scheduler) period' },
    { name: 'cpu-quota', type: 'int', usage: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
    { name: 'cpu-rt-period', type: 'int', usage: 'Limit the CPU real-time period in microseconds' },
    { name: 'cpu-rt-runtime', type: 'int', usage: 'Limit the CPU real-time runtime in microseconds' },
    { name: 'cpu-shares', short: 'c', type: 'int', usage: 'CPU shares (relative weight)' },
    { name: 'cpus', type: 'string', valueName: 'decimal', usage: 'Number of CPUs' },
    { name: 'cpuset-cpus', type: 'string', usage: 'CPUs in which to allow execution (0-3, 0,1)' },
    { name: 'cpuset-mems', type: 'string', usage: 'MEMs in which to allow execution (0-3, 0,1)' },
    { name: 'kernel-memory', type: 'string', valueName: 'bytes', usage: 'Kernel memory limit (deprecated)', hidden: true },
    { name: 'memory', short: 'm', type: 'string', valueName: 'bytes', usage: 'Memory limit' },
    { name: 'memory-reservation', type: 'string', valueName: 'bytes', usage: 'Memory soft limit' },
    { name: 'memory-swap', type: 'string', valueName: 'bytes', usage: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' },
    { name: 'pids-limit', type: 'int', usage: 'Tune container pids limit (set -1 for unlimited)' },
    { name: 'restart', type: 'string', usage: 'Restart policy to apply when a container exits' },
  ],
  async run(ctx, flags, args) {
    const names = (updateCommand.flags ?? []).map((f) => f.name);
    if (!names.some((n) => flags.changed(n))) throw new StatusError(1, 'you must provide one or more flags when using this command');
    if (flags.changed('kernel-memory')) {
      // Checked as docker's stub flag does, then dropped: the kernel no longer has the limit.
      flagValue(ctx, '--kernel-memory', flags.string('kernel-memory'), ramInBytes);
      ctx.stderr.write('Flag --kernel-memory has been deprecated, and no longer supported by the kernel\n');
    }
    let body: Record<string, unknown>;
    try {
      body = buildUpdateConfig(ctx, flags);
    } catch (err) {
      if (err instanceof StatusError) throw err;
      throw new StatusError(1, (err as Error).message);
    }
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const c of args) {
      try {
        const r = await ctx.client.json<{ Warnings?: string[] | null }>('POST', `/containers/${encodeURIComponent(c)}/update`, { body });
        ctx.stdout.write(`${c}\n`);
        warnings.push(...(r.Warnings ?? []));
      } catch (err) {
        errors.push(errorText(err));
      }
    }
    if (warnings.length) ctx.stdout.write(`${warnings.join('\n')}\n`);
    if (errors.length) throw new StatusError(1, errors.join('\n'));
  },
};
