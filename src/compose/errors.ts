// Errors of the compose box. The CLI prints `message` as docker compose does (no "Error response
// from daemon" prefix unless the message came from the daemon) and exits with `exitCode`.
export class ComposeError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
