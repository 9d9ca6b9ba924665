// runCli end to end with small fake commands: exit codes and texts as docker 28.2 prints them
// (with 'berth'), help, the global flags, config loading, host precedence and error mapping.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type Registry } from './run-cli.ts';
import { DaemonError, StatusError, type CommandSpec } from './types.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-cli-test-'));
after(() => rm(dir, { recursive: true, force: true }));

let seen: { host?: string; config?: unknown; args?: string[]; configDir?: string } = {};

const rmSpec: CommandSpec = {
  name: 'rm', usage: '[OPTIONS] CONTAINER [CONTAINER...]', short: 'Remove one or more containers', args: { min: 1 },
  flags: [{ name: 'force', short: 'f', type: 'bool', usage: 'Force the removal of a running container (uses SIGKILL)' }],
  async run(ctx, flags, args) {
    seen = { host: ctx.client.host, config: ctx.config, args, configDir: ctx.configDir };
    if (args[0] === 'daemon-error') throw new DaemonError(404, 'No such container: daemon-error');
    if (args[0] === 'status') throw new StatusError(3, 'custom failure');
    if (args[0] === 'save') await ctx.saveConfig({ auths: { 'example.com': { auth: 'eA==' } } });
    if (args[0] === 'ping') await ctx.client.apiVersion();
    return flags.bool('force') ? 7 : 0;
  },
};
const lsSpec: CommandSpec = { name: 'ls', aliases: ['ps'], usage: '[OPTIONS]', short: 'List containers', args: { max: 0 }, async run() {} };
const logsSpec: CommandSpec = { name: 'logs', usage: '[OPTIONS] CONTAINER', short: 'Fetch the logs of a container', args: { min: 1, max: 1 }, async run() {} };
const tagSpec: CommandSpec = { name: 'tag', usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', short: 'Create a tag', args: { min: 2, max: 2 }, async run() {} };
const imgLs: CommandSpec = { name: 'ls', usage: '[OPTIONS] [REPOSITORY[:TAG]]', short: 'List images', args: { max: 1 }, async run() {} };
const runSpec: CommandSpec = {
  name: 'run', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', short: 'Create and run a new container from an image', args: { min: 1 }, stopAtFirstArg: true,
  flags: [{ name: 'rm', type: 'bool', usage: 'Remove' }],
  async run(_ctx, flags, args) {
    seen = { args: [String(flags.bool('rm')), ...args] };
  },
};

const registry: Registry = {
  programName: 'berth',
  short: 'A self-sufficient runtime for containers',
  commands: [
    { name: 'container', usage: '', short: 'Manage containers', subcommands: [rmSpec, lsSpec, logsSpec, runSpec] },
    { name: 'image', usage: '', short: 'Manage images', subcommands: [tagSpec, imgLs] },
  ],
  shortcuts: [
    { name: 'rm', target: ['container', 'rm'] }, { name: 'ps', target: ['container', 'ls'] }, { name: 'logs', target: ['container', 'logs'] },
    { name: 'run', target: ['container', 'run'] }, { name: 'tag', target: ['image', 'tag'] }, { name: 'images', target: ['image', 'ls'] },
  ],
  common: ['run', 'ps'],
};

function sink() {
  let text = '';
  return { stream: { write: (s: string) => ((text += s), true), isTTY: false } as unknown as NodeJS.WriteStream, get text() { return text; } };
}

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out = sink();
  const err = sink();
  const code = await runCli(argv, {
    registry, env: { HOME: dir, ...env }, stdin: { isTTY: false } as NodeJS.ReadStream,
    stdout: out.stream, stderr: err.stream, versionLine: 'berth version 0.1.0, build test',
  });
  return { code, stdout: out.text, stderr: err.text };
}

test('flag errors: usage lines and exit 125 (docker 28.2 text)', async () => {
  assert.deepEqual(await cli(['rm', '--foo']), {
    code: 125, stdout: '',
    stderr: "unknown flag: --foo\n\nUsage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRun 'berth rm --help' for more information\n",
  });
  assert.deepEqual(await cli(['--foo', 'ps']), {
    code: 125, stdout: '',
    stderr: "unknown flag: --foo\n\nUsage:  berth [OPTIONS] COMMAND [ARG...]\n\nRun 'berth --help' for more information\n",
  });
  assert.deepEqual(await cli(['container', '--foo']), {
    code: 125, stdout: '',
    stderr: "unknown flag: --foo\n\nUsage:  berth container\n\nRun 'berth container --help' for more information\n",
  });
});

test('argument counts: exit 1 with docker\'s messages', async () => {
  assert.deepEqual(await cli(['rm']), {
    code: 1, stdout: '',
    stderr: "berth: 'berth rm' requires at least 1 argument\n\nUsage:  berth rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'berth rm --help' for more information\n",
  });
  assert.equal((await cli(['ps', 'a', 'b'])).stderr, "berth: 'berth ps' accepts no arguments\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n");
  assert.equal((await cli(['logs', 'a', 'b'])).stderr, "berth: 'berth logs' requires 1 argument\n\nUsage:  berth logs [OPTIONS] CONTAINER\n\nRun 'berth logs --help' for more information\n");
  assert.equal((await cli(['tag', 'a'])).stderr, "berth: 'berth tag' requires 2 arguments\n\nUsage:  berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nRun 'berth tag --help' for more information\n");
  assert.equal((await cli(['image', 'ls', 'a', 'b'])).code, 1);
});

