// The process environment (Docker's CreateDaemonEnvironment): PATH, HOSTNAME and TERM defaults
// that the container's own env overrides by key; a bare `KEY` (no '=') removes the key.
import { DEFAULT_PATH_ENV } from '../defaults.ts';

export const envKey = (e: string): string => {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
};

export function processEnv(configEnv: readonly string[], hostname: string, tty: boolean): string[] {
  const env = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${hostname}`];
  if (tty) env.push('TERM=xterm');
  const index = new Map<string, number>();
  env.forEach((e, i) => index.set(envKey(e), i));
  const removed = new Set<number>();
  for (const e of configEnv) {
    const key = envKey(e);
    const i = index.get(key);
    if (!e.includes('=')) {
      if (i !== undefined) removed.add(i);
      continue;
    }
    if (i !== undefined) {
      env[i] = e;
      removed.delete(i);
    } else {
      index.set(key, env.length);
      env.push(e);
    }
  }
  return env.filter((_, i) => !removed.has(i));
}
