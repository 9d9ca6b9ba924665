// `docker top` runs the host's ps (as moby's daemon/top_unix.go does); this is that spawn. No
// shell: the arguments are ps's own, checked by the caller.
import { execFile } from 'node:child_process';

/** Bounds the ps output we are willing to read (one row per host process). */
const MAX_PS_OUTPUT = 64 << 20;

/** Runs `ps args...` and resolves with its stdout; rejects with ps's error, its `stderr` attached. */
export function runPs(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ps', args, { maxBuffer: MAX_PS_OUTPUT, encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(Object.assign(err, { stderr })) : resolve(stdout)));
  });
}