test('unknown commands and help topics', async () => {
  assert.deepEqual(await cli(['foo']), { code: 1, stdout: '', stderr: "berth: unknown command: berth foo\n\nRun 'berth --help' for more information\n" });
  assert.deepEqual(await cli(['container', 'foo']), {
    code: 1, stdout: '', stderr: "berth: unknown command: berth container foo\n\nUsage:  berth container\n\nRun 'berth container --help' for more information\n",
  });
  assert.deepEqual(await cli(['help', 'foo']), { code: 1, stdout: '', stderr: 'unknown help topic: foo\n' });
});

test('help goes to stdout with exit 0, in all its spellings', async () => {
  const help = (await cli(['rm', '--help'])).stdout;
  assert.match(help, /^Usage: {2}berth rm \[OPTIONS\] CONTAINER \[CONTAINER\.\.\.\]\n\nRemove one or more containers\n\nAliases:\n {2}berth container rm, berth rm\n/);
  assert.equal((await cli(['help', 'rm'])).stdout, help);
  assert.equal((await cli(['container', 'rm', '--help'])).stdout.replace('berth container rm [', 'berth rm ['), help);
  assert.equal((await cli(['rm', '-h'])).stdout, 'Flag shorthand -h has been deprecated, use --help\n' + help);
  for (const argv of [[], ['--help'], ['help']]) {
    const r = await cli(argv);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: {2}berth \[OPTIONS\] COMMAND\n/);
  }
  const group = await cli(['container']);
  assert.equal(group.code, 0);
  assert.match(group.stdout, /^Usage: {2}berth container COMMAND\n\nManage containers\n\nCommands:\n {2}logs/);
  // Flags after the image of `run` are the container's, --help included.
  assert.equal((await cli(['run', '--rm', 'img', '--help', '-x'])).code, 0);
  assert.deepEqual(seen.args, ['true', 'img', '--help', '-x']);
});

test('-v, --log-level and exit codes from commands', async () => {
  assert.deepEqual(await cli(['-v']), { code: 0, stdout: 'berth version 0.1.0, build test\n', stderr: '' });
  assert.deepEqual(await cli(['-l', 'foo', 'ps']), { code: 1, stdout: '', stderr: 'Unable to parse logging level: foo\n' });
  assert.equal((await cli(['-H', 'unix:///nonexistent/x.sock', 'rm', '-f', 'x'])).code, 7);
  assert.deepEqual(await cli(['-H', 'unix:///nonexistent/x.sock', 'rm', 'daemon-error']), { code: 1, stdout: '', stderr: 'Error response from daemon: No such container: daemon-error\n' });
  assert.deepEqual(await cli(['-H', 'unix:///nonexistent/x.sock', 'rm', 'status']), { code: 3, stdout: '', stderr: 'custom failure\n' });
  assert.deepEqual(await cli(['-H', 'unix:///nonexistent/x.sock', 'rm', 'ping']), {
    code: 1, stdout: '', stderr: 'Cannot connect to the berth daemon at unix:///nonexistent/x.sock. Is the daemon running?\n',
  });
});

test('host precedence: -H, then BERTH_HOST, then DOCKER_HOST, then the default', async () => {
  const env = { BERTH_HOST: 'unix:///b.sock', DOCKER_HOST: 'unix:///d.sock' };
  await cli(['-H', 'tcp://10.1.2.3', 'rm', 'x'], env);
  assert.equal(seen.host, 'tcp://10.1.2.3:2375');
  await cli(['rm', 'x'], env);
  assert.equal(seen.host, 'unix:///b.sock');
  await cli(['rm', 'x'], { DOCKER_HOST: 'unix:///d.sock' });
  assert.equal(seen.host, 'unix:///d.sock');
  await cli(['rm', 'x']);
  assert.equal(seen.host, 'unix:///run/berth/berth.sock');
  assert.deepEqual(await cli(['-H', 'a', '-H', 'b', 'rm', 'x']), { code: 1, stdout: '', stderr: 'Failed to initialize: unable to resolve berth endpoint: Specify only one -H\n' });
  assert.deepEqual(await cli(['-H', 'foo://x', 'rm', 'x']), { code: 1, stdout: '', stderr: 'Failed to initialize: unable to resolve berth endpoint: invalid bind address format: foo://x\n' });
});

test('config dir: --config, then BERTH_CONFIG, then ~/.berth; saveConfig is atomic and private', async () => {
  const cfg = join(dir, 'cfg');
  await cli(['--config', cfg, 'rm', 'save']);
  const file = join(cfg, 'config.json');
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), { auths: { 'example.com': { auth: 'eA==' } } });
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  await cli(['--config', cfg, 'rm', 'x']);
  assert.deepEqual(seen.config, { auths: { 'example.com': { auth: 'eA==' } } });
  await cli(['rm', 'x'], { BERTH_CONFIG: cfg });
  assert.equal(seen.configDir, cfg);
  await cli(['rm', 'x']);
  assert.equal(seen.configDir, join(dir, '.berth'));
  assert.deepEqual(seen.config, {});
  await writeFile(file, '{not json');
  const bad = await cli(['--config', cfg, 'rm', 'x']);
  assert.equal(bad.code, 0);
  assert.match(bad.stderr, /^WARNING: Error loading config file: .*config\.json: /);
  assert.deepEqual(seen.config, {});
});
