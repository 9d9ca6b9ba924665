// berth compose as a docker CLI plugin (`docker compose ...`): docker finds
// ~/.docker/cli-plugins/docker-compose, asks it `docker-cli-plugin-metadata`, then runs it as
// `docker-compose compose ARGS` with its own environment. The plugin speaks to the daemon docker
// speaks to (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG win over berth's
// variables), reads docker's config dir, and words its messages as `docker`.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './framework/run-cli.ts';
import { CLI_VERSION } from './framework/build-info.ts';
import { registry } from './commands/index.ts';
import { COMPOSE_VERSION } from '../compose/index.ts';

const argv = process.argv.slice(2);

if (argv[0] === 'docker-cli-plugin-metadata') {
  process.stdout.write(JSON.stringify({
    SchemaVersion: '0.1.0',
    Vendor: 'berth',
    Version: `v${COMPOSE_VERSION}`,
    ShortDescription: `Docker Compose (berth ${CLI_VERSION})`,
    URL: 'https://github.com/berth/berth',
  }, null, 5) + '\n');
  process.exit(0);
}

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const env: NodeJS.ProcessEnv = { ...process.env };
for (const name of ['HOST', 'TLS_VERIFY', 'CERT_PATH']) {
  if (env[`DOCKER_${name}`] !== undefined) delete env[`BERTH_${name}`];
}
env.BERTH_CONFIG = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
// The docker CLI runs `docker-compose compose ARGS`; run by hand, `docker-compose ARGS` works too.
const args = argv[0] === 'compose' ? argv.slice(1) : argv;

function finish(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

runCli(['compose', ...args], {
  registry: { ...registry, programName: 'docker' },
  env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  versionLine: `Docker Compose version v${COMPOSE_VERSION} (berth compose ${CLI_VERSION})`,
}).then(finish, (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  finish(1);
});
