// STOPSIGNAL's check (moby/sys/signal ParseSignal): a number, or a Linux signal name with or
// without the SIG prefix. The value is stored as written.
import { badDockerfile } from './errors.ts';

const NAMES = new Set([
  'ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT',
  'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'UNUSED', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ',
  'RTMIN', 'RTMAX',
  ...Array.from({ length: 15 }, (_, i) => `RTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `RTMAX-${14 - i}`),
]);

export function checkStopSignal(raw: string): void {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0 || n > 64) throw badDockerfile(`Invalid signal: ${raw}`);
    return;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (!NAMES.has(name)) throw badDockerfile(`Invalid signal: ${raw}`);
}
