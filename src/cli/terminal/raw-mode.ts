// Raw mode for the user's terminal while a container's TTY is attached, with the terminal put
// back however berth ends: normally, on an error, on process.exit, on an uncaught exception,
// or on a terminating signal nobody else handles.

import { spawnSync } from 'node:child_process';

const FATAL_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT'];

export interface RawTerminal {
  /** Puts the terminal back; safe to call more than once. */
  restore(): void;
}

/** Sets `stdin` raw when it is a terminal; a no-op otherwise. */
export function makeRaw(stdin: NodeJS.ReadStream): RawTerminal {
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return { restore() {} };
  stdin.setRawMode(true);
  // libuv's raw mode keeps output processing (\n -> \r\n) on; docker's (cfmakeraw) turns it
  // off, so the container's own \r\n reaches the screen unchanged. setRawMode(false) brings
  // the saved settings back, this included.
  spawnSync('stty', ['-opost'], { stdio: [stdin, 'ignore', 'ignore'] });
  let restored = false;
  const handlers = new Map<NodeJS.Signals, () => void>();

  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdin.setRawMode(false);
    } catch {
      // the terminal is gone
    }
    process.removeListener('exit', restore);
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };

  process.on('exit', restore);
  for (const sig of FATAL_SIGNALS) {
    const h = () => {
      // Someone else (the signal proxy) handles it: they decide; we only act when alone.
      if (process.listenerCount(sig) > 1) return;
      restore();
      process.kill(process.pid, sig);
    };
    handlers.set(sig, h);
    process.on(sig, h);
  }
  return { restore };
}
