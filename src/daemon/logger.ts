// Daemon log lines in logfmt, like dockerd's: time="..." level=info msg="..." key=value.
import type { Logger } from '../common/index.ts';

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

export function parseLogLevel(text: string): LogLevel {
  const level = text.toLowerCase() === 'warning' ? 'warn' : text.toLowerCase();
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new Error(`unable to parse logging level: ${text}`);
  }
  return level as LogLevel;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger & { setLevel(l: LogLevel): void } {
  let min = LEVELS.indexOf(level);
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS.indexOf(lvl) < min) return;
    let line = `time="${new Date().toISOString()}" level=${lvl === 'warn' ? 'warning' : lvl} msg=${JSON.stringify(msg)}`;
    for (const [k, v] of Object.entries(fields ?? {})) {
      const s = typeof v === 'string' ? v : JSON.stringify(v);
      line += ` ${k}=${/[\s"=]/.test(s ?? '') ? JSON.stringify(s) : s}`;
    }
    write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    setLevel: (l) => {
      min = LEVELS.indexOf(l);
    },
  };
}
