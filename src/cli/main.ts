// berth: the command line, a client of the Engine API only. This file wires the process to the
// framework: stdout that may close early (`berth ps | head`) and an exit that waits for output
// to drain. (bin/berth turns on Node's compile cache before this bundle is compiled.)
import { runCli } from './framework/run-cli.ts';
import { CLI_VERSION, GIT_COMMIT } from './framework/build-info.ts';
import { registry } from './commands/index.ts';

// A reader that went away (`| head`) ends the command quietly, as a Go program killed by SIGPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

function finish(code: number): void {
  process.exitCode = code;
  // Exit once what was written has drained, even if a command left a handle open.
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

runCli(process.argv.slice(2), {
  registry,
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  versionLine: `${registry.programName} version ${CLI_VERSION}, build ${GIT_COMMIT}`,
}).then(finish, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  finish(1);
});
