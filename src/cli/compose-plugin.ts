// berth compose as a docker CLI plugin (`docker compose ...`): docker finds
// ~/.docker/cli-plugins/docker-compose, asks it `docker-cli-plugin-metadata`, then runs it as
// `docker-compose compose ARGS` with its own environment. The plugin speaks to the daemon docker
// speaks to (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_CONFIG win over berth's
// variables), reads docker's config dir, and words its messages as `docker`.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { connect } from 'node:net';
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

/**
 * docker 28 hands its plugins a socket (DOCKER_CLI_PLUGIN_SOCKET, '@' for an abstract name) and
 * closes it when it is interrupted: that is our Ctrl-C even when the signal reached docker alone.
 */
function followPluginSocket(address: string | undefined): void {
  if (!address) return;
  const conn = connect(address.startsWith('@') ? `\0${address.slice(1)}` : address);
  let connected = false;
  conn.on('connect', () => (connected = true));
  conn.on('error', () => {});
  conn.on('close', () => {
    if (connected) process.kill(process.pid, 'SIGINT');
  });
  conn.unref();
}
followPluginSocket(process.env.DOCKER_CLI_PLUGIN_SOCKET);

const env: NodeJS.ProcessEnv = { ...process.env };
for (const name of ['HOST', 'TLS_VERIFY', 'CERT_PATH']) {
  if (env[`DOCKER_${name}`] !== undefined) delete env[`BERTH_${name}`];
}
env.BERTH_CONFIG = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');

/** The docker endpoint of a docker CLI context (contexts/meta/<sha256 of name>/meta.json). */
function contextHost(configDir: string, name: string): string | undefined {
  if (!name || name === 'default') return undefined;
  const file = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json');
  try {
    const meta = JSON.parse(readFileSync(file, 'utf8')) as { Endpoints?: { docker?: { Host?: string } } };
    return meta.Endpoints?.docker?.Host || undefined;
  } catch {
    process.stderr.write(`context ${JSON.stringify(name)} does not exist\n`);
    process.exit(1);
  }
}

/** The context docker's config.json selects (currentContext), unless DOCKER_HOST is set. */
function currentContext(configDir: string): string {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  try {
    return (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext ?? '';
  } catch {
    return '';
  }
}

/**
 * The docker CLI hands the plugin its own global flags before the `compose` word
 * (`docker -H unix:///x.sock compose ps` runs `docker-compose -H unix:///x.sock compose ps`):
 * berth's global flags are docker's, except --context/-c, which becomes the context's -H.
 */
function pluginArgs(words: readonly string[]): string[] {
  const withValue = new Set(['-H', '--host', '-c', '--context', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);
  const globals: string[] = [];
  let context: string | undefined;
  let i = 0;
  for (; i < words.length && words[i] !== 'compose'; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    const name = eq > 0 && w.startsWith('--') ? w.slice(0, eq) : w;
    const value = eq > 0 && w.startsWith('--') ? w.slice(eq + 1) : withValue.has(w) ? words[++i] ?? '' : undefined;
    if (name === '-c' || name === '--context') context = value;
    else globals.push(name, ...(value !== undefined ? [value] : []));
  }
  const rest = i < words.length ? words.slice(i + 1) : [];
  const hasHost = globals.includes('-H') || globals.includes('--host');
  if (!hasHost) {
    const host = contextHost(env.BERTH_CONFIG!, context ?? (env.DOCKER_HOST ? '' : currentContext(env.BERTH_CONFIG!)));
    if (host) globals.push('-H', host);
  }
  return [...globals, 'compose', ...rest];
}

function finish(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = (): void => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

runCli(pluginArgs(argv), {
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
