// The one place that turns a command's failure into stderr text and an exit code, as docker:
// StatusError keeps its code, a daemon error is "Error response from daemon: ..." with 1, and
// anything else prints its message with 1.
import { ConnectionError, DaemonError, StatusError } from './types.ts';

export function reportError(err: unknown, stderr: { write(s: string): unknown }): number {
  const print = (msg: string) => {
    if (msg !== '') stderr.write(msg.endsWith('\n') ? msg : msg + '\n');
  };
  if (err instanceof StatusError) {
    print(err.message);
    return err.code;
  }
  if (err instanceof DaemonError) {
    print(`Error response from daemon: ${err.message}`);
    return 1;
  }
  if (err instanceof ConnectionError) {
    print(err.message);
    return 1;
  }
  if (err instanceof Error) {
    print(err.message || String(err));
    return 1;
  }
  print(String(err));
  return 1;
}
